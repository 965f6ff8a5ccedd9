// The face networks' layers in OpenCL C 1.2, written once for every backend
// that takes OpenCL C or what is compiled from it (docs/workloads.md).
//
// Tensors are NHWC floats with a zero frame of `border` pixels around each
// image, so a convolution's zero padding is read from memory and no load
// needs a bounds check. Nothing writes a frame: the host zeroes every tensor
// once. Constants structs hold only uints and floats, in the order of
// workloads/face/src/layer_constants.h.

typedef struct {
  uint batch;
  uint in_h, in_w, in_c, in_border;
  uint out_h, out_w, out_c, out_border;
  uint res_border;
  uint ext_h, ext_w;  // the computed part of the output (<= out_h, out_w)
  uint filter_h, filter_w, stride, pad;
  uint flags;  // FACE_RELU | FACE_RESIDUAL | FACE_LEAKY
  uint reserved;  // 0
} face_conv_constants;

typedef struct {
  uint batch;
  uint in_h, in_w, in_c, in_border;
  uint out_h, out_w, out_c, out_border;
  uint ext_h, ext_w;
  uint window, stride;
  uint mode;  // 0 max, 1 average
} face_pool_constants;

typedef struct {
  uint n;
} face_add_constants;

typedef struct {
  uint m, n, k;
} face_gemm_constants;

#define FACE_RELU 1u
#define FACE_RESIDUAL 2u
#define FACE_LEAKY 4u  // face-api's leaky(): relu(x - 0.1x) + 0.1x

// One work-item of face_conv2d computes FACE_CONV_PIXELS output pixels x
// 16 * nv channels, nv = 2 when out_c % 32 == 0, else 1 (the host sizes
// the grid by the same rule).
#define FACE_CONV_PIXELS 8

// One pixel's v-th 16 output channels: bias, residual, activation, store.
inline __attribute__((always_inline)) void face_conv_store(float16 acc, uint v,
                                                            __global const float* bias,
                                                            __global const float* residual,
                                                            __global float* out, uint flags) {
  float16 y = acc + vload16(v, bias);
  if (flags & FACE_RESIDUAL) y += vload16(v, residual);
  if (flags & FACE_RELU) y = fmax(y, (float16)(0.0f));
  if (flags & FACE_LEAKY) {
    const float16 t = y * 0.1f;
    y = fmax(y - t, (float16)(0.0f)) + t;
  }
  vstore16(y, v, out);
}

// out = act(conv(in, filter) + bias [+ residual]) for one block: the inner
// loop multiplies nv rows of 16 filter values by 8 input values, a
// register-blocked GEMM whose operands come straight from the NHWC tensors
// (no im2col copy). Inlined with a constant nv, so the loops over it unroll.
inline __attribute__((always_inline)) void face_conv_block(
    __global const float* in, __global const float* filter, __global const float* bias,
    __global const float* residual, __global float* out, const face_conv_constants k,
    const uint m0, const uint k0, const uint nv) {
  const uint extent = k.ext_h * k.ext_w;
  const uint total = k.batch * extent;
  const uint C = k.in_c;
  const uint K = k.out_c;
  const uint in_pitch = k.in_w + 2 * k.in_border;
  const uint in_rows = k.in_h + 2 * k.in_border;
  const uint origin = k.in_border - k.pad;

  // Input offset of each pixel's window corner; pixels past the end repeat
  // the last one (computed, never stored).
  uint base[FACE_CONV_PIXELS];
#pragma unroll
  for (int j = 0; j < FACE_CONV_PIXELS; ++j) {
    const uint m = min(m0 + (uint)j, total - 1);
    const uint n = m / extent;
    const uint pq = m - n * extent;
    const uint p = pq / k.ext_w;
    const uint q = pq - p * k.ext_w;
    base[j] = ((n * in_rows + p * k.stride + origin) * in_pitch + q * k.stride + origin) * C;
  }

  // Two accumulator arrays indexed only by unrolled loops, so every
  // compiler keeps them in registers (acc1 is dead code when nv == 1).
  float16 acc0[FACE_CONV_PIXELS], acc1[FACE_CONV_PIXELS];
#pragma unroll
  for (int j = 0; j < FACE_CONV_PIXELS; ++j) acc0[j] = acc1[j] = (float16)(0.0f);

  // Along a filter row the window's s and c are contiguous in NHWC, and so
  // are the filter's: one loop of filter_w * in_c steps per row.
  const uint row = k.filter_w * C;
  for (uint r = 0; r < k.filter_h; ++r) {
    __global const float* x = in + r * in_pitch * C;
    __global const float* w = filter + r * row * K + k0;
    for (uint t = 0; t < row; ++t) {
      // Two copies of the loop rather than a select: llvm-spirv-14 emits
      // vector selects on a scalar condition, which SPIR-V 1.0 forbids.
      // a += x * w, not fma(): OpenCL C contracts it into one FMA
      // (FP_CONTRACT is on by default), and it stays a vector operation in
      // ahal-kernelc's cpu-so, whose vector fma() is 16 scalar calls.
      const float16 w0 = vload16(0, w + t * K);
      if (nv == 2) {
        const float16 w1 = vload16(1, w + t * K);
#pragma unroll
        for (int j = 0; j < FACE_CONV_PIXELS; ++j) {
          const float16 xv = (float16)(x[base[j] + t]);
          acc0[j] += xv * w0;
          acc1[j] += xv * w1;
        }
      } else {
#pragma unroll
        for (int j = 0; j < FACE_CONV_PIXELS; ++j) {
          acc0[j] += (float16)(x[base[j] + t]) * w0;
        }
      }
    }
  }

  const uint out_pitch = k.out_w + 2 * k.out_border;
  const uint out_rows = k.out_h + 2 * k.out_border;
  const uint res_pitch = k.out_w + 2 * k.res_border;
  const uint res_rows = k.out_h + 2 * k.res_border;
#pragma unroll
  for (int j = 0; j < FACE_CONV_PIXELS; ++j) {
    const uint m = m0 + (uint)j;
    if (m >= total) break;
    const uint n = m / extent;
    const uint pq = m - n * extent;
    const uint p = pq / k.ext_w;
    const uint q = pq - p * k.ext_w;
    const uint at_out = ((n * out_rows + p + k.out_border) * out_pitch + q + k.out_border) * K + k0;
    const uint at_res = ((n * res_rows + p + k.res_border) * res_pitch + q + k.res_border) * K + k0;
    face_conv_store(acc0[j], 0, bias + k0, residual + at_res, out + at_out, k.flags);
    if (nv == 2) face_conv_store(acc1[j], 1, bias + k0, residual + at_res, out + at_out, k.flags);
  }
}

// Global id 0: pixel block over batch * ext_h * ext_w; id 1: channel block.
// filter is [filter_h][filter_w][in_c][out_c] (TF's HWIO), out_c % 16 == 0;
// residual is read only with FACE_RESIDUAL.
__kernel void face_conv2d(__global const float* in, __global const float* filter,
                          __global const float* bias, __global const float* residual,
                          __global float* out, face_conv_constants k) {
  const uint nv = k.out_c % 32 == 0 ? 2 : 1;
  const uint m0 = (uint)get_global_id(0) * FACE_CONV_PIXELS;
  const uint k0 = (uint)get_global_id(1) * 16 * nv;
  if (m0 >= k.batch * k.ext_h * k.ext_w || k0 >= k.out_c) return;
  if (nv == 2) {
    face_conv_block(in, filter, bias, residual, out, k, m0, k0, 2);
  } else {
    face_conv_block(in, filter, bias, residual, out, k, m0, k0, 1);
  }
}

// Depthwise convolution: out[..][c] = act(sum_rs in[..][c] * filter[r][s][c]
// + bias[c]), the constants as face_conv2d's (in_c == out_c, % 16 == 0).
// Global id 0: group of 16 channels, 1: pixel over batch * ext_h * ext_w.
// Bindings as face_conv2d's; residual is read only with FACE_RESIDUAL.
__kernel void face_depthwise2d(__global const float* in, __global const float* filter,
                               __global const float* bias, __global const float* residual,
                               __global float* out, face_conv_constants k) {
  const uint c0 = (uint)get_global_id(0) * 16;
  const uint m = (uint)get_global_id(1);
  const uint extent = k.ext_h * k.ext_w;
  if (c0 >= k.out_c || m >= k.batch * extent) return;
  const uint n = m / extent;
  const uint pq = m - n * extent;
  const uint p = pq / k.ext_w;
  const uint q = pq - p * k.ext_w;
  const uint C = k.in_c;
  const uint in_pitch = k.in_w + 2 * k.in_border;
  const uint in_rows = k.in_h + 2 * k.in_border;
  const uint origin = k.in_border - k.pad;
  __global const float* x =
      in + ((n * in_rows + p * k.stride + origin) * in_pitch + q * k.stride + origin) * C + c0;
  float16 acc = (float16)(0.0f);
  for (uint r = 0; r < k.filter_h; ++r) {
    for (uint s = 0; s < k.filter_w; ++s) {
      acc += vload16(0, x + (r * in_pitch + s) * C) *
             vload16(0, filter + (r * k.filter_w + s) * C + c0);
    }
  }
  float16 y = acc + vload16(0, bias + c0);
  if (k.flags & FACE_RESIDUAL) {
    const uint res_pitch = k.out_w + 2 * k.res_border;
    const uint res_rows = k.out_h + 2 * k.res_border;
    y += vload16(0, residual + ((n * res_rows + p + k.res_border) * res_pitch + q + k.res_border) *
                                   C + c0);
  }
  if (k.flags & FACE_RELU) y = fmax(y, (float16)(0.0f));
  if (k.flags & FACE_LEAKY) {
    const float16 t = y * 0.1f;
    y = fmax(y - t, (float16)(0.0f)) + t;
  }
  const uint out_pitch = k.out_w + 2 * k.out_border;
  const uint out_rows = k.out_h + 2 * k.out_border;
  vstore16(y, 0, out + ((n * out_rows + p + k.out_border) * out_pitch + q + k.out_border) * C + c0);
}

// Max or average pooling over the ext_h x ext_w part of the output. Windows
// may run past the input's bottom and right edges (TF's 'same' padding comes
// after): those positions are skipped, and an average divides by the rest.
// Channels past in_c (zero extension) are left to the zeroed tensor.
// Global id 0: group of 16 channels, 1: output column, 2: batch * ext_h + row.
__kernel void face_pool2d(__global const float* in, __global float* out, face_pool_constants k) {
  const uint c0 = (uint)get_global_id(0) * 16;
  const uint q = (uint)get_global_id(1);
  const uint np = (uint)get_global_id(2);
  if (c0 >= k.in_c || q >= k.ext_w || np >= k.batch * k.ext_h) return;
  const uint n = np / k.ext_h;
  const uint p = np - n * k.ext_h;
  const uint in_pitch = k.in_w + 2 * k.in_border;
  const uint in_rows = k.in_h + 2 * k.in_border;
  const uint y0 = p * k.stride;
  const uint x0 = q * k.stride;
  const uint rows = min(k.window, k.in_h - y0);
  const uint cols = min(k.window, k.in_w - x0);
  __global const float* x =
      in + ((n * in_rows + y0 + k.in_border) * in_pitch + x0 + k.in_border) * k.in_c;
  const uint out_pitch = k.out_w + 2 * k.out_border;
  const uint out_rows = k.out_h + 2 * k.out_border;
  __global float* y =
      out + ((n * out_rows + p + k.out_border) * out_pitch + q + k.out_border) * k.out_c;
  const uint step = in_pitch * k.in_c;
  if (c0 + 16 <= k.in_c) {
    // 16 channels at once: one vector per window position.
    if (k.mode == 0) {
      float16 acc = (float16)(-INFINITY);
      for (uint r = 0; r < rows; ++r) {
        for (uint s = 0; s < cols; ++s) acc = fmax(acc, vload16(0, x + r * step + s * k.in_c + c0));
      }
      vstore16(acc, 0, y + c0);
    } else {
      float16 acc = (float16)(0.0f);
      for (uint r = 0; r < rows; ++r) {
        for (uint s = 0; s < cols; ++s) acc += vload16(0, x + r * step + s * k.in_c + c0);
      }
      vstore16(acc / (float)(rows * cols), 0, y + c0);
    }
    return;
  }
  for (uint c = c0; c < k.in_c; ++c) {  // the last channels when in_c % 16 != 0
    float acc = k.mode == 0 ? -INFINITY : 0.0f;
    for (uint r = 0; r < rows; ++r) {
      for (uint s = 0; s < cols; ++s) {
        const float v = x[r * step + s * k.in_c + c];
        acc = k.mode == 0 ? fmax(acc, v) : acc + v;
      }
    }
    y[c] = k.mode != 0 ? acc / (float)(rows * cols) : acc;
  }
}

// c = max(a + b, 0) over n floats (frames included: they stay zero).
__kernel void face_add_relu(__global const float* a, __global const float* b, __global float* c,
                            face_add_constants k) {
  const uint i = (uint)get_global_id(0);
  if (i < k.n) c[i] = fmax(a[i] + b[i], 0.0f);
}

// C[m][n] = sum_k A[m][k] * B[k][n]. Global id 0: column, 1: row.
__kernel void face_gemm(__global const float* a, __global const float* b, __global float* c,
                        face_gemm_constants k) {
  const uint col = (uint)get_global_id(0);
  const uint row = (uint)get_global_id(1);
  if (col >= k.n || row >= k.m) return;
  float acc = 0.0f;
  for (uint i = 0; i < k.k; ++i) acc = fma(a[row * k.k + i], b[i * k.n + col], acc);
  c[row * k.n + col] = acc;
}

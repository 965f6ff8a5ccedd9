#version 450
#extension GL_GOOGLE_include_directive : require
#include "face_layers.glsl"

// face.cl's face_conv2d with a smaller register block: each invocation
// computes 4 output pixels x 4 channels (lavapipe runs invocations side by
// side in SIMD lanes). Global id x: pixel block, y: channel quad.
layout(set = 0, binding = 0) readonly buffer In { float x[]; };
layout(set = 0, binding = 1) readonly buffer Filter { vec4 w[]; };
layout(set = 0, binding = 2) readonly buffer Bias { vec4 b[]; };
layout(set = 0, binding = 3) readonly buffer Residual { vec4 res[]; };
layout(set = 0, binding = 4) writeonly buffer Out { vec4 y[]; };
layout(push_constant) uniform Constants {
  uint batch, in_h, in_w, in_c, in_border, out_h, out_w, out_c, out_border, res_border;
  uint ext_h, ext_w, filter_h, filter_w, stride, pad, flags, reserved;
} k;

const uint PIXELS = 4u;

void main() {
  uint extent = k.ext_h * k.ext_w;
  uint total = k.batch * extent;
  uint kq = gl_GlobalInvocationID.x;
  uint m0 = gl_GlobalInvocationID.y * PIXELS;
  uint K4 = k.out_c / 4u;
  if (m0 >= total || kq >= K4) return;
  uint C = k.in_c;
  uint in_pitch = k.in_w + 2u * k.in_border;
  uint in_rows = k.in_h + 2u * k.in_border;
  uint origin = k.in_border - k.pad;

  uint base[PIXELS];
  vec4 acc[PIXELS];
  for (uint j = 0u; j < PIXELS; ++j) {
    uint m = min(m0 + j, total - 1u);
    uint n = m / extent;
    uint pq = m - n * extent;
    uint p = pq / k.ext_w;
    uint q = pq - p * k.ext_w;
    base[j] = ((n * in_rows + p * k.stride + origin) * in_pitch + q * k.stride + origin) * C;
    acc[j] = vec4(0.0);
  }
  // As in face.cl: along a filter row, s and c are one contiguous run.
  uint row = k.filter_w * C;
  for (uint r = 0u; r < k.filter_h; ++r) {
    uint xr = r * in_pitch * C;
    uint wr = r * row * K4 + kq;
    for (uint t = 0u; t < row; ++t) {
      vec4 wv = w[wr + t * K4];
      for (uint j = 0u; j < PIXELS; ++j) acc[j] = fma(vec4(x[base[j] + xr + t]), wv, acc[j]);
    }
  }
  vec4 bias = b[kq];
  for (uint j = 0u; j < PIXELS; ++j) {
    uint m = m0 + j;
    if (m >= total) break;
    uint n = m / extent;
    uint pq = m - n * extent;
    uint p = pq / k.ext_w;
    uint q = pq - p * k.ext_w;
    vec4 v = acc[j] + bias;
    if ((k.flags & FACE_RESIDUAL) != 0u) {
      v += res[face_at(n, p, q, k.out_h, k.out_w, K4, k.res_border) + kq];
    }
    if ((k.flags & FACE_RELU) != 0u) v = max(v, vec4(0.0));
    if ((k.flags & FACE_LEAKY) != 0u) {
      vec4 t = v * 0.1;
      v = max(v - t, vec4(0.0)) + t;
    }
    y[face_at(n, p, q, k.out_h, k.out_w, K4, k.out_border) + kq] = v;
  }
}

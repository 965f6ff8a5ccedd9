// The standard kernels of docs/kernel-abi.md in HIP C++, compiled by hipcc
// to one code object (hsaco) per gfx target. Parameters: one pointer per
// binding (the plugin applies the offset), then the constants struct by
// value if the kernel has constants; dynamic shared memory is the launch's
// extern __shared__ bytes. extern "C" keeps the symbols equal to the names.
#include <hip/hip_runtime.h>

#include <stdint.h>

namespace {

// Linear global id: x.x + G.x * (x.y + G.y * x.z).
__device__ inline uint64_t linear_id() {
  uint64_t x = uint64_t{blockIdx.x} * blockDim.x + threadIdx.x;
  uint64_t y = uint64_t{blockIdx.y} * blockDim.y + threadIdx.y;
  uint64_t z = uint64_t{blockIdx.z} * blockDim.z + threadIdx.z;
  uint64_t gx = uint64_t{gridDim.x} * blockDim.x;
  uint64_t gy = uint64_t{gridDim.y} * blockDim.y;
  return x + gx * (y + gy * z);
}

struct VectorAddConstants {
  uint32_t n;
};
struct SaxpyConstants {
  float a;
  uint32_t n;
};
struct StreamConstants {
  double s;
  uint32_t n;
  uint32_t pad;
};
struct WriteIndexConstants {
  uint32_t base;
};
struct FmaF32Constants {
  uint32_t iters;
  float a;
  float b;
  uint32_t pad;
};
struct FmaF64Constants {
  double a;
  double b;
  uint32_t iters;
  uint32_t pad;
};

}  // namespace

extern "C" {

__global__ void empty() {}

__global__ void vector_add(const float* a, const float* b, float* c, VectorAddConstants k) {
  uint64_t i = linear_id();
  if (i < k.n) c[i] = a[i] + b[i];
}

__global__ void saxpy(const float* x, float* y, SaxpyConstants k) {
  uint64_t i = linear_id();
  if (i < k.n) y[i] = k.a * x[i] + y[i];
}

__global__ void stream_copy(const double* a, double* c, StreamConstants k) {
  uint64_t i = linear_id();
  if (i < k.n) c[i] = a[i];
}

__global__ void stream_scale(const double* c, double* b, StreamConstants k) {
  uint64_t i = linear_id();
  if (i < k.n) b[i] = k.s * c[i];
}

__global__ void stream_add(const double* a, const double* b, double* c, StreamConstants k) {
  uint64_t i = linear_id();
  if (i < k.n) c[i] = a[i] + b[i];
}

__global__ void stream_triad(double* a, const double* b, const double* c, StreamConstants k) {
  uint64_t i = linear_id();
  if (i < k.n) a[i] = b[i] + k.s * c[i];
}

// 1D; the workgroup size is a power of two <= 256.
__global__ void stream_dot(const double* a, const double* b, double* partial, StreamConstants k) {
  __shared__ double sums[256];
  unsigned l = threadIdx.x;
  uint64_t stride = uint64_t{gridDim.x} * blockDim.x;
  double acc = 0.0;
  for (uint64_t j = uint64_t{blockIdx.x} * blockDim.x + l; j < k.n; j += stride) acc += a[j] * b[j];
  sums[l] = acc;
  __syncthreads();
  for (unsigned s = blockDim.x / 2; s > 0; s /= 2) {
    if (l < s) sums[l] += sums[l + s];
    __syncthreads();
  }
  if (l == 0) partial[blockIdx.x] = sums[0];
}

__global__ void write_index(uint32_t* out, WriteIndexConstants k) {
  uint64_t i = linear_id();
  out[i] = static_cast<uint32_t>(i) + k.base;
}

__global__ void atomic_count(uint32_t* counter) {
  atomicAdd(&counter[0], 1u);
  atomicAdd(&counter[1], static_cast<uint32_t>(linear_id()));
}

__global__ void reverse_shared(const uint32_t* in, uint32_t* out) {
  __shared__ uint32_t tile[256];
  unsigned l = threadIdx.x;
  unsigned w = blockDim.x;
  uint64_t base = uint64_t{blockIdx.x} * w;
  tile[l] = in[base + l];
  __syncthreads();
  out[base + l] = tile[w - 1 - l];
}

__global__ void reverse_dynamic(const uint32_t* in, uint32_t* out) {
  extern __shared__ uint32_t dynamic_tile[];
  unsigned l = threadIdx.x;
  unsigned w = blockDim.x;
  uint64_t base = uint64_t{blockIdx.x} * w;
  dynamic_tile[l] = in[base + l];
  __syncthreads();
  out[base + l] = dynamic_tile[w - 1 - l];
}

__global__ void fma_f32(float* out, FmaF32Constants k) {
  uint64_t i = linear_id();
  float x0 = static_cast<float>(i % 1024) * 1e-3f;
  float x1 = x0 + 1.0f, x2 = x0 + 2.0f, x3 = x0 + 3.0f;
  float x4 = x0 + 4.0f, x5 = x0 + 5.0f, x6 = x0 + 6.0f, x7 = x0 + 7.0f;
  for (uint32_t it = 0; it < k.iters; ++it) {
    x0 = x0 * k.a + k.b;
    x1 = x1 * k.a + k.b;
    x2 = x2 * k.a + k.b;
    x3 = x3 * k.a + k.b;
    x4 = x4 * k.a + k.b;
    x5 = x5 * k.a + k.b;
    x6 = x6 * k.a + k.b;
    x7 = x7 * k.a + k.b;
  }
  out[i] = x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7;
}

__global__ void fma_f64(double* out, FmaF64Constants k) {
  uint64_t i = linear_id();
  double x0 = static_cast<double>(i % 1024) * 1e-3;
  double x1 = x0 + 1.0, x2 = x0 + 2.0, x3 = x0 + 3.0;
  double x4 = x0 + 4.0, x5 = x0 + 5.0, x6 = x0 + 6.0, x7 = x0 + 7.0;
  for (uint32_t it = 0; it < k.iters; ++it) {
    x0 = x0 * k.a + k.b;
    x1 = x1 * k.a + k.b;
    x2 = x2 * k.a + k.b;
    x3 = x3 * k.a + k.b;
    x4 = x4 * k.a + k.b;
    x5 = x5 * k.a + k.b;
    x6 = x6 * k.a + k.b;
    x7 = x7 * k.a + k.b;
  }
  out[i] = x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7;
}

}  // extern "C"

// The standard kernels (docs/kernel-abi.md) in CUDA C++. Per the kernel
// ABI: one pointer parameter per binding (offset already applied), then one
// by-value struct of the constants when the kernel has constants; the
// workgroup is the block; dynamic shared memory is `extern __shared__`,
// reached through dynamic_shared<T>(). extern "C" keeps the entry names
// unmangled (entry = kernel name). The CUDA plugin's tests also compile this
// file for the host (plugins/cuda/tests/cuda_host_shim.hpp).
#include <stdint.h>

namespace {

// Linear global id: x + G.x * (y + G.y * z), G = grid * block.
__device__ __forceinline__ uint64_t linear_id() {
  const uint64_t x = blockIdx.x * static_cast<uint64_t>(blockDim.x) + threadIdx.x;
  const uint64_t y = blockIdx.y * static_cast<uint64_t>(blockDim.y) + threadIdx.y;
  const uint64_t z = blockIdx.z * static_cast<uint64_t>(blockDim.z) + threadIdx.z;
  const uint64_t gx = static_cast<uint64_t>(gridDim.x) * blockDim.x;
  const uint64_t gy = static_cast<uint64_t>(gridDim.y) * blockDim.y;
  return x + gx * (y + gy * z);
}

struct CountConstants {
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

struct IndexConstants {
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

#ifndef AHAL_CUDA_HOST_EMULATION
// The block's dynamic shared memory as T[]. A helper because the host
// emulation has no `extern __shared__` and defines its own; outside the
// anonymous namespace so that the PTX name stays plain.
template <typename T>
__device__ __forceinline__ T* dynamic_shared() {
  extern __shared__ __align__(16) unsigned char dynamic_shared_bytes[];
  return reinterpret_cast<T*>(dynamic_shared_bytes);
}
#endif

extern "C" {

__global__ void empty() {}

__global__ void vector_add(const float* a, const float* b, float* c, CountConstants k) {
  const uint64_t i = linear_id();
  if (i < k.n) c[i] = a[i] + b[i];
}

__global__ void saxpy(const float* x, float* y, SaxpyConstants k) {
  const uint64_t i = linear_id();
  if (i < k.n) y[i] = k.a * x[i] + y[i];
}

__global__ void stream_copy(const double* a, double* c, StreamConstants k) {
  const uint64_t i = linear_id();
  if (i < k.n) c[i] = a[i];
}

__global__ void stream_scale(const double* c, double* b, StreamConstants k) {
  const uint64_t i = linear_id();
  if (i < k.n) b[i] = k.s * c[i];
}

__global__ void stream_add(const double* a, const double* b, double* c, StreamConstants k) {
  const uint64_t i = linear_id();
  if (i < k.n) c[i] = a[i] + b[i];
}

__global__ void stream_triad(double* a, const double* b, const double* c, StreamConstants k) {
  const uint64_t i = linear_id();
  if (i < k.n) a[i] = b[i] + k.s * c[i];
}

// 1D, blockDim.x a power of two <= 256.
__global__ void stream_dot(const double* a, const double* b, double* partial, StreamConstants k) {
  __shared__ double sums[256];
  const uint32_t l = threadIdx.x;
  const uint64_t stride = static_cast<uint64_t>(gridDim.x) * blockDim.x;
  double sum = 0.0;
  for (uint64_t i = linear_id(); i < k.n; i += stride) sum += a[i] * b[i];
  sums[l] = sum;
  __syncthreads();
  for (uint32_t half = blockDim.x / 2; half > 0; half /= 2) {
    if (l < half) sums[l] += sums[l + half];
    __syncthreads();
  }
  if (l == 0) partial[blockIdx.x] = sums[0];
}

__global__ void write_index(uint32_t* out, IndexConstants k) {
  const uint64_t i = linear_id();
  out[i] = static_cast<uint32_t>(i) + k.base;
}

__global__ void atomic_count(uint32_t* counter) {
  atomicAdd(&counter[0], 1u);
  atomicAdd(&counter[1], static_cast<uint32_t>(linear_id()));
}

// 1D, blockDim.x <= 256.
__global__ void reverse_shared(const uint32_t* in, uint32_t* out) {
  __shared__ uint32_t tile[256];
  const uint32_t l = threadIdx.x;
  const uint32_t w = blockDim.x;
  const uint64_t base = static_cast<uint64_t>(blockIdx.x) * w;
  tile[l] = in[base + l];
  __syncthreads();
  out[base + l] = tile[w - 1 - l];
}

// As reverse_shared, with a dynamic tile of blockDim.x * 4 bytes.
__global__ void reverse_dynamic(const uint32_t* in, uint32_t* out) {
  uint32_t* const dynamic_tile = dynamic_shared<uint32_t>();
  const uint32_t l = threadIdx.x;
  const uint32_t w = blockDim.x;
  const uint64_t base = static_cast<uint64_t>(blockIdx.x) * w;
  dynamic_tile[l] = in[base + l];
  __syncthreads();
  out[base + l] = dynamic_tile[w - 1 - l];
}

__global__ void fma_f32(float* out, FmaF32Constants k) {
  const uint64_t i = linear_id();
  const float start = static_cast<float>(i % 1024) * 1e-3f;
  float x[8];
#pragma unroll
  for (int j = 0; j < 8; ++j) x[j] = start + static_cast<float>(j);
  for (uint32_t it = 0; it < k.iters; ++it) {
#pragma unroll
    for (int j = 0; j < 8; ++j) x[j] = x[j] * k.a + k.b;
  }
  float sum = 0.0f;
#pragma unroll
  for (int j = 0; j < 8; ++j) sum += x[j];
  out[i] = sum;
}

__global__ void fma_f64(double* out, FmaF64Constants k) {
  const uint64_t i = linear_id();
  const double start = static_cast<double>(i % 1024) * 1e-3;
  double x[8];
#pragma unroll
  for (int j = 0; j < 8; ++j) x[j] = start + static_cast<double>(j);
  for (uint32_t it = 0; it < k.iters; ++it) {
#pragma unroll
    for (int j = 0; j < 8; ++j) x[j] = x[j] * k.a + k.b;
  }
  double sum = 0.0;
#pragma unroll
  for (int j = 0; j < 8; ++j) sum += x[j];
  out[i] = sum;
}

}  // extern "C"

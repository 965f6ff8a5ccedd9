// TEST ONLY: what CUDA device code needs to compile as host C++, so that the
// fake driver runs the kernels' real source (cuda_host_kernels.cpp includes
// kernels/cuda/ahal_kernels.cu after this). The built-ins are served by
// cuda_host_runtime.cpp; see cuda_host_runtime.hpp for the model.
#pragma once

#include "cuda_host_runtime.hpp"

#include <cstdint>
#include <cstring>
#include <type_traits>

// Device code checks this where CUDA C++ has no host equivalent.
#define AHAL_CUDA_HOST_EMULATION 1

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline __attribute__((always_inline))
#define __align__(n) __attribute__((aligned(n)))
// One copy per OS thread: the fibers of the block running there share it.
#define __shared__ static thread_local

#define AHAL_CUDA_HOST_HIDDEN __attribute__((visibility("hidden")))
// __thread, not thread_local: no initialization wrapper at each access;
// local-dynamic: one TLS lookup per function for all four.
#define AHAL_CUDA_HOST_BUILTIN \
  extern __thread AHAL_CUDA_HOST_HIDDEN __attribute__((tls_model("local-dynamic")))

// Set by the scheduler before each fiber runs.
AHAL_CUDA_HOST_BUILTIN ahal_cuda_host::uint3 threadIdx;
AHAL_CUDA_HOST_BUILTIN ahal_cuda_host::uint3 blockIdx;
AHAL_CUDA_HOST_BUILTIN ahal_cuda_host::uint3 blockDim;
AHAL_CUDA_HOST_BUILTIN ahal_cuda_host::uint3 gridDim;

// A barrier across the block's threads: yields to the scheduler.
AHAL_CUDA_HOST_HIDDEN void __syncthreads();

namespace ahal_cuda_host {
AHAL_CUDA_HOST_HIDDEN void* dynamic_shared_memory();
}  // namespace ahal_cuda_host

// `extern __shared__ T name[]` of device code (kernels/cuda/ahal_kernels.cu).
template <typename T>
inline T* dynamic_shared() {
  return static_cast<T*>(ahal_cuda_host::dynamic_shared_memory());
}

namespace ahal_cuda_host {
template <typename T>
struct Same {  // keeps `value` out of deduction: atomicAdd(int*, 1u) converts
  using type = T;
};
}  // namespace ahal_cuda_host

// Atomics: relaxed, as CUDA's; other streams run on other OS threads.
template <typename T>
inline T atomicAdd(T* address, typename ahal_cuda_host::Same<T>::type value) {
  static_assert(sizeof(T) == 4 || sizeof(T) == 8, "CUDA atomics are 32 or 64 bits");
  if constexpr (std::is_integral_v<T>) {
    return __atomic_fetch_add(address, value, __ATOMIC_RELAXED);
  } else {  // float, double: compare-and-swap on the bits
    using Bits = std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>;
    Bits* word = reinterpret_cast<Bits*>(address);
    Bits old = __atomic_load_n(word, __ATOMIC_RELAXED), next;
    T before;
    do {
      std::memcpy(&before, &old, sizeof(T));
      const T sum = before + value;
      std::memcpy(&next, &sum, sizeof(T));
    } while (
        !__atomic_compare_exchange_n(word, &old, next, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED));
    return before;
  }
}

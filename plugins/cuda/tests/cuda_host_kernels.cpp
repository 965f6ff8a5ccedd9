// TEST ONLY: the standard kernels' CUDA source (kernels/cuda/ahal_kernels.cu)
// compiled for the host, for the fake driver. Each kernel of
// kernels/kernels.manifest is registered by name (cuda_host_kernels.inc is
// generated from it) with a trampoline that takes its parameter types from
// the function: the host build and the PTX share one source, so they agree
// on the parameters, and the fake checks the sizes against the PTX.
#include "cuda_host_shim.hpp"

#include <cstring>
#include <tuple>
#include <type_traits>
#include <utility>

// Hidden: names such as `empty` or `saxpy` must not leak from libcuda.so.1.
#pragma GCC visibility push(hidden)
#include "ahal_kernels.cu"
#pragma GCC visibility pop

namespace ahal_cuda_host {
namespace {

template <typename Fn, Fn fn>
struct Trampoline;

template <typename... Args, void (*fn)(Args...)>
struct Trampoline<void (*)(Args...), fn> {
  using Tuple = std::tuple<std::decay_t<Args>...>;
  static_assert((std::is_trivially_copyable_v<std::decay_t<Args>> && ...),
                "kernel parameters are copied as bytes");

  static void body(void* args) { std::apply(fn, *static_cast<Tuple*>(args)); }

  template <size_t... I>
  static RunStats unpack_and_run(const Grid& grid, const unsigned char* params,
                                 const size_t* offsets, std::index_sequence<I...>) {
    Tuple args;
    (std::memcpy(&std::get<I>(args), params + offsets[I], sizeof(std::get<I>(args))), ...);
    return run_grid(grid, body, &args);
  }

  static RunStats launch(const Grid& grid, const unsigned char* params, const size_t* offsets) {
    return unpack_and_run(grid, params, offsets, std::index_sequence_for<Args...>{});
  }

  static Kernel describe(const char* name) {
    return Kernel{
        name, {sizeof(std::decay_t<Args>)...}, {std::is_pointer_v<std::decay_t<Args>>...}, launch};
  }
};

#define AHAL_HOST_KERNEL(name) Trampoline<decltype(&::name), &::name>::describe(#name),

const std::vector<Kernel>& kernels() {
  static const std::vector<Kernel> list = {
#include "cuda_host_kernels.inc"
  };
  return list;
}

#undef AHAL_HOST_KERNEL

}  // namespace

const Kernel* find_kernel(const std::string& name) {
  for (const Kernel& k : kernels())
    if (name == k.name) return &k;
  return nullptr;
}

}  // namespace ahal_cuda_host

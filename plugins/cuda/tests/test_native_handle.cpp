// Native handles of the CUDA plugin (docs/interop.md) on the test-only fake
// driver (fake_libcuda.cpp, a test helper, not a GPU): the checks of
// tests/support/native_pointer_checks.hpp, with memory the test allocates
// through the fake's own cuMemAlloc in the device's primary context.
#define CATCH_CONFIG_MAIN
#include <ahal/ahal.h>
#include <cuda.h>
#include <cudaTypedefs.h>

#include <catch2/catch.hpp>

#include "native_pointer_checks.hpp"
#include "runtime_test_support.hpp"

namespace {

// A driver entry of the fake, opened by the path the plugin opens (one
// instance for both), found as the plugin finds it.
template <typename F>
F driver(const char* name, int version) {
  auto get = ahal_test::double_symbol<PFN_cuGetProcAddress_v12000>(AHAL_FAKE_CUDA_DRIVER,
                                                                   "cuGetProcAddress_v2");
  void* f = nullptr;
  CUdriverProcAddressQueryResult found{};
  REQUIRE(get(name, &f, version, CU_GET_PROC_ADDRESS_DEFAULT, &found) == CUDA_SUCCESS);
  REQUIRE(f);
  return reinterpret_cast<F>(f);
}

bool make_current(const ahal_native_buffer_t& probe) {
  return driver<PFN_cuCtxSetCurrent_v4000>(
             "cuCtxSetCurrent", 4000)(reinterpret_cast<CUcontext>(probe.context)) == CUDA_SUCCESS;
}

uint64_t allocate(const ahal_native_buffer_t& probe, uint64_t bytes) {
  CUdeviceptr p = 0;
  if (!make_current(probe) ||
      driver<PFN_cuMemAlloc_v3020>("cuMemAlloc", 3020)(&p, bytes) != CUDA_SUCCESS)
    return 0;
  return p;
}

bool release(const ahal_native_buffer_t& probe, uint64_t handle) {
  return make_current(probe) &&
         driver<PFN_cuMemFree_v3020>("cuMemFree", 3020)(handle) == CUDA_SUCCESS;
}

}  // namespace

TEST_CASE("cuda:0 buffers are CUdeviceptrs of its primary context, and cuMemAlloc'd memory imports",
          "[native-fake]") {
  ahal_test::ScopedEnv driver_path("AHAL_CUDA_DRIVER_PATH", AHAL_FAKE_CUDA_DRIVER);
  ahal_test::DeviceUnderTest f(AHAL_CUDA_PLUGIN_DIR, "cuda", "cuda:0",
                               AHAL_RUNTIME_IGNORE_ENVIRONMENT | AHAL_RUNTIME_NO_DEFAULT_PATHS);
  ahal_test::check_native_pointers(
      f.device, 0, {AHAL_NATIVE_HANDLE_CUDA_DEVICE_POINTER, true, allocate, release});
}

// Native handles of the HIP plugin (docs/interop.md) on the test double of
// the runtime (fake_hip_runtime.cpp, a test helper, not a GPU): the checks
// of tests/support/native_pointer_checks.hpp, with memory the test
// allocates through the double's own hipMalloc.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include <ahal/ahal.h>
#include <hip/hip_runtime_api.h>

#include "hip_vendor_library.hpp"
#include "native_pointer_checks.hpp"
#include "runtime_test_support.hpp"

namespace {

template <typename F>
F fake(const char* name) {
  return ahal_test::double_symbol<F>(AHAL_FAKE_HIP_RUNTIME, name);
}

uint64_t allocate(const ahal_native_buffer_t& probe, uint64_t bytes) {
  void* p = nullptr;
  if (fake<decltype(&hipSetDevice)>("hipSetDevice")(int(probe.device_ordinal)) != hipSuccess ||
      fake<hipError_t (*)(void**, size_t)>("hipMalloc")(&p, bytes) != hipSuccess)
    return 0;
  return reinterpret_cast<uintptr_t>(p);
}

bool release(const ahal_native_buffer_t&, uint64_t handle) {
  return fake<decltype(&hipFree)>("hipFree")(reinterpret_cast<void*>(handle)) == hipSuccess;
}

}  // namespace

TEST_CASE("hip:0 buffers are HIP device pointers, and hipMalloc'd memory imports") {
  ahal_test::DeviceWithLibrary f(AHAL_TEST_PLUGIN_DIR, ahal_test::kHipRuntime,
                                 AHAL_FAKE_HIP_RUNTIME, "hip:0");
  ahal_test::check_native_pointers(
      f.device, 0, {AHAL_NATIVE_HANDLE_HIP_DEVICE_POINTER, false, allocate, release});
}

// Native handles of the Level Zero plugin (docs/interop.md) on the test
// double of the loader (fake_level_zero.cpp, a test helper, not a GPU): the
// checks of tests/support/native_pointer_checks.hpp, with device USM the
// test allocates through the double's own zeMemAllocDevice.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include <ahal/ahal.h>
#include <level_zero/ze_api.h>

#include "native_pointer_checks.hpp"
#include "runtime_test_support.hpp"
#include "ze_vendor_library.hpp"

#include <vector>

namespace {

template <typename F>
F fake(const char* name) {
  return ahal_test::double_symbol<F>(AHAL_FAKE_ZE_LOADER, name);
}

// The double's device `ordinal` (one driver).
ze_device_handle_t device_of(uint32_t ordinal) {
  uint32_t count = 1;
  ze_driver_handle_t driver = nullptr;
  REQUIRE(fake<decltype(&zeDriverGet)>("zeDriverGet")(&count, &driver) == ZE_RESULT_SUCCESS);
  count = 0;
  auto device_get = fake<decltype(&zeDeviceGet)>("zeDeviceGet");
  REQUIRE(device_get(driver, &count, nullptr) == ZE_RESULT_SUCCESS);
  std::vector<ze_device_handle_t> devices(count);
  REQUIRE(device_get(driver, &count, devices.data()) == ZE_RESULT_SUCCESS);
  REQUIRE(ordinal < count);
  return devices[ordinal];
}

uint64_t allocate(const ahal_native_buffer_t& probe, uint64_t bytes) {
  ze_device_mem_alloc_desc_t desc{};
  desc.stype = ZE_STRUCTURE_TYPE_DEVICE_MEM_ALLOC_DESC;
  void* p = nullptr;
  auto* context = reinterpret_cast<ze_context_handle_t>(probe.context);
  if (fake<decltype(&zeMemAllocDevice)>("zeMemAllocDevice")(
          context, &desc, bytes, 64, device_of(probe.device_ordinal), &p) != ZE_RESULT_SUCCESS)
    return 0;
  return reinterpret_cast<uintptr_t>(p);
}

bool release(const ahal_native_buffer_t& probe, uint64_t handle) {
  return fake<decltype(&zeMemFree)>("zeMemFree")(
             reinterpret_cast<ze_context_handle_t>(probe.context),
             reinterpret_cast<void*>(handle)) == ZE_RESULT_SUCCESS;
}

}  // namespace

TEST_CASE("level_zero:0 buffers are USM pointers of its context, and device USM imports") {
  ahal_test::DeviceWithLibrary f(AHAL_TEST_PLUGIN_DIR, ahal_test::kZeLoader, AHAL_FAKE_ZE_LOADER,
                                 "level_zero:0");
  ahal_test::check_native_pointers(
      f.device, 0, {AHAL_NATIVE_HANDLE_LEVEL_ZERO_POINTER, true, allocate, release});
}

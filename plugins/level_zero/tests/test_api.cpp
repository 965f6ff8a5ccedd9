// The Level Zero plugin through libahal as applications see it: listed as
// loaded with no devices and the reason when there is no driver, refused
// with the missing entry points named when the loader library is broken.
// On the test double of the loader: properties, sub-devices, build logs,
// kernel attributes and argument checks.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include <ahal/ahal.h>

#include "runtime_test_support.hpp"
#include "ze_vendor_library.hpp"
#include "vendor_library_tests.hpp"

#include <cstring>
#include <string>

using ahal_test::kZeLoader;

AHAL_VENDOR_LIBRARY_API_TESTS(ahal_test::kZeLoader, AHAL_TEST_PLUGIN_DIR, "level_zero:0",
                              AHAL_BROKEN_ZE_LOADER)

// On the test double of the loader: properties, sub-devices, build logs,
// kernel attributes and argument checks.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include <ahal/ahal.h>

#include "runtime_test_support.hpp"
#include "ze_vendor_library.hpp"
#include "vendor_library_tests.hpp"

#include <cstring>
#include <string>

using ahal_test::kZeLoader;

TEST_CASE("without a Level Zero loader the plugin is listed with no devices and the reason") {
  ahal_test::check_listed_without_library(AHAL_TEST_PLUGIN_DIR, kZeLoader, "level_zero:0");
}

TEST_CASE("with a broken Level Zero loader the plugin is refused and names what is missing") {
  std::string reason = ahal_test::refused_with_broken_library(AHAL_TEST_PLUGIN_DIR, kZeLoader,
                                                              AHAL_BROKEN_ZE_LOADER);
  REQUIRE(reason.find("zeCommandListAppendLaunchKernel") != std::string::npos);
}

TEST_CASE("with the system's loader the plugin loads; without a GPU driver it says why") {
  ahal_test::check_listed_with_system_library(AHAL_TEST_PLUGIN_DIR, kZeLoader);
}

// ---------------------------------------------------------------------------
// On the test double of the loader (fake_level_zero.cpp: one GPU, 2 tiles).

namespace {

struct FakeDevice : ahal_test::DeviceWithLibrary {
  FakeDevice()
      : DeviceWithLibrary(AHAL_TEST_PLUGIN_DIR, kZeLoader, AHAL_FAKE_ZE_LOADER, "level_zero:0") {}
};

// A runtime that loads only the Level Zero plugin from the build tree.
struct Runtime : ahal_test::PluginRuntime {
  Runtime() : PluginRuntime(AHAL_TEST_PLUGIN_DIR, "level_zero") {}
};

}  // namespace

TEST_CASE("level_zero:0's properties come from the device, compute and module properties") {
  FakeDevice f;
  const ahal_device_properties_t p = ahal_test::properties(f.device);
  CHECK(std::string(p.name) == "Fake Level Zero GPU");
  CHECK(std::string(p.vendor) == "Intel");
  CHECK(std::string(p.arch) == "0x0bd5");
  CHECK(std::string(p.driver_version) == "Level Zero 1.3, driver 1.2.345");
  CHECK(p.type == AHAL_DEVICE_TYPE_GPU);
  CHECK(p.compute_units == 32);  // 1 slice x 4 sub-slices x 8 EUs
  CHECK(p.global_memory_bytes == (uint64_t{4} << 30));
  CHECK(p.max_allocation_bytes == (uint64_t{1} << 30));
  CHECK(p.max_workgroup_size == 1024);
  CHECK(p.max_workgroup_dims[2] == 64);
  CHECK(p.max_grid_dims[0] == 65535);
  CHECK(p.shared_memory_per_workgroup == 65536);
  CHECK(p.subgroup_size_min == 8);
  CHECK(p.subgroup_size_max == 32);
  CHECK(p.clock_mhz == 1600);
  CHECK(p.max_constants_size == (2048 - 8 * 33));
  CHECK(p.timestamp_resolution_ps == 1000);
  CHECK(p.module_formats ==
        ((1ull << AHAL_MODULE_FORMAT_SPIRV_OPENCL) | (1ull << AHAL_MODULE_FORMAT_ZE_NATIVE)));
  CHECK((p.features & AHAL_FEATURE_FP64) != 0);
  CHECK((p.features & AHAL_FEATURE_INT64_ATOMICS) != 0);
  CHECK(p.has_uuid == 1);
  CHECK(p.uuid[15] == 15);
}

TEST_CASE("AHAL_ZE_SUBDEVICES=1 makes each tile its own device") {
  ahal_test::ScopedEnv env("AHAL_ZE_LOADER_PATH", AHAL_FAKE_ZE_LOADER);
  {
    Runtime runtime;
    CHECK(runtime.info().device_count == 1);
  }
  ahal_test::ScopedEnv tiles("AHAL_ZE_SUBDEVICES", "1");
  Runtime runtime;
  REQUIRE(runtime.info().device_count == 2);
  for (int i = 0; i < 2; ++i) {
    ahal_device_t d = nullptr;
    std::string selector = "level_zero:" + std::to_string(i);
    REQUIRE(ahal_device_find(runtime.rt, selector.c_str(), &d) == AHAL_SUCCESS);
    const ahal_device_properties_t p = ahal_test::properties(d);
    CHECK(std::string(p.name) == "Fake Level Zero GPU tile " + std::to_string(i));
    CHECK(p.compute_units == 16);
  }
}

TEST_CASE("a module that does not build gives BUILD_FAILED with the build log") {
  FakeDevice f;
  const uint32_t header_only[] = {0x07230203, 0x00010000, 0, 1, 0};
  ahal_module_t module = nullptr;
  REQUIRE(ahal_test::image_module(f.device, AHAL_MODULE_FORMAT_SPIRV_OPENCL, header_only,
                                  sizeof(header_only), &module) == AHAL_ERROR_BUILD_FAILED);
  std::string message = ahal_last_error_message();
  INFO(message);
  CHECK(message.find("ZE_RESULT_ERROR_MODULE_BUILD_FAILURE") != std::string::npos);
  CHECK(message.find("no kernel entry points") != std::string::npos);  // the driver's log

  const char native[] = "not a native binary";
  REQUIRE(ahal_test::image_module(f.device, AHAL_MODULE_FORMAT_ZE_NATIVE, native, sizeof(native),
                                  &module) == AHAL_ERROR_BUILD_FAILED);
  CHECK(std::string(ahal_last_error_message()).find("takes no native binaries") !=
        std::string::npos);
  // Not SPIR-V at all.
  REQUIRE(ahal_test::image_module(f.device, AHAL_MODULE_FORMAT_SPIRV_OPENCL, native, sizeof(native),
                                  &module) == AHAL_ERROR_INVALID_ARGUMENT);
}

TEST_CASE("kernels report their attributes; unknown kernels are NOT_FOUND") {
  FakeDevice f;
  ahal_module_t module = ahal_test::bundle_module(f.device, AHAL_TEST_BUNDLE_FILE);
  ahal_kernel_t k = nullptr;
  REQUIRE(ahal_kernel_get(module, "reverse_shared", &k) == AHAL_SUCCESS);
  ahal_kernel_attributes_t a{};
  a.struct_size = sizeof(a);
  REQUIRE(ahal_kernel_get_attributes(k, &a) == AHAL_SUCCESS);
  CHECK(a.static_shared_bytes == 1024);
  CHECK(a.preferred_workgroup_multiple == 32);
  CHECK(a.max_workgroup_size == 1024);
  REQUIRE(ahal_kernel_get(module, "no_such_kernel", &k) == AHAL_ERROR_NOT_FOUND);
}

TEST_CASE("a launch whose arguments do not fit the kernel is refused with the counts") {
  FakeDevice f;
  // The raw SPIR-V without metadata, so only the plugin can tell.
  ahal_module_args_t args{};
  args.struct_size = sizeof(args);
  args.format = AHAL_MODULE_FORMAT_SPIRV_OPENCL;
  args.path = AHAL_TEST_SPIRV_FILE;
  ahal_module_t module = nullptr;
  INFO(ahal_last_error_message());
  REQUIRE(ahal_module_create(f.device, &args, &module) == AHAL_SUCCESS);
  ahal_kernel_t k = nullptr;
  REQUIRE(ahal_kernel_get(module, "vector_add", &k) == AHAL_SUCCESS);
  ahal_buffer_args_t bargs{sizeof(bargs), 4096, AHAL_MEMORY_DEVICE_LOCAL};
  ahal_buffer_t b = nullptr;
  REQUIRE(ahal_buffer_create(f.device, &bargs, &b) == AHAL_SUCCESS);
  ahal_stream_t s = nullptr;
  REQUIRE(ahal_stream_create(f.device, nullptr, &s) == AHAL_SUCCESS);
  ahal_binding_t bindings[3] = {{b, 0, 0}, {b, 1024, 0}, {b, 2048, 0}};
  uint32_t n = 16;
  ahal_launch_args_t launch{};
  launch.struct_size = sizeof(launch);
  launch.grid[0] = launch.grid[1] = launch.grid[2] = 1;
  launch.workgroup_size[0] = 16;
  launch.workgroup_size[1] = launch.workgroup_size[2] = 1;
  launch.binding_count = 1;
  launch.bindings = bindings;
  launch.constants = &n;
  launch.constants_size = 4;
  REQUIRE(ahal_stream_launch(s, k, &launch) == AHAL_ERROR_INVALID_ARGUMENT);
  std::string message = ahal_last_error_message();
  INFO(message);
  CHECK(message.find("the kernel takes 4 arguments; the launch gives 2") != std::string::npos);
  launch.binding_count = 3;  // the right arguments
  REQUIRE(ahal_stream_launch(s, k, &launch) == AHAL_SUCCESS);
  REQUIRE(ahal_stream_synchronize(s) == AHAL_SUCCESS);
}

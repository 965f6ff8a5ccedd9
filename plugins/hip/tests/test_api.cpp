// The HIP plugin through libahal as applications see it: listed as loaded
// with no devices and the reason when there is no usable AMD GPU, refused
// with the missing entry points named when the runtime library is broken,
// and the process (and other plugins) unaffected either way. On the test
// double of the runtime: properties, image choice, limits, memory, and
// command buffers as HIP graphs with their updates.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include <ahal/ahal.h>

#include "fake_hip_calls.hpp"
#include "hip_vendor_library.hpp"
#include "vendor_library_tests.hpp"
#include "runtime_test_support.hpp"

#include <cstring>
#include <string>

using ahal_test::kHipRuntime;

AHAL_VENDOR_LIBRARY_API_TESTS(ahal_test::kHipRuntime, AHAL_TEST_PLUGIN_DIR, "hip:0",
                              AHAL_BROKEN_HIP_RUNTIME)

// On the test double of the runtime (fake_hip_runtime.cpp: one gfx90a).

namespace {

struct FakeDevice : ahal_test::DeviceWithLibrary {
  FakeDevice()
      : DeviceWithLibrary(AHAL_TEST_PLUGIN_DIR, kHipRuntime, AHAL_FAKE_HIP_RUNTIME, "hip:0") {}

  ahal_device_properties_t properties() const {
    const ahal_device_properties_t p = ahal_test::properties(device);
    return p;
  }
};

}  // namespace

TEST_CASE("hip:0's properties come from hipGetDeviceProperties") {
  FakeDevice f;
  ahal_device_properties_t p = f.properties();
  CHECK(std::string(p.name) == "Fake AMD Instinct");
  CHECK(std::string(p.vendor) == "AMD");
  CHECK(std::string(p.arch) == "gfx90a");  // gfx90a:sramecc+:xnack- without features
  CHECK(std::string(p.driver_version) == "HIP 6.0.32830, driver 6.0.32830");
  CHECK(std::string(p.selector) == "hip:0");
  CHECK(p.type == AHAL_DEVICE_TYPE_GPU);
  CHECK(p.compute_units == 104);
  CHECK(p.global_memory_bytes == (uint64_t{4} << 30));
  CHECK(p.max_workgroup_size == 1024);
  // HSA counts a grid in work-items, in 32 bits: with the largest workgroup
  // (1024) a grid of at most 2^32 - 1 items, below hipDeviceProp's 2^31 - 1.
  CHECK(p.max_grid_dims[0] == 4294967295u / 1024);
  CHECK(p.max_grid_dims[1] == 65536);
  CHECK(p.subgroup_size_min == 64);
  CHECK(p.subgroup_size_max == 64);
  CHECK(p.clock_mhz == 1700);
  CHECK(p.shared_memory_per_workgroup == 65536);
  CHECK(p.binding_offset_alignment == 256);
  CHECK(p.module_formats ==
        ((1ull << AHAL_MODULE_FORMAT_HSACO) | (1ull << AHAL_MODULE_FORMAT_HIP_FATBIN)));
  CHECK((p.features & AHAL_FEATURE_FP64) != 0);
  CHECK((p.features & AHAL_FEATURE_HOST_CALLBACKS) != 0);
  CHECK((p.features & AHAL_FEATURE_UNIFIED_MEMORY) == 0);
  CHECK(p.has_uuid == 1);
  CHECK(std::string(reinterpret_cast<const char*>(p.uuid), 16) == "fakegpu012345678");
  // 1.6 GHz memory clock, double data rate, 4096-bit bus.
  CHECK(p.peak_memory_bandwidth_gbps == Approx(2 * 1.6e9 * 512 / 1e9));
}

TEST_CASE("device memory usage follows allocations") {
  FakeDevice f;
  uint64_t used0 = 0, total = 0, used1 = 0;
  REQUIRE(ahal_device_memory_usage(f.device, &used0, &total) == AHAL_SUCCESS);
  CHECK(total == (uint64_t{4} << 30));
  ahal_buffer_args_t args{sizeof(args), 1 << 20, AHAL_MEMORY_DEVICE_LOCAL};
  ahal_buffer_t buffer = nullptr;
  REQUIRE(ahal_buffer_create(f.device, &args, &buffer) == AHAL_SUCCESS);
  REQUIRE(ahal_device_memory_usage(f.device, &used1, &total) == AHAL_SUCCESS);
  CHECK(used1 - used0 == (1u << 20));
  REQUIRE(ahal_buffer_destroy(buffer) == AHAL_SUCCESS);
}

TEST_CASE("stream priorities are clamped to the device's range") {
  FakeDevice f;
  for (int32_t priority : {-100, -1, 0, 1, 100}) {
    ahal_stream_args_t args{sizeof(args), 0, priority};
    ahal_stream_t s = nullptr;
    INFO("priority " << priority << ": " << ahal_last_error_message());
    REQUIRE(ahal_stream_create(f.device, &args, &s) == AHAL_SUCCESS);
    REQUIRE(ahal_stream_destroy(s) == AHAL_SUCCESS);
  }
}

TEST_CASE("pinned host memory comes from hipHostMalloc") {
  FakeDevice f;
  ahal_host_alloc_t alloc = nullptr;
  REQUIRE(ahal_host_alloc(f.device, 4096, 0, &alloc) == AHAL_SUCCESS);
  void* p = nullptr;
  REQUIRE(ahal_host_alloc_pointer(alloc, &p) == AHAL_SUCCESS);
  std::memset(p, 1, 4096);
  REQUIRE(ahal_host_free(alloc) == AHAL_SUCCESS);
}

#ifdef AHAL_TEST_HAVE_HSACO
TEST_CASE("the bundle's gfx90a code object is chosen and its kernels described") {
  FakeDevice f;
  ahal_module_t module = ahal_test::bundle_module(f.device, AHAL_TEST_BUNDLE_FILE);
  ahal_test::check_module_format(module, AHAL_MODULE_FORMAT_HSACO);

  ahal_test::check_reverse_shared_attributes(module, 1024, 64);
  ahal_test::check_unknown_kernel_refused(module);
}

TEST_CASE("a launch past 2^32 work-items in a dimension is refused before HIP sees it") {
  FakeDevice f;
  ahal_module_t module = ahal_test::bundle_module(f.device, AHAL_TEST_BUNDLE_FILE);
  ahal_kernel_t k = nullptr;
  REQUIRE(ahal_kernel_get(module, "empty", &k) == AHAL_SUCCESS);
  ahal_stream_t s = nullptr;
  REQUIRE(ahal_stream_create(f.device, nullptr, &s) == AHAL_SUCCESS);
  ahal_launch_args_t args{};
  args.struct_size = sizeof(args);
  args.grid[0] = 1u << 23;
  args.grid[1] = args.grid[2] = 1;
  args.workgroup_size[0] = 1024;
  args.workgroup_size[1] = args.workgroup_size[2] = 1;
  // The plugin's max_grid_dims already keep a grid within 2^32 work-items,
  // so the loader refuses it, naming that limit.
  REQUIRE(ahal_stream_launch(s, k, &args) == AHAL_ERROR_OUT_OF_RANGE);
  CHECK(std::string(ahal_last_error_message()).find("max_grid_dims") != std::string::npos);
  args.grid[0] = 1u << 21;  // 2^31 work-items: fine
  REQUIRE(ahal_stream_launch(s, k, &args) == AHAL_SUCCESS);
  REQUIRE(ahal_stream_synchronize(s) == AHAL_SUCCESS);
}

TEST_CASE("a command buffer is one HIP graph launch, and an update rebuilds the graph") {
  FakeDevice f;
  ahal_module_t module = ahal_test::bundle_module(f.device, AHAL_TEST_BUNDLE_FILE);
  ahal_kernel_t k = nullptr;
  REQUIRE(ahal_kernel_get(module, "write_index", &k) == AHAL_SUCCESS);
  constexpr uint32_t kN = 256;
  ahal_buffer_args_t buffer_args{sizeof(buffer_args), kN * 4, 0};
  ahal_buffer_t buffer = nullptr;
  REQUIRE(ahal_buffer_create(f.device, &buffer_args, &buffer) == AHAL_SUCCESS);
  ahal_stream_t s = nullptr;
  REQUIRE(ahal_stream_create(f.device, nullptr, &s) == AHAL_SUCCESS);
  const ahal_binding_t binding{buffer, 0, 0};
  uint32_t base = 1;
  ahal_launch_args_t args{};
  args.struct_size = sizeof(args);
  args.grid[0] = kN / 64;
  args.grid[1] = args.grid[2] = 1;
  args.workgroup_size[0] = 64;
  args.workgroup_size[1] = args.workgroup_size[2] = 1;
  args.binding_count = 1;
  args.bindings = &binding;
  args.constants = &base;
  args.constants_size = 4;
  ahal_command_buffer_t cb = nullptr;
  REQUIRE(ahal_command_buffer_create(f.device, 0, &cb) == AHAL_SUCCESS);
  uint32_t index = 0;
  REQUIRE(ahal_command_buffer_launch(cb, k, &args, &index) == AHAL_SUCCESS);
  const long instantiations = ahal_test::fake_hip_calls("hipGraphInstantiate");
  INFO(ahal_last_error_message());
  REQUIRE(ahal_command_buffer_finalize(cb) == AHAL_SUCCESS);
  CHECK(ahal_test::fake_hip_calls("hipGraphInstantiate") == instantiations + 1);
  auto run = [&] {
    const long graph_launches = ahal_test::fake_hip_calls("hipGraphLaunch");
    const long launches = ahal_test::fake_hip_calls("hipModuleLaunchKernel");
    REQUIRE(ahal_stream_submit(s, cb) == AHAL_SUCCESS);
    CHECK(ahal_test::fake_hip_calls("hipGraphLaunch") == graph_launches + 1);
    CHECK(ahal_test::fake_hip_calls("hipModuleLaunchKernel") == launches);
    uint32_t value = 0;
    REQUIRE(ahal_stream_copy_d2h(s, buffer, 7 * 4, &value, 4) == AHAL_SUCCESS);
    REQUIRE(ahal_stream_synchronize(s) == AHAL_SUCCESS);
    return value;
  };
  CHECK(run() == 8);
  // No update entry in the plugin: the loader captures the graph again.
  uint32_t next = 1000;
  ahal_launch_update_t update{sizeof(update), 0, nullptr, &next, 4};
  REQUIRE(ahal_command_buffer_update_launch(cb, index, &update) == AHAL_SUCCESS);
  CHECK(ahal_test::fake_hip_calls("hipGraphInstantiate") == instantiations + 2);
  next = 0;  // copied by the update
  CHECK(run() == 1007);
  CHECK(run() == 1007);
  REQUIRE(ahal_command_buffer_destroy(cb) == AHAL_SUCCESS);
  REQUIRE(ahal_stream_destroy(s) == AHAL_SUCCESS);
  REQUIRE(ahal_buffer_destroy(buffer) == AHAL_SUCCESS);
}
#endif

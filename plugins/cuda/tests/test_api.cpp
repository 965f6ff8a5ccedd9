// The CUDA plugin through the real loader (libahal), as applications see
// it. One tag per process (a loaded libcuda.so.1 stays loaded):
//   [api-nodriver] no libcuda.so.1: loaded, zero devices, the reason
//   [api-broken]   AHAL_CUDA_DRIVER_PATH names a broken libcuda.so.1: refused
//   [api-fake]     the test-only fake driver: the standard bundle's PTX runs
#include <ahal/ahal.h>

#include <catch2/catch.hpp>

#include "runtime_test_support.hpp"

#include <dlfcn.h>

#include <cstdlib>
#include <string>
#include <vector>

namespace {

// A runtime with only the CUDA plugin of this build.
struct Runtime : ahal_test::PluginRuntime {
  Runtime() : PluginRuntime(AHAL_CUDA_PLUGIN_DIR, "cuda") {}
  ahal_plugin_info_t cuda_plugin() const { return info(); }
};

}  // namespace

TEST_CASE("no driver: the plugin is loaded with no devices and says why", "[api-nodriver]") {
  unsetenv("AHAL_CUDA_DRIVER_PATH");
  if (ahal_test::system_has_library("libcuda.so.1")) return;
  Runtime runtime;
  const ahal_plugin_info_t info = runtime.cuda_plugin();
  CHECK(info.state == AHAL_PLUGIN_STATE_LOADED);
  CHECK(info.device_count == 0);
  INFO(info.reason);
  CHECK(std::string(info.reason).rfind("CUDA driver not found (libcuda.so.1: ", 0) == 0);
  ahal_device_t device = nullptr;
  CHECK(ahal_device_find(runtime.rt, "cuda:0", &device) == AHAL_ERROR_NOT_FOUND);
}

TEST_CASE("a broken driver: the plugin is refused with the reason", "[api-broken]") {
  setenv("AHAL_CUDA_DRIVER_PATH", AHAL_BROKEN_CUDA_DRIVER, 1);
  Runtime runtime;
  const ahal_plugin_info_t info = runtime.cuda_plugin();
  CHECK(info.state == AHAL_PLUGIN_STATE_REFUSED);
  CHECK(info.device_count == 0);
  INFO(info.reason);
  CHECK(std::string(info.reason).find("cuGetProcAddress") != std::string::npos);
  CHECK(std::string(info.reason).find(AHAL_BROKEN_CUDA_DRIVER) != std::string::npos);
}

TEST_CASE("fake driver: the standard bundle's PTX runs through the API", "[api-fake]") {
  setenv("AHAL_CUDA_DRIVER_PATH", AHAL_FAKE_CUDA_DRIVER, 1);
  setenv("FAKE_CUDA_DEVICE_COUNT", "1", 1);
  Runtime runtime;
  const ahal_plugin_info_t info = runtime.cuda_plugin();
  REQUIRE(info.state == AHAL_PLUGIN_STATE_LOADED);
  REQUIRE(info.device_count == 1);
  ahal_device_t device = nullptr;
  AHAL_TEST_OK(ahal_device_find(runtime.rt, "cuda:0", &device));
  const ahal_device_properties_t props = ahal_test::properties(device);
  CHECK(std::string(props.selector) == "cuda:0");
  CHECK(std::string(props.arch) == "sm_80");

  ahal_module_t module = ahal_test::bundle_module(device, AHAL_CUDA_TEST_BUNDLE);
  ahal_test::check_module_format(module, AHAL_MODULE_FORMAT_PTX);

  ahal_kernel_t saxpy = nullptr;
  AHAL_TEST_OK(ahal_kernel_get(module, "saxpy", &saxpy));
  const uint32_t n = 3000;
  ahal_buffer_args_t buffer_args{sizeof(buffer_args), n * sizeof(float), 0};
  ahal_buffer_t x = nullptr, y = nullptr;
  AHAL_TEST_OK(ahal_buffer_create(device, &buffer_args, &x));
  AHAL_TEST_OK(ahal_buffer_create(device, &buffer_args, &y));
  ahal_stream_t stream = nullptr;
  AHAL_TEST_OK(ahal_stream_create(device, nullptr, &stream));
  std::vector<float> hx(n), hy(n);
  for (uint32_t i = 0; i < n; ++i) {
    hx[i] = static_cast<float>(i);
    hy[i] = 1.0f;
  }
  AHAL_TEST_OK(ahal_stream_copy_h2d(stream, hx.data(), x, 0, n * sizeof(float)));
  AHAL_TEST_OK(ahal_stream_copy_h2d(stream, hy.data(), y, 0, n * sizeof(float)));
  ahal_binding_t bindings[2] = {{x, 0, 0}, {y, 0, 0}};
  struct {
    float a;
    uint32_t n;
  } constants = {2.0f, n};
  ahal_launch_args_t launch{};
  launch.struct_size = sizeof(launch);
  launch.grid[0] = (n + 127) / 128;
  launch.grid[1] = launch.grid[2] = 1;
  launch.workgroup_size[0] = 128;
  launch.workgroup_size[1] = launch.workgroup_size[2] = 1;
  launch.binding_count = 2;
  launch.bindings = bindings;
  launch.constants = &constants;
  launch.constants_size = sizeof(constants);
  AHAL_TEST_OK(ahal_stream_launch(stream, saxpy, &launch));
  AHAL_TEST_OK(ahal_stream_copy_d2h(stream, y, 0, hy.data(), n * sizeof(float)));
  AHAL_TEST_OK(ahal_stream_synchronize(stream));
  for (uint32_t i = 0; i < n; ++i) REQUIRE(hy[i] == 2.0f * static_cast<float>(i) + 1.0f);

  AHAL_TEST_OK(ahal_stream_destroy(stream));
  AHAL_TEST_OK(ahal_buffer_destroy(x));
  AHAL_TEST_OK(ahal_buffer_destroy(y));
  AHAL_TEST_OK(ahal_module_destroy(module));
}

// The CUDA plugin through the real loader (libahal), as applications see
// it. One tag per process (a loaded libcuda.so.1 stays loaded):
//   [api-nodriver] no libcuda.so.1: loaded, zero devices, the reason
//   [api-broken]   AHAL_CUDA_DRIVER_PATH names a broken libcuda.so.1: refused
//   [api-fake]     the test-only fake driver: the standard bundle's PTX runs
#include <ahal/ahal.h>

#include <catch2/catch.hpp>

#include <dlfcn.h>

#include <cstdlib>
#include <string>
#include <vector>

namespace {

#define REQUIRE_OK(call)                              \
  do {                                                \
    const ahal_status_t status_ = (call);             \
    INFO(#call << ": " << ahal_last_error_message()); \
    REQUIRE(status_ == AHAL_SUCCESS);                 \
  } while (0)

struct Runtime {
  ahal_runtime_t rt = nullptr;
  Runtime() {
    ahal_runtime_options_t options{};
    options.struct_size = sizeof(options);
    options.flags = AHAL_RUNTIME_IGNORE_ENVIRONMENT | AHAL_RUNTIME_NO_DEFAULT_PATHS;
    options.plugin_path = AHAL_CUDA_PLUGIN_DIR;
    options.plugins = "cuda";
    REQUIRE_OK(ahal_runtime_create(&options, &rt));
  }
  ~Runtime() { ahal_runtime_destroy(rt); }

  ahal_plugin_info_t cuda_plugin() const {
    uint32_t count = 0;
    REQUIRE_OK(ahal_runtime_plugin_count(rt, &count));
    REQUIRE(count == 1);
    ahal_plugin_info_t info{};
    info.struct_size = sizeof(info);
    REQUIRE_OK(ahal_runtime_plugin_info(rt, 0, &info));
    REQUIRE(std::string(info.name) == "cuda");
    return info;
  }
};

}  // namespace

TEST_CASE("no driver: the plugin is loaded with no devices and says why", "[api-nodriver]") {
  unsetenv("AHAL_CUDA_DRIVER_PATH");
  if (void* real = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL)) {
    dlclose(real);
    WARN("SKIPPED: this machine has a libcuda.so.1; the no-driver case cannot be shown here");
    return;
  }
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
  REQUIRE_OK(ahal_device_find(runtime.rt, "cuda:0", &device));
  ahal_device_properties_t props{};
  props.struct_size = sizeof(props);
  REQUIRE_OK(ahal_device_get_properties(device, &props));
  CHECK(std::string(props.selector) == "cuda:0");
  CHECK(std::string(props.arch) == "sm_80");

  ahal_module_args_t module_args{};
  module_args.struct_size = sizeof(module_args);
  module_args.format = AHAL_MODULE_FORMAT_BUNDLE;
  module_args.path = AHAL_CUDA_TEST_BUNDLE;
  ahal_module_t module = nullptr;
  REQUIRE_OK(ahal_module_create(device, &module_args, &module));
  ahal_module_format_t format = AHAL_MODULE_FORMAT_UNKNOWN;
  REQUIRE_OK(ahal_module_format(module, &format));
  CHECK(format == AHAL_MODULE_FORMAT_PTX);

  ahal_kernel_t saxpy = nullptr;
  REQUIRE_OK(ahal_kernel_get(module, "saxpy", &saxpy));
  const uint32_t n = 3000;
  ahal_buffer_args_t buffer_args{sizeof(buffer_args), n * sizeof(float), 0};
  ahal_buffer_t x = nullptr, y = nullptr;
  REQUIRE_OK(ahal_buffer_create(device, &buffer_args, &x));
  REQUIRE_OK(ahal_buffer_create(device, &buffer_args, &y));
  ahal_stream_t stream = nullptr;
  REQUIRE_OK(ahal_stream_create(device, nullptr, &stream));
  std::vector<float> hx(n), hy(n);
  for (uint32_t i = 0; i < n; ++i) {
    hx[i] = static_cast<float>(i);
    hy[i] = 1.0f;
  }
  REQUIRE_OK(ahal_stream_copy_h2d(stream, hx.data(), x, 0, n * sizeof(float)));
  REQUIRE_OK(ahal_stream_copy_h2d(stream, hy.data(), y, 0, n * sizeof(float)));
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
  REQUIRE_OK(ahal_stream_launch(stream, saxpy, &launch));
  REQUIRE_OK(ahal_stream_copy_d2h(stream, y, 0, hy.data(), n * sizeof(float)));
  REQUIRE_OK(ahal_stream_synchronize(stream));
  for (uint32_t i = 0; i < n; ++i) REQUIRE(hy[i] == 2.0f * static_cast<float>(i) + 1.0f);

  REQUIRE_OK(ahal_stream_destroy(stream));
  REQUIRE_OK(ahal_buffer_destroy(x));
  REQUIRE_OK(ahal_buffer_destroy(y));
  REQUIRE_OK(ahal_module_destroy(module));
}

// vector_add: c = a + b on one device, through ahal's C API.
//
//   vector_add [--device SEL] [--size N]
//
// Loads the standard-kernels bundle, runs `vector_add`, checks every element
// against the host and prints PASS or FAIL. Exit status: 0 pass, 1 fail or
// error, 77 when the device is absent or cannot run the bundle (a skip).
#include <ahal/ahal.h>
#include <ahal_tool_support.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

constexpr int kSkip = 77;

void usage() { std::fprintf(stderr, "usage: vector_add [--device SEL] [--size N]\n"); }

}  // namespace

int main(int argc, char** argv) {
  const char* selector = nullptr;
  uint32_t n = 1u << 20;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--device") && i + 1 < argc) {
      selector = argv[++i];
    } else if (!std::strcmp(argv[i], "--size") && i + 1 < argc) {
      n = static_cast<uint32_t>(std::strtoul(argv[++i], nullptr, 10));
    } else {
      usage();
      return 1;
    }
  }
  if (n == 0) {
    usage();
    return 1;
  }
  using ahal_tools::check;

  ahal_runtime_t runtime = nullptr;
  check(ahal_runtime_create(nullptr, &runtime), "ahal_runtime_create");

  // The device: the one asked for, else the first there is.
  ahal_device_t device = nullptr;
  ahal_status_t status;
  if (selector) {
    status = ahal_device_find(runtime, selector, &device);
  } else {
    uint32_t count = 0;
    check(ahal_runtime_device_count(runtime, &count), "ahal_runtime_device_count");
    status = count ? ahal_runtime_device_get(runtime, 0, &device) : AHAL_ERROR_NOT_FOUND;
  }
  if (status == AHAL_ERROR_NOT_FOUND) {
    std::printf("SKIP: no device %s: %s\n", selector ? selector : "at all",
                ahal_last_error_message());
    ahal_runtime_destroy(runtime);
    return kSkip;
  }
  check(status, "ahal_device_find");
  ahal_device_properties_t props{};
  props.struct_size = sizeof(props);
  check(ahal_device_get_properties(device, &props), "ahal_device_get_properties");
  std::printf("device %s: %s\n", props.selector, props.name);

  // The bundle holds vector_add for every format; ahal picks the device's.
  const std::string bundle = ahal_tools::kernels_bundle_path();
  ahal_module_args_t module_args{};
  module_args.struct_size = sizeof(module_args);
  module_args.format = AHAL_MODULE_FORMAT_BUNDLE;
  module_args.path = bundle.c_str();
  ahal_module_t module = nullptr;
  status = ahal_module_create(device, &module_args, &module);
  if (status == AHAL_ERROR_UNSUPPORTED) {
    std::printf("SKIP: %s cannot run the standard kernels: %s\n", props.selector,
                ahal_last_error_message());
    ahal_runtime_destroy(runtime);
    return kSkip;
  }
  check(status, "ahal_module_create");
  ahal_kernel_t kernel = nullptr;
  check(ahal_kernel_get(module, "vector_add", &kernel), "ahal_kernel_get");

  std::vector<float> a(n), b(n), c(n, 0.0f);
  for (uint32_t i = 0; i < n; ++i) {
    a[i] = 0.5f * float(i % 1000);
    b[i] = float(i % 7) - 3.0f;
  }
  const uint64_t bytes = uint64_t(n) * sizeof(float);
  ahal_buffer_t buffers[3];
  for (ahal_buffer_t& buffer : buffers) {
    ahal_buffer_args_t args{};
    args.struct_size = sizeof(args);
    args.size = bytes;
    check(ahal_buffer_create(device, &args, &buffer), "ahal_buffer_create");
  }
  ahal_stream_t stream = nullptr;
  check(ahal_stream_create(device, nullptr, &stream), "ahal_stream_create");
  check(ahal_stream_copy_h2d(stream, a.data(), buffers[0], 0, bytes), "ahal_stream_copy_h2d");
  check(ahal_stream_copy_h2d(stream, b.data(), buffers[1], 0, bytes), "ahal_stream_copy_h2d");

  const ahal_binding_t bindings[3] = {{buffers[0], 0, 0}, {buffers[1], 0, 0}, {buffers[2], 0, 0}};
  const uint32_t wg = props.max_workgroup_size < 256 ? props.max_workgroup_size : 256;
  ahal_launch_args_t launch{};
  launch.struct_size = sizeof(launch);
  launch.grid[0] = (n + wg - 1) / wg;
  launch.grid[1] = launch.grid[2] = 1;
  launch.workgroup_size[0] = wg;
  launch.workgroup_size[1] = launch.workgroup_size[2] = 1;
  launch.binding_count = 3;
  launch.bindings = bindings;
  launch.constants = &n;
  launch.constants_size = sizeof(n);
  check(ahal_stream_launch(stream, kernel, &launch), "ahal_stream_launch");
  check(ahal_stream_copy_d2h(stream, buffers[2], 0, c.data(), bytes), "ahal_stream_copy_d2h");
  check(ahal_stream_synchronize(stream), "ahal_stream_synchronize");

  uint64_t wrong = 0;
  for (uint32_t i = 0; i < n; ++i) {
    if (c[i] != a[i] + b[i]) {
      if (wrong++ < 5) std::printf("c[%u] = %g, expected %g\n", i, c[i], a[i] + b[i]);
    }
  }
  // Destroying the runtime frees the buffers, stream and module too.
  check(ahal_runtime_destroy(runtime), "ahal_runtime_destroy");
  if (wrong) {
    std::printf("FAIL: %llu of %u elements wrong\n", static_cast<unsigned long long>(wrong), n);
    return 1;
  }
  std::printf("PASS: %u elements\n", n);
  return 0;
}

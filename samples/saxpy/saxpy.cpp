// saxpy: y = a * x + y on one device, through the C++ wrapper ahal.hpp.
//
//   saxpy [--device SEL] [--size N]
//
// Loads the standard-kernels bundle, runs `saxpy`, checks every element
// against the host and prints PASS or FAIL. Exit status: 0 pass, 1 fail or
// error, 77 when the device is absent or cannot run the bundle (a skip).
#include <ahal/ahal.hpp>
#include <ahal_tool_support.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

constexpr int kSkip = 77;

struct SaxpyConstants {  // docs/kernel-abi.md: {float a; uint32 n}
  float a;
  uint32_t n;
};

int run(const char* selector, uint32_t n) {
  ahal::Runtime runtime;
  ahal::Device device;
  try {
    if (selector) {
      device = runtime.find(selector);
    } else {
      const std::vector<ahal::Device> devices = runtime.devices();
      if (devices.empty()) throw ahal::error(AHAL_ERROR_NOT_FOUND, "no devices");
      device = devices.front();
    }
  } catch (const ahal::error& e) {
    if (e.status() != AHAL_ERROR_NOT_FOUND) throw;
    std::printf("SKIP: %s\n", e.what());
    return kSkip;
  }
  const ahal_device_properties_t props = device.properties();
  std::printf("device %s: %s\n", props.selector, props.name);

  ahal::Module module;
  try {
    module = ahal::Module::from_file(device, ahal_tools::kernels_bundle_path());
  } catch (const ahal::error& e) {
    if (e.status() != AHAL_ERROR_UNSUPPORTED) throw;
    std::printf("SKIP: %s cannot run the standard kernels: %s\n", props.selector, e.what());
    return kSkip;
  }
  const ahal::Kernel kernel = module.kernel("saxpy");

  const SaxpyConstants constants{2.5f, n};
  std::vector<float> x(n), y(n), result(n);
  for (uint32_t i = 0; i < n; ++i) {
    x[i] = float(i % 1024) * 0.25f;
    y[i] = 1.0f - float(i % 17);
  }
  const uint64_t bytes = uint64_t(n) * sizeof(float);
  ahal::Buffer bx(device, bytes), by(device, bytes);
  ahal::Stream stream(device);
  stream.copy_h2d(x.data(), bx, 0, bytes);
  stream.copy_h2d(y.data(), by, 0, bytes);

  const ahal_binding_t bindings[2] = {{bx.get(), 0, 0}, {by.get(), 0, 0}};
  const uint32_t wg = std::min(256u, props.max_workgroup_size);
  ahal_launch_args_t launch{};
  launch.struct_size = sizeof(launch);
  launch.grid[0] = (n + wg - 1) / wg;
  launch.grid[1] = launch.grid[2] = 1;
  launch.workgroup_size[0] = wg;
  launch.workgroup_size[1] = launch.workgroup_size[2] = 1;
  launch.binding_count = 2;
  launch.bindings = bindings;
  launch.constants = &constants;
  launch.constants_size = sizeof(constants);
  stream.launch(kernel, launch);
  stream.copy_d2h(by, 0, result.data(), bytes);
  stream.synchronize();

  // A backend may contract a * x + y into an FMA: compare with a tolerance.
  uint64_t wrong = 0;
  for (uint32_t i = 0; i < n; ++i) {
    const float want = constants.a * x[i] + y[i];
    if (std::fabs(result[i] - want) > 1e-5f * std::max(1.0f, std::fabs(want))) {
      if (wrong++ < 5) std::printf("y[%u] = %g, expected %g\n", i, result[i], want);
    }
  }
  if (wrong) {
    std::printf("FAIL: %llu of %u elements wrong\n", static_cast<unsigned long long>(wrong), n);
    return 1;
  }
  std::printf("PASS: %u elements\n", n);
  return 0;
}

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
      n = 0;
      break;
    }
  }
  if (n == 0) {
    std::fprintf(stderr, "usage: saxpy [--device SEL] [--size N]\n");
    return 1;
  }
  try {
    return run(selector, n);
  } catch (const ahal::error& e) {
    std::fprintf(stderr, "saxpy: %s\n", e.what());
    return 1;
  }
}

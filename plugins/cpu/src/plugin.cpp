// The CPU reference plugin: devices "cpu:0" .. that are the host itself
// (one, or AHAL_CPU_DEVICES of them, each with its own thread pool).
#include <cstdlib>

#include "objects.hpp"

namespace ahal_cpu {
namespace {

class CpuInstance final : public plugin::Instance {
 public:
  explicit CpuInstance(const ahal_plugin_init_args_t&)
      : machine_(read_machine_info()), devices_(device_count_of_env()) {}
  uint32_t device_count() override { return devices_; }
  std::unique_ptr<plugin::Device> open_device(uint32_t index) override {
    if (index >= devices_)
      plugin::raise(AHAL_ERROR_OUT_OF_RANGE, "device %u does not exist; cpu has %u", index,
                    devices_);
    return std::make_unique<CpuDevice>(machine_);
  }

 private:
  // AHAL_CPU_DEVICES=N (1..16): N devices of one host, to run work between
  // devices (peer copies, one rank per device) without a second accelerator.
  static uint32_t device_count_of_env() {
    const char* env = std::getenv("AHAL_CPU_DEVICES");
    const long n = env && *env ? std::strtol(env, nullptr, 10) : 1;
    return n >= 1 && n <= 16 ? uint32_t(n) : 1;
  }

  MachineInfo machine_;
  uint32_t devices_;
};

}  // namespace
}  // namespace ahal_cpu

extern "C" AHAL_PLUGIN_EXPORT ahal_status_t ahal_plugin_query(uint32_t loader_abi_version,
                                                              ahal_plugin_api_t* out) {
  static const ahal_plugin_api_t api = ahal::plugin::make_api<ahal_cpu::CpuInstance>(
      "cpu", "CPU reference device: cpu-so kernels on a thread pool over the host's cores");
  return ahal::plugin::query(loader_abi_version, api, out);
}

// The CPU reference plugin: one device, "cpu:0", that is the host itself.
#include "objects.hpp"

namespace ahal_cpu {
namespace {

class CpuInstance final : public plugin::Instance {
 public:
  explicit CpuInstance(const ahal_plugin_init_args_t&) : machine_(read_machine_info()) {}
  uint32_t device_count() override { return 1; }
  std::unique_ptr<plugin::Device> open_device(uint32_t index) override {
    if (index != 0)
      plugin::raise(AHAL_ERROR_OUT_OF_RANGE, "device %u does not exist; cpu has one", index);
    return std::make_unique<CpuDevice>(machine_);
  }

 private:
  MachineInfo machine_;
};

}  // namespace
}  // namespace ahal_cpu

extern "C" AHAL_PLUGIN_EXPORT ahal_status_t ahal_plugin_query(uint32_t loader_abi_version,
                                                              ahal_plugin_api_t* out) {
  static const ahal_plugin_api_t api = ahal::plugin::make_api<ahal_cpu::CpuInstance>(
      "cpu", "CPU reference device: cpu-so kernels on a thread pool over the host's cores");
  return ahal::plugin::query(loader_abi_version, api, out);
}

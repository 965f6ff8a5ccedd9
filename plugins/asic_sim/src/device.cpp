// The one asic_sim device: its properties and memory usage. The engines it
// owns are built in objects.hpp.
#include "objects.hpp"

#include <algorithm>
#include <cstdio>
#include <string>

namespace asic_sim {

ahal_status_t device_count(ahal_plugin_instance_t* instance, uint32_t* out_count) {
  *out_count = 1;
  return AHAL_SUCCESS;
}

namespace {

std::string mib(uint64_t bytes) { return std::to_string(bytes >> 20) + " MiB"; }

// The most any built-in operator takes: no launch here can use more.
uint32_t largest(uint32_t BuiltinOperator::*field) {
  uint32_t most = 0;
  for (uint32_t i = 0; i < kBuiltinOperatorCount; ++i)
    most = std::max(most, builtin_operators()[i].*field);
  return most;
}

}  // namespace

ahal_status_t device_open(ahal_plugin_instance_t* instance, uint32_t index,
                          ahal_plugin_device_t** out_device) {
  *out_device = new ahal_plugin_device_s(*instance);
  ahal::plugin::log(AHAL_LOG_INFO, "device %u: %s arena, DMA at %.3g GB/s, %u compute threads",
                    index, mib(instance->config.memory_bytes).c_str(), instance->config.dma_gbps,
                    instance->config.compute_threads);
  return AHAL_SUCCESS;
}

void device_close(ahal_plugin_device_t* device) { delete device; }

// guide-snippet: properties
ahal_status_t device_get_properties(ahal_plugin_device_t* device, ahal_device_properties_t* props) {
  // Start from what the loader passed, so the fields it fills survive, and
  // write back only what its struct_size covers.
  ahal_device_properties_t p = ahal::plugin::read_struct(props);
  std::snprintf(p.name, sizeof(p.name), "ahal ASIC simulator");
  std::snprintf(p.vendor, sizeof(p.vendor), "ahal project");
  std::snprintf(p.driver_version, sizeof(p.driver_version), "asic_sim plugin ABI %u.%u",
                AHAL_PLUGIN_ABI_MAJOR, AHAL_PLUGIN_ABI_MINOR);
  std::snprintf(p.arch, sizeof(p.arch), "asic-sim");
  p.type = AHAL_DEVICE_TYPE_ASIC;
  p.compute_units = device->compute.size();
  p.global_memory_bytes = device->memory.size();
  p.max_allocation_bytes = device->memory.size();
  // No workgroups: built-ins take a {1,1,1} grid and workgroup.
  p.max_workgroup_size = 1;
  for (int d = 0; d < 3; ++d) p.max_workgroup_dims[d] = p.max_grid_dims[d] = 1;
  p.shared_memory_per_workgroup = 0;
  p.subgroup_size_min = p.subgroup_size_max = 1;
  p.clock_mhz = 0;
  p.max_bindings = largest(&BuiltinOperator::binding_count);
  p.max_constants_size = largest(&BuiltinOperator::constants_size);
  p.binding_offset_alignment = 64;  // the DMA engine's burst size
  p.module_formats = 0;             // no general kernels
  p.features = AHAL_FEATURE_BUILTIN_KERNELS | AHAL_FEATURE_TIMESTAMPS | AHAL_FEATURE_HOST_CALLBACKS;
  p.timestamp_resolution_ps = 1000;  // the device clock counts nanoseconds
  p.has_uuid = 0;
  p.peak_memory_bandwidth_gbps = 0;  // unknown: only the DMA link is modelled
  p.peak_fp32_gflops = 0;
  p.peak_fp64_gflops = 0;
  ahal::plugin::write_struct(props, p);
  return AHAL_SUCCESS;
}
// guide-snippet-end

ahal_status_t device_memory_usage(ahal_plugin_device_t* device, uint64_t* out_used,
                                  uint64_t* out_total) {
  *out_used = device->memory.used();
  *out_total = device->memory.size();
  return AHAL_SUCCESS;
}

}  // namespace asic_sim

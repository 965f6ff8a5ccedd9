// Devices: properties from hipGetDeviceProperties, memory usage, and which
// code objects a device takes (hip_target.cpp).
#include "objects.hpp"

#include "hip_target.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <memory>

namespace ahal_hip {

ahal_status_t device_count(ahal_plugin_instance_t* instance, uint32_t* out_count) {
  *out_count = static_cast<uint32_t>(instance->device_count);
  return AHAL_SUCCESS;
}

namespace {

constexpr uint32_t kBindingOffsetAlignment = 256;  // hipMalloc's alignment
// hipEventElapsedTime is documented to a resolution of about a microsecond.
constexpr uint64_t kTimestampResolutionPs = 1000000;

std::string version_string(int v) {
  // HIP encodes versions as major * 10^7 + minor * 10^5 + patch.
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%d.%d.%d", v / 10000000, (v / 100000) % 100, v % 100000);
  return buf;
}

}  // namespace

ahal_status_t device_open(ahal_plugin_instance_t* instance, uint32_t index,
                          ahal_plugin_device_t** out_device) {
  auto dev = std::make_unique<ahal_plugin_device_t>();
  dev->instance = instance;
  dev->rt = &instance->rt;
  dev->ordinal = static_cast<int>(index);
  const Runtime& rt = instance->rt;
  if (ahal_status_t st = activate(dev.get()); st != AHAL_SUCCESS) return st;
  AHAL_HIP_CALL(dev.get(), rt.hipGetDeviceProperties(&dev->prop, dev->ordinal));
  dev->prop.name[sizeof(dev->prop.name) - 1] = '\0';
  dev->prop.gcnArchName[sizeof(dev->prop.gcnArchName) - 1] = '\0';
  dev->arch_full = dev->prop.gcnArchName;
  dev->arch = dev->arch_full.substr(0, dev->arch_full.find(':'));
  hipDevice_t handle = 0;
  AHAL_HIP_CALL(dev.get(), rt.hipDeviceGet(&handle, dev->ordinal));
  dev->has_uuid = rt.hipDeviceGetUuid(&dev->uuid, handle) == hipSuccess;
  AHAL_HIP_CALL(dev.get(),
                rt.hipDeviceGetStreamPriorityRange(&dev->least_priority, &dev->greatest_priority));
  int runtime_version = 0, driver_version = 0;
  AHAL_HIP_CALL(dev.get(), rt.hipRuntimeGetVersion(&runtime_version));
  AHAL_HIP_CALL(dev.get(), rt.hipDriverGetVersion(&driver_version));
  dev->driver_version =
      "HIP " + version_string(runtime_version) + ", driver " + version_string(driver_version);
  *out_device = dev.release();
  return AHAL_SUCCESS;
}

void device_close(ahal_plugin_device_t* device) { delete device; }

ahal_status_t device_get_properties(ahal_plugin_device_t* dev, ahal_device_properties_t* props) {
  const hipDeviceProp_t& p = dev->prop;
  ahal_device_properties_t out{};
  out.struct_size = sizeof(out);
  std::snprintf(out.name, sizeof(out.name), "%s", p.name);
  // Hygon DCUs run the same HIP stack and name themselves.
  bool hygon = std::strstr(p.name, "DCU") || std::strstr(p.name, "Hygon");
  std::snprintf(out.vendor, sizeof(out.vendor), "%s", hygon ? "Hygon" : "AMD");
  std::snprintf(out.driver_version, sizeof(out.driver_version), "%s", dev->driver_version.c_str());
  std::snprintf(out.arch, sizeof(out.arch), "%s", dev->arch.c_str());
  out.type = AHAL_DEVICE_TYPE_GPU;
  out.compute_units = static_cast<uint32_t>(std::max(p.multiProcessorCount, 0));
  out.global_memory_bytes = p.totalGlobalMem;
  out.max_allocation_bytes = p.totalGlobalMem;
  out.max_workgroup_size = static_cast<uint32_t>(std::max(p.maxThreadsPerBlock, 0));
  for (int i = 0; i < 3; ++i) {
    out.max_workgroup_dims[i] = static_cast<uint32_t>(std::max(p.maxThreadsDim[i], 0));
    // HSA (and so stream_launch) counts a grid in work-items, in 32 bits:
    // a grid at its limit must fit that with the largest workgroup too.
    out.max_grid_dims[i] = std::min(static_cast<uint32_t>(std::max(p.maxGridSize[i], 0)),
                                    UINT32_MAX / std::max(out.max_workgroup_dims[i], 1u));
  }
  out.shared_memory_per_workgroup = static_cast<uint32_t>(p.sharedMemPerBlock);
  out.subgroup_size_min = out.subgroup_size_max = static_cast<uint32_t>(std::max(p.warpSize, 0));
  out.clock_mhz = static_cast<uint32_t>(std::max(p.clockRate, 0) / 1000);
  out.max_bindings = AHAL_MAX_BINDINGS;
  out.max_constants_size = kMaxConstantsSize;
  out.binding_offset_alignment = kBindingOffsetAlignment;
  out.module_formats = (1ull << AHAL_MODULE_FORMAT_HSACO) | (1ull << AHAL_MODULE_FORMAT_HIP_FATBIN);
  out.features = AHAL_FEATURE_FP64 | AHAL_FEATURE_FP16 | AHAL_FEATURE_INT64_ATOMICS |
                 AHAL_FEATURE_HOST_VISIBLE_MEMORY | AHAL_FEATURE_TIMESTAMPS |
                 AHAL_FEATURE_HOST_CALLBACKS | AHAL_FEATURE_DYNAMIC_SHARED_MEMORY |
                 AHAL_FEATURE_GENERAL_KERNELS;
  if (p.integrated) out.features |= AHAL_FEATURE_UNIFIED_MEMORY;
  out.timestamp_resolution_ps = kTimestampResolutionPs;
  if (dev->has_uuid) {
    std::memcpy(out.uuid, dev->uuid.bytes, sizeof(out.uuid));
    out.has_uuid = 1;
  }
  // Double data rate: two transfers per memory clock (kHz) over the bus.
  if (p.memoryClockRate > 0 && p.memoryBusWidth > 0)
    out.peak_memory_bandwidth_gbps = 2.0 * p.memoryClockRate * 1e3 * (p.memoryBusWidth / 8.0) / 1e9;
  ahal::plugin::write_struct(props, out);
  return AHAL_SUCCESS;
}

ahal_status_t device_memory_usage(ahal_plugin_device_t* dev, uint64_t* out_used,
                                  uint64_t* out_total) {
  if (ahal_status_t st = activate(dev); st != AHAL_SUCCESS) return st;
  size_t free_bytes = 0, total = 0;
  AHAL_HIP_CALL(dev, dev->rt->hipMemGetInfo(&free_bytes, &total));
  *out_used = total - free_bytes;
  *out_total = total;
  return AHAL_SUCCESS;
}

ahal_status_t image_score(ahal_plugin_device_t* dev, ahal_module_format_t format,
                          const char* target, int32_t* out_score) {
  std::string t = target ? target : "";
  switch (format) {
    case AHAL_MODULE_FORMAT_HSACO:
      *out_score = hsaco_score(t, dev->arch_full);
      break;
    case AHAL_MODULE_FORMAT_HIP_FATBIN:
      *out_score = fatbin_score(t, dev->arch_full);
      break;
    default:
      *out_score = 0;
  }
  return AHAL_SUCCESS;
}

}  // namespace ahal_hip

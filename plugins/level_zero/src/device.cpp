// Level Zero devices: properties from the device, compute, module and
// memory queries; which images a device takes.
#include "objects.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>

namespace ahal_ze {

ahal_status_t device_count(ahal_plugin_instance_t* instance, uint32_t* out_count) {
  *out_count = static_cast<uint32_t>(instance->devices.size());
  return AHAL_SUCCESS;
}

namespace {

bool equal_ignoring_case(const std::string& a, const std::string& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// Fills dev->properties and the stream/timestamp settings from the driver.
ahal_status_t query_device(ahal_plugin_device_t* dev) {
  const Loader& ze = *dev->ze;
  ahal_device_properties_t& out = dev->properties;
  out.struct_size = sizeof(out);

  ze_api_version_t api_version{};
  AHAL_ZE_CALL(dev, ze.zeDriverGetApiVersion(dev->driver, &api_version));
  const bool api_1_2 = api_version >= ZE_MAKE_VERSION(1, 2);
  ze_device_properties_t p{};
  // With the 1.2 structure type the timer resolution is in cycles per second
  // (finer than the older whole nanoseconds).
  p.stype = api_1_2 ? ZE_STRUCTURE_TYPE_DEVICE_PROPERTIES_1_2 : ZE_STRUCTURE_TYPE_DEVICE_PROPERTIES;
  AHAL_ZE_CALL(dev, ze.zeDeviceGetProperties(dev->device, &p));
  ze_device_compute_properties_t compute{};
  compute.stype = ZE_STRUCTURE_TYPE_DEVICE_COMPUTE_PROPERTIES;
  AHAL_ZE_CALL(dev, ze.zeDeviceGetComputeProperties(dev->device, &compute));
  ze_device_module_properties_t module{};
  module.stype = ZE_STRUCTURE_TYPE_DEVICE_MODULE_PROPERTIES;
  AHAL_ZE_CALL(dev, ze.zeDeviceGetModuleProperties(dev->device, &module));
  uint32_t memory_count = 0;
  AHAL_ZE_CALL(dev, ze.zeDeviceGetMemoryProperties(dev->device, &memory_count, nullptr));
  std::vector<ze_device_memory_properties_t> memories(memory_count);
  for (auto& m : memories) m.stype = ZE_STRUCTURE_TYPE_DEVICE_MEMORY_PROPERTIES;
  if (memory_count > 0)
    AHAL_ZE_CALL(dev, ze.zeDeviceGetMemoryProperties(dev->device, &memory_count, memories.data()));
  ze_driver_properties_t driver{};
  driver.stype = ZE_STRUCTURE_TYPE_DRIVER_PROPERTIES;
  AHAL_ZE_CALL(dev, ze.zeDriverGetProperties(dev->driver, &driver));

  // Streams go to the first queue group that runs compute.
  uint32_t group_count = 0;
  AHAL_ZE_CALL(dev, ze.zeDeviceGetCommandQueueGroupProperties(dev->device, &group_count, nullptr));
  std::vector<ze_command_queue_group_properties_t> groups(group_count);
  for (auto& g : groups) g.stype = ZE_STRUCTURE_TYPE_COMMAND_QUEUE_GROUP_PROPERTIES;
  if (group_count > 0)
    AHAL_ZE_CALL(
        dev, ze.zeDeviceGetCommandQueueGroupProperties(dev->device, &group_count, groups.data()));
  auto compute_group = std::find_if(
      groups.begin(), groups.begin() + group_count,
      [](const auto& g) { return (g.flags & ZE_COMMAND_QUEUE_GROUP_PROPERTY_FLAG_COMPUTE) != 0; });
  if (compute_group == groups.begin() + group_count)
    return fail(AHAL_ERROR_UNSUPPORTED, "the device has no compute command queue group");
  dev->compute_ordinal = static_cast<uint32_t>(compute_group - groups.begin());

  std::snprintf(out.name, sizeof(out.name), "%s", p.name);
  if (p.vendorId == 0x8086)
    std::snprintf(out.vendor, sizeof(out.vendor), "Intel");
  else
    std::snprintf(out.vendor, sizeof(out.vendor), "PCI vendor 0x%04x", p.vendorId);
  // Intel packs the driver version as major (8 bits), minor (8), build (16).
  std::snprintf(out.driver_version, sizeof(out.driver_version), "Level Zero %u.%u, driver %u.%u.%u",
                ZE_MAJOR_VERSION(api_version), ZE_MINOR_VERSION(api_version),
                driver.driverVersion >> 24, (driver.driverVersion >> 16) & 0xffu,
                driver.driverVersion & 0xffffu);
  // The PCI device id names the native target (ocloc -device 0x56a0).
  std::snprintf(out.arch, sizeof(out.arch), "0x%04x", p.deviceId);
  out.type = AHAL_DEVICE_TYPE_GPU;
  out.compute_units = p.numSlices * p.numSubslicesPerSlice * p.numEUsPerSubslice;
  for (const auto& m : memories) out.global_memory_bytes += m.totalSize;
  out.max_allocation_bytes = p.maxMemAllocSize;
  out.max_workgroup_size = compute.maxTotalGroupSize;
  out.max_workgroup_dims[0] = compute.maxGroupSizeX;
  out.max_workgroup_dims[1] = compute.maxGroupSizeY;
  out.max_workgroup_dims[2] = compute.maxGroupSizeZ;
  out.max_grid_dims[0] = compute.maxGroupCountX;
  out.max_grid_dims[1] = compute.maxGroupCountY;
  out.max_grid_dims[2] = compute.maxGroupCountZ;
  out.shared_memory_per_workgroup = compute.maxSharedLocalMemory;
  uint32_t n_sizes = std::min<uint32_t>(compute.numSubGroupSizes, ZE_SUBGROUPSIZE_COUNT);
  if (n_sizes > 0) {
    out.subgroup_size_min =
        *std::min_element(compute.subGroupSizes, compute.subGroupSizes + n_sizes);
    out.subgroup_size_max =
        *std::max_element(compute.subGroupSizes, compute.subGroupSizes + n_sizes);
  }
  out.clock_mhz = p.coreClockRate;
  out.max_bindings = AHAL_MAX_BINDINGS;
  // Kernel arguments share maxArgumentsSize with 32 pointers and the local
  // memory argument.
  const uint32_t others = 8 * (AHAL_MAX_BINDINGS + 1);
  out.max_constants_size =
      module.maxArgumentsSize > others
          ? std::min<uint32_t>(AHAL_MAX_CONSTANTS_SIZE, (module.maxArgumentsSize - others) & ~7u)
          : 0;
  out.binding_offset_alignment = kBindingOffsetAlignment;
  out.module_formats =
      (1ull << AHAL_MODULE_FORMAT_SPIRV_OPENCL) | (1ull << AHAL_MODULE_FORMAT_ZE_NATIVE);
  out.features = AHAL_FEATURE_HOST_VISIBLE_MEMORY | AHAL_FEATURE_TIMESTAMPS |
                 AHAL_FEATURE_HOST_CALLBACKS | AHAL_FEATURE_DYNAMIC_SHARED_MEMORY |
                 AHAL_FEATURE_GENERAL_KERNELS;
  if ((module.flags & ZE_DEVICE_MODULE_FLAG_FP64) && module.fp64flags != 0)
    out.features |= AHAL_FEATURE_FP64;
  if (module.flags & ZE_DEVICE_MODULE_FLAG_FP16) out.features |= AHAL_FEATURE_FP16;
  if (module.flags & ZE_DEVICE_MODULE_FLAG_INT64_ATOMICS)
    out.features |= AHAL_FEATURE_INT64_ATOMICS;
  if (p.flags & ZE_DEVICE_PROPERTY_FLAG_INTEGRATED) out.features |= AHAL_FEATURE_UNIFIED_MEMORY;

  if (p.timerResolution > 0)
    dev->ns_per_tick = api_1_2 ? 1e9 / static_cast<double>(p.timerResolution)
                               : static_cast<double>(p.timerResolution);
  if (p.timestampValidBits > 0 && p.timestampValidBits < 64)
    dev->timestamp_mask = (uint64_t{1} << p.timestampValidBits) - 1;
  out.timestamp_resolution_ps = static_cast<uint64_t>(std::llround(dev->ns_per_tick * 1000.0));
  static_assert(sizeof(p.uuid.id) == sizeof(out.uuid), "UUIDs are 16 bytes");
  std::memcpy(out.uuid, p.uuid.id, sizeof(out.uuid));
  out.has_uuid = 1;
  return AHAL_SUCCESS;
}

}  // namespace

ahal_status_t device_open(ahal_plugin_instance_t* instance, uint32_t index,
                          ahal_plugin_device_t** out_device) {
  auto dev = std::make_unique<ahal_plugin_device_t>();
  const auto& entry = instance->devices.at(index);
  dev->instance = instance;
  dev->ze = &instance->ze;
  dev->driver = entry.driver;
  dev->context = entry.context;
  dev->device = entry.device;
  if (ahal_status_t st = query_device(dev.get()); st != AHAL_SUCCESS) return st;
  *out_device = dev.release();
  return AHAL_SUCCESS;
}

void device_close(ahal_plugin_device_t* dev) {
  destroy_signal_pools(dev);
  delete dev;
}

ahal_status_t device_get_properties(ahal_plugin_device_t* dev, ahal_device_properties_t* props) {
  ahal::plugin::write_struct(props, dev->properties);  // the loader fills plugin and selector
  return AHAL_SUCCESS;
}

ahal_status_t image_score(ahal_plugin_device_t* dev, ahal_module_format_t format,
                          const char* target, int32_t* out_score) {
  const std::string t = target ? target : "";
  *out_score = 0;
  if (format == AHAL_MODULE_FORMAT_SPIRV_OPENCL) {
    *out_score = 10;  // portable, compiled by the driver at load time
  } else if (format == AHAL_MODULE_FORMAT_ZE_NATIVE) {
    // A native binary only runs on the device it was built for; one with no
    // target is tried after SPIR-V.
    if (t.empty())
      *out_score = 5;
    else if (equal_ignoring_case(t, dev->properties.arch))
      *out_score = 100;
  }
  return AHAL_SUCCESS;
}

}  // namespace ahal_ze

// Devices: one per GPU on its primary context; properties from the
// driver's attributes, which images a device takes.
#include "objects.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace ahal_cuda {

ahal_status_t device_count(ahal_plugin_instance_t* instance, uint32_t* out_count) {
  *out_count = instance->device_count;
  return AHAL_SUCCESS;
}

namespace {

ahal_status_t query_properties(ahal_plugin_device_t* d) {
  const Driver& drv = d->drv();
  auto attr = [&](CUdevice_attribute attribute) {
    int value = 0;
    // An attribute this driver does not know reads as 0 (unknown).
    if (drv.cuDeviceGetAttribute(&value, attribute, d->device) != CUDA_SUCCESS) value = 0;
    return value;
  };
  auto clamp_u32 = [](int v) { return v > 0 ? static_cast<uint32_t>(v) : 0u; };
  ahal_device_properties_t& p = d->props;
  p.struct_size = sizeof(p);

  AHAL_CU_CHECK(d, drv.cuDeviceGetName(p.name, sizeof(p.name), d->device),
                "cuDeviceGetName(device %d)", d->ordinal);
  std::snprintf(p.vendor, sizeof(p.vendor), "NVIDIA");
  std::snprintf(p.driver_version, sizeof(p.driver_version), "CUDA %d.%d driver",
                drv.version() / 1000, drv.version() % 1000 / 10);
  const int major = attr(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR);
  const int minor = attr(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
  d->cc = major * 10 + minor;
  std::snprintf(p.arch, sizeof(p.arch), "%s", arch_name(major, minor).c_str());
  p.type = AHAL_DEVICE_TYPE_GPU;
  p.compute_units = clamp_u32(attr(CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT));

  size_t total = 0;
  AHAL_CU_CHECK(d, drv.cuDeviceTotalMem(&total, d->device), "cuDeviceTotalMem(device %d)",
                d->ordinal);
  p.global_memory_bytes = total;
  p.max_allocation_bytes = total;  // CUDA sets no per-allocation cap below total memory

  p.max_workgroup_size = clamp_u32(attr(CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK));
  p.max_workgroup_dims[0] = clamp_u32(attr(CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_X));
  p.max_workgroup_dims[1] = clamp_u32(attr(CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Y));
  p.max_workgroup_dims[2] = clamp_u32(attr(CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Z));
  p.max_grid_dims[0] = clamp_u32(attr(CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_X));
  p.max_grid_dims[1] = clamp_u32(attr(CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Y));
  p.max_grid_dims[2] = clamp_u32(attr(CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Z));
  // Above the default 48 KiB a launch opts in per kernel (stream_launch).
  d->shared_optin = std::max(clamp_u32(attr(CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN)),
                             clamp_u32(attr(CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK)));
  p.shared_memory_per_workgroup = d->shared_optin;
  const uint32_t warp = clamp_u32(attr(CU_DEVICE_ATTRIBUTE_WARP_SIZE));
  p.subgroup_size_min = warp;
  p.subgroup_size_max = warp;
  const int clock_khz = attr(CU_DEVICE_ATTRIBUTE_CLOCK_RATE);
  p.clock_mhz = clamp_u32(clock_khz / 1000);
  p.max_bindings = AHAL_MAX_BINDINGS;
  // Kernel parameters: 4 KiB in all before CUDA 12.1 (and before Volta),
  // 32764 bytes since; 32 pointers take 256 of them.
  const bool large_params = drv.version() >= 12010 && major >= 7;
  p.max_constants_size = large_params ? AHAL_MAX_CONSTANTS_SIZE : 4096u - 8u * AHAL_MAX_BINDINGS;
  // Enough for 16-byte vector loads through a binding; cuMemAlloc gives 256.
  p.binding_offset_alignment = 16;
  p.module_formats = (1ull << AHAL_MODULE_FORMAT_PTX) | (1ull << AHAL_MODULE_FORMAT_CUBIN) |
                     (1ull << AHAL_MODULE_FORMAT_FATBIN);
  uint64_t features = AHAL_FEATURE_FP64 | AHAL_FEATURE_INT64_ATOMICS | AHAL_FEATURE_TIMESTAMPS |
                      AHAL_FEATURE_HOST_CALLBACKS | AHAL_FEATURE_DYNAMIC_SHARED_MEMORY |
                      AHAL_FEATURE_GENERAL_KERNELS;
  if (d->cc >= 53) features |= AHAL_FEATURE_FP16;
  // Host-visible buffers are pinned host memory mapped into the device.
  if (attr(CU_DEVICE_ATTRIBUTE_CAN_MAP_HOST_MEMORY) && attr(CU_DEVICE_ATTRIBUTE_UNIFIED_ADDRESSING))
    features |= AHAL_FEATURE_HOST_VISIBLE_MEMORY;
  p.features = features;
  p.timestamp_resolution_ps = 500000;  // cuEventElapsedTime: about 0.5 us

  if (drv.cuDeviceGetUuid) {
    CUuuid uuid;
    if (drv.cuDeviceGetUuid(&uuid, d->device) == CUDA_SUCCESS) {
      std::memcpy(p.uuid, uuid.bytes, sizeof(p.uuid));
      p.has_uuid = 1;
    }
  }
  p.peak_memory_bandwidth_gbps =
      peak_bandwidth_gbps(attr(CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE),
                          attr(CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH));
  int fp32_lanes = 0, fp64_lanes = 0;
  if (lanes_per_sm(major, minor, &fp32_lanes, &fp64_lanes)) {
    const double ghz = clock_khz / 1e6;  // an FMA counts as two flops
    p.peak_fp32_gflops = 2.0 * fp32_lanes * p.compute_units * ghz;
    p.peak_fp64_gflops = 2.0 * fp64_lanes * p.compute_units * ghz;
  }

  AHAL_MAKE_CURRENT(d);
  AHAL_CU_CHECK(d, drv.cuCtxGetStreamPriorityRange(&d->priority_least, &d->priority_greatest),
                "cuCtxGetStreamPriorityRange(%s)", p.name);
  return AHAL_SUCCESS;
}

}  // namespace

ahal_status_t device_open(ahal_plugin_instance_t* instance, uint32_t index,
                          ahal_plugin_device_t** out_device) {
  const Driver& drv = instance->driver;
  auto d = std::make_unique<ahal_plugin_device_t>();
  d->instance = instance;
  d->ordinal = static_cast<int>(index);
  d->id = next_device_id.fetch_add(1);
  std::snprintf(d->props.name, sizeof(d->props.name), "CUDA device %u", index);
  AHAL_CU_CHECK(d.get(), drv.cuDeviceGet(&d->device, d->ordinal), "cuDeviceGet(%u)", index);
  AHAL_CU_CHECK(d.get(), drv.cuDevicePrimaryCtxRetain(&d->context, d->device),
                "cuDevicePrimaryCtxRetain(device %u)", index);
  const ahal_status_t status = query_properties(d.get());
  if (status != AHAL_SUCCESS) {
    drv.cuDevicePrimaryCtxRelease(d->device);
    return status;
  }
  *out_device = d.release();
  return AHAL_SUCCESS;
}

void device_close(ahal_plugin_device_t* d) {
  const CUresult result = d->drv().cuDevicePrimaryCtxRelease(d->device);
  if (result != CUDA_SUCCESS) log_failure(d, "cuDevicePrimaryCtxRelease", result);
  delete d;
}

ahal_status_t device_get_properties(ahal_plugin_device_t* d, ahal_device_properties_t* props) {
  // Leave the loader's own fields (plugin, selector) as they are.
  ahal_device_properties_t p = d->props;
  if (AHAL_PLUGIN_HAS_FIELD(props, ahal_device_properties_t, plugin))
    std::memcpy(p.plugin, props->plugin, sizeof(p.plugin));
  if (AHAL_PLUGIN_HAS_FIELD(props, ahal_device_properties_t, selector))
    std::memcpy(p.selector, props->selector, sizeof(p.selector));
  ahal::plugin::write_struct(props, p);
  return AHAL_SUCCESS;
}

ahal_status_t device_memory_usage(ahal_plugin_device_t* d, uint64_t* out_used,
                                  uint64_t* out_total) {
  AHAL_MAKE_CURRENT(d);
  size_t free_bytes = 0, total = 0;
  AHAL_CU_CHECK(d, d->drv().cuMemGetInfo(&free_bytes, &total), "cuMemGetInfo(%s)", d->props.name);
  *out_used = total - free_bytes;
  *out_total = total;
  return AHAL_SUCCESS;
}

ahal_status_t image_score(ahal_plugin_device_t* d, ahal_module_format_t format, const char* target,
                          int32_t* out_score) {
  *out_score = image_score(format, target ? target : "", d->cc);
  return AHAL_SUCCESS;
}

}  // namespace ahal_cuda

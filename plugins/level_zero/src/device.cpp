// Level Zero: start-up, device enumeration and properties, memory.
#include "objects.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace ahal_ze {

namespace {

constexpr uint64_t kBufferAlignment = 256;
constexpr uint32_t kBindingOffsetAlignment = 64;

bool subdevices_requested() {
  const char* env = std::getenv("AHAL_ZE_SUBDEVICES");
  return env && *env && std::strcmp(env, "0") != 0;
}

void destroy_contexts(ahal_plugin_instance_t* instance) {
  for (ze_context_handle_t context : instance->contexts) instance->ze.zeContextDestroy(context);
  instance->contexts.clear();
}

// GPU devices of one driver, in its order; each root device is replaced by
// its sub-devices when those are asked for and it has any.
ze_result_t collect_devices(const Loader& ze, ze_driver_handle_t driver, bool subdevices,
                            std::vector<ze_device_handle_t>* out) {
  uint32_t count = 0;
  if (ze_result_t r = ze.zeDeviceGet(driver, &count, nullptr); r != ZE_RESULT_SUCCESS) return r;
  std::vector<ze_device_handle_t> roots(count);
  if (ze_result_t r = ze.zeDeviceGet(driver, &count, roots.data()); r != ZE_RESULT_SUCCESS)
    return r;
  roots.resize(count);
  for (ze_device_handle_t root : roots) {
    ze_device_properties_t props{};
    props.stype = ZE_STRUCTURE_TYPE_DEVICE_PROPERTIES;
    if (ze_result_t r = ze.zeDeviceGetProperties(root, &props); r != ZE_RESULT_SUCCESS) return r;
    if (props.type != ZE_DEVICE_TYPE_GPU) continue;
    uint32_t sub_count = 0;
    if (subdevices && ze.zeDeviceGetSubDevices(root, &sub_count, nullptr) == ZE_RESULT_SUCCESS &&
        sub_count > 0) {
      std::vector<ze_device_handle_t> subs(sub_count);
      if (ze_result_t r = ze.zeDeviceGetSubDevices(root, &sub_count, subs.data());
          r != ZE_RESULT_SUCCESS)
        return r;
      subs.resize(sub_count);
      out->insert(out->end(), subs.begin(), subs.end());
    } else {
      out->push_back(root);
    }
  }
  return ZE_RESULT_SUCCESS;
}

}  // namespace

ahal_status_t fail(const ahal_plugin_host_t* host, ahal_status_t status, const std::string& msg) {
  host->set_error_message(msg.c_str());
  return status;
}

ahal_status_t fail(const ahal_plugin_device_t* dev, ahal_status_t status, const std::string& msg) {
  return fail(dev->instance->host, status, msg);
}

ahal_status_t status_of(ze_result_t result) {
  switch (result) {
    case ZE_RESULT_SUCCESS:
      return AHAL_SUCCESS;
    case ZE_RESULT_NOT_READY:
      return AHAL_NOT_READY;
    case ZE_RESULT_ERROR_DEVICE_LOST:
    case ZE_RESULT_ERROR_DEVICE_REQUIRES_RESET:
      return AHAL_ERROR_DEVICE_LOST;
    case ZE_RESULT_ERROR_OUT_OF_HOST_MEMORY:
      return AHAL_ERROR_OUT_OF_HOST_MEMORY;
    case ZE_RESULT_ERROR_OUT_OF_DEVICE_MEMORY:
      return AHAL_ERROR_OUT_OF_DEVICE_MEMORY;
    case ZE_RESULT_ERROR_MODULE_BUILD_FAILURE:
    case ZE_RESULT_ERROR_MODULE_LINK_FAILURE:
    case ZE_RESULT_ERROR_INVALID_NATIVE_BINARY:
      return AHAL_ERROR_BUILD_FAILED;
    case ZE_RESULT_ERROR_INVALID_KERNEL_NAME:
      return AHAL_ERROR_NOT_FOUND;
    case ZE_RESULT_ERROR_UNSUPPORTED_FEATURE:
    case ZE_RESULT_ERROR_UNSUPPORTED_VERSION:
    case ZE_RESULT_ERROR_UNSUPPORTED_ENUMERATION:
      return AHAL_ERROR_UNSUPPORTED;
    case ZE_RESULT_ERROR_UNSUPPORTED_SIZE:
    case ZE_RESULT_ERROR_INVALID_GROUP_SIZE_DIMENSION:
    case ZE_RESULT_ERROR_INVALID_GLOBAL_WIDTH_DIMENSION:
      return AHAL_ERROR_OUT_OF_RANGE;
    default:
      return AHAL_ERROR_PLUGIN;
  }
}

ahal_status_t ze_fail(const ahal_plugin_device_t* dev, ze_result_t result, const char* call,
                      const std::string& context) {
  std::string msg = std::string(call) + " failed: " + result_name(result);
  if (status_of(result) == AHAL_ERROR_DEVICE_LOST)
    msg += "; the device is lost and must be reopened";
  if (!context.empty()) msg += " (" + context + ")";
  return fail(dev, status_of(result), msg);
}

void log_failure(const ahal_plugin_device_t* dev, ze_result_t result, const char* call) {
  if (result == ZE_RESULT_SUCCESS) return;
  const ahal_plugin_host_t* host = dev->instance->host;
  std::string msg = std::string(call) + " failed: " + result_name(result);
  if (host->log) host->log(AHAL_LOG_WARNING, "level_zero", msg.c_str());
}

// ------------------------------------------------------------- plugin

ahal_status_t plugin_init(const ahal_plugin_host_t* host, const ahal_plugin_init_args_t* args,
                          ahal_plugin_instance_t** out_instance) {
  return guarded(host, [&]() -> ahal_status_t {
    auto instance = std::make_unique<ahal_plugin_instance_t>();
    instance->host = host;
    std::string error;
    switch (load_loader(&instance->ze, &error)) {
      case LoadResult::kLoaded:
        break;
      case LoadResult::kNotFound:
        return fail(host, AHAL_ERROR_NOT_FOUND, error);
      case LoadResult::kIncomplete:
        return fail(host, AHAL_ERROR_INCOMPATIBLE, error);
    }
    const Loader& ze = instance->ze;
    // With no driver installed the loader answers zeInit with
    // ZE_RESULT_ERROR_UNINITIALIZED.
    if (ze_result_t r = ze.zeInit(ZE_INIT_FLAG_GPU_ONLY); r != ZE_RESULT_SUCCESS)
      return fail(host, AHAL_ERROR_NOT_FOUND,
                  "no Level Zero GPU driver: zeInit failed: " + result_name(r) + " (loader " +
                      ze.path + ")");
    uint32_t driver_count = 0;
    if (ze_result_t r = ze.zeDriverGet(&driver_count, nullptr); r != ZE_RESULT_SUCCESS)
      return fail(host, AHAL_ERROR_NOT_FOUND, "zeDriverGet failed: " + result_name(r));
    std::vector<ze_driver_handle_t> drivers(driver_count);
    if (driver_count > 0) {
      if (ze_result_t r = ze.zeDriverGet(&driver_count, drivers.data()); r != ZE_RESULT_SUCCESS)
        return fail(host, AHAL_ERROR_NOT_FOUND, "zeDriverGet failed: " + result_name(r));
    }
    drivers.resize(driver_count);
    const bool subdevices = subdevices_requested();
    for (ze_driver_handle_t driver : drivers) {
      std::vector<ze_device_handle_t> devices;
      if (ze_result_t r = collect_devices(ze, driver, subdevices, &devices);
          r != ZE_RESULT_SUCCESS) {
        destroy_contexts(instance.get());
        return fail(host, AHAL_ERROR_PLUGIN,
                    "listing Level Zero devices failed: " + result_name(r));
      }
      if (devices.empty()) continue;
      ze_context_desc_t desc{};
      desc.stype = ZE_STRUCTURE_TYPE_CONTEXT_DESC;
      ze_context_handle_t context = nullptr;
      if (ze_result_t r = ze.zeContextCreate(driver, &desc, &context); r != ZE_RESULT_SUCCESS) {
        destroy_contexts(instance.get());
        return fail(host, AHAL_ERROR_PLUGIN, "zeContextCreate failed: " + result_name(r));
      }
      instance->contexts.push_back(context);
      for (ze_device_handle_t device : devices)
        instance->devices.push_back({driver, context, device});
    }
    if (instance->devices.empty())
      return fail(host, AHAL_ERROR_NOT_FOUND,
                  "no Level Zero GPU devices (" + std::to_string(driver_count) +
                      " driver(s), loader " + ze.path + ")");
    *out_instance = instance.release();
    return AHAL_SUCCESS;
  });
}

void plugin_shutdown(ahal_plugin_instance_t* instance) {
  destroy_contexts(instance);
  delete instance;
}

ahal_status_t device_count(ahal_plugin_instance_t* instance, uint32_t* out_count) {
  *out_count = static_cast<uint32_t>(instance->devices.size());
  return AHAL_SUCCESS;
}

namespace {

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
    return fail(dev, AHAL_ERROR_UNSUPPORTED, "the device has no compute command queue group");
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
  return guarded(instance->host, [&]() -> ahal_status_t {
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
  });
}

void device_close(ahal_plugin_device_t* dev) {
  destroy_signal_pools(dev);
  delete dev;
}

ahal_status_t device_get_properties(ahal_plugin_device_t* dev, ahal_device_properties_t* props) {
  ahal_device_properties_t out = dev->properties;
  out.struct_size = props->struct_size;
  std::memcpy(props, &out, std::min(props->struct_size, sizeof(out)));
  return AHAL_SUCCESS;
}

// ------------------------------------------------------------- memory

ahal_status_t buffer_create(ahal_plugin_device_t* dev, const ahal_buffer_args_t* args,
                            ahal_plugin_buffer_t** out_buffer) {
  return guarded(dev->instance->host, [&]() -> ahal_status_t {
    auto buffer = std::make_unique<ahal_plugin_buffer_t>();
    buffer->size = args->size;
    uint32_t flags = AHAL_PLUGIN_HAS_FIELD(args, ahal_buffer_args_t, flags) ? args->flags : 0;
    buffer->host_visible = (flags & AHAL_MEMORY_HOST_VISIBLE) != 0;
    ze_device_mem_alloc_desc_t device_desc{};
    device_desc.stype = ZE_STRUCTURE_TYPE_DEVICE_MEM_ALLOC_DESC;
    const Loader& ze = *dev->ze;
    ze_result_t r;
    const char* call;
    if (buffer->host_visible) {
      // Shared USM: the driver migrates it between host and device.
      ze_host_mem_alloc_desc_t host_desc{};
      host_desc.stype = ZE_STRUCTURE_TYPE_HOST_MEM_ALLOC_DESC;
      r = ze.zeMemAllocShared(dev->context, &device_desc, &host_desc, args->size, kBufferAlignment,
                              dev->device, &buffer->pointer);
      call = "zeMemAllocShared";
    } else {
      r = ze.zeMemAllocDevice(dev->context, &device_desc, args->size, kBufferAlignment, dev->device,
                              &buffer->pointer);
      call = "zeMemAllocDevice";
    }
    if (r != ZE_RESULT_SUCCESS) return ze_fail(dev, r, call, std::to_string(args->size) + " bytes");
    *out_buffer = buffer.release();
    return AHAL_SUCCESS;
  });
}

void buffer_destroy(ahal_plugin_device_t* dev, ahal_plugin_buffer_t* buffer) {
  log_failure(dev, dev->ze->zeMemFree(dev->context, buffer->pointer), "zeMemFree");
  delete buffer;
}

ahal_status_t buffer_map(ahal_plugin_device_t* dev, ahal_plugin_buffer_t* buffer, uint64_t offset,
                         uint64_t size, void** out_pointer) {
  if (!buffer->host_visible)
    return fail(dev, AHAL_ERROR_INVALID_STATE, "buffer was not created HOST_VISIBLE");
  *out_pointer = static_cast<uint8_t*>(buffer->pointer) + offset;
  return AHAL_SUCCESS;
}

ahal_status_t buffer_unmap(ahal_plugin_device_t* dev, ahal_plugin_buffer_t* buffer) {
  return AHAL_SUCCESS;  // shared USM needs no unmap
}

ahal_status_t host_alloc(ahal_plugin_device_t* dev, uint64_t size, uint32_t flags,
                         void** out_pointer, ahal_plugin_host_alloc_t** out_alloc) {
  return guarded(dev->instance->host, [&]() -> ahal_status_t {
    auto alloc = std::make_unique<ahal_plugin_host_alloc_t>();
    ze_host_mem_alloc_desc_t desc{};
    desc.stype = ZE_STRUCTURE_TYPE_HOST_MEM_ALLOC_DESC;
    ze_result_t r =
        dev->ze->zeMemAllocHost(dev->context, &desc, size, kBufferAlignment, &alloc->pointer);
    if (r != ZE_RESULT_SUCCESS)
      return ze_fail(dev, r, "zeMemAllocHost", std::to_string(size) + " bytes");
    *out_pointer = alloc->pointer;
    *out_alloc = alloc.release();
    return AHAL_SUCCESS;
  });
}

void host_free(ahal_plugin_device_t* dev, ahal_plugin_host_alloc_t* alloc) {
  log_failure(dev, dev->ze->zeMemFree(dev->context, alloc->pointer), "zeMemFree");
  delete alloc;
}

}  // namespace ahal_ze

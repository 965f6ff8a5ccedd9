// Instance creation, device enumeration and opening, device properties and
// the on-disk pipeline cache.
#include "objects.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <thread>

namespace ahal_vulkan {

ahal_status_t device_count(ahal_plugin_instance_t* in, uint32_t* out) {
  *out = static_cast<uint32_t>(object<Instance>(in)->physical_devices.size());
  return AHAL_SUCCESS;
}

// --------------------------------------------------------------- instance

namespace {

std::string version_string(uint32_t v) {
  return std::to_string(VK_API_VERSION_MAJOR(v)) + "." + std::to_string(VK_API_VERSION_MINOR(v)) +
         "." + std::to_string(VK_API_VERSION_PATCH(v));
}

bool has_extension(const std::vector<VkExtensionProperties>& list, const char* name) {
  for (const auto& e : list)
    if (std::strcmp(e.extensionName, name) == 0) return true;
  return false;
}

std::vector<VkExtensionProperties> device_extensions(const Instance& in, VkPhysicalDevice pd) {
  uint32_t n = 0;
  in.fn.vkEnumerateDeviceExtensionProperties(pd, nullptr, &n, nullptr);
  std::vector<VkExtensionProperties> list(n);
  if (n) in.fn.vkEnumerateDeviceExtensionProperties(pd, nullptr, &n, list.data());
  list.resize(n);
  return list;
}

// The queue family streams use: compute, preferably with timestamps, then
// the one with most queues. UINT32_MAX if none.
uint32_t compute_family(const Instance& in, VkPhysicalDevice pd, uint32_t* queue_count,
                        uint32_t* timestamp_bits) {
  uint32_t n = 0;
  in.fn.vkGetPhysicalDeviceQueueFamilyProperties(pd, &n, nullptr);
  std::vector<VkQueueFamilyProperties> families(n);
  in.fn.vkGetPhysicalDeviceQueueFamilyProperties(pd, &n, families.data());
  uint32_t best = UINT32_MAX;
  for (uint32_t i = 0; i < n; ++i) {
    const auto& f = families[i];
    if (!(f.queueFlags & VK_QUEUE_COMPUTE_BIT) || f.queueCount == 0) continue;
    if (best == UINT32_MAX) {
      best = i;
      continue;
    }
    const auto& b = families[best];
    bool ts = f.timestampValidBits > 0, bts = b.timestampValidBits > 0;
    if ((ts && !bts) || (ts == bts && f.queueCount > b.queueCount)) best = i;
  }
  if (best != UINT32_MAX) {
    if (queue_count) *queue_count = families[best].queueCount;
    if (timestamp_bits) *timestamp_bits = families[best].timestampValidBits;
  }
  return best;
}

// Why a physical device cannot serve ahal, or "" if it can.
std::string unusable_reason(const Instance& in, VkPhysicalDevice pd) {
  VkPhysicalDeviceProperties p;
  in.fn.vkGetPhysicalDeviceProperties(pd, &p);
  if (p.apiVersion < VK_API_VERSION_1_1)
    return "Vulkan " + version_string(p.apiVersion) + " (1.1 needed)";
  if (compute_family(in, pd, nullptr, nullptr) == UINT32_MAX) return "no compute queue";
  bool timeline = false;
  if (p.apiVersion >= VK_API_VERSION_1_2 && in.api_version >= VK_API_VERSION_1_2) {
    auto f12 = vk_struct<VkPhysicalDeviceVulkan12Features>();
    auto f = vk_struct<VkPhysicalDeviceFeatures2>(&f12);
    in.fn.vkGetPhysicalDeviceFeatures2(pd, &f);
    timeline = f12.timelineSemaphore;
  } else if (has_extension(device_extensions(in, pd), VK_KHR_TIMELINE_SEMAPHORE_EXTENSION_NAME)) {
    auto ft = vk_struct<VkPhysicalDeviceTimelineSemaphoreFeatures>();
    auto f = vk_struct<VkPhysicalDeviceFeatures2>(&ft);
    in.fn.vkGetPhysicalDeviceFeatures2(pd, &f);
    timeline = ft.timelineSemaphore;
  }
  if (!timeline) return "no timeline semaphores (Vulkan 1.2 or VK_KHR_timeline_semaphore)";
  return "";
}

// The optional features a device is asked about, or created with, chained
// under `base`: the Vulkan 1.2 core structs, or before 1.2 the extension
// ones. The chain points into the object itself, so it does not copy.
struct FeatureChain {
  VkPhysicalDeviceFeatures2 base = vk_struct<VkPhysicalDeviceFeatures2>();
  VkPhysicalDeviceVulkan11Features v11 = vk_struct<VkPhysicalDeviceVulkan11Features>();
  VkPhysicalDeviceVulkan12Features v12 = vk_struct<VkPhysicalDeviceVulkan12Features>();
  VkPhysicalDevice16BitStorageFeatures storage16 =
      vk_struct<VkPhysicalDevice16BitStorageFeatures>();
  VkPhysicalDeviceTimelineSemaphoreFeatures timeline =
      vk_struct<VkPhysicalDeviceTimelineSemaphoreFeatures>();

  explicit FeatureChain(bool core12) {
    if (core12) {
      base.pNext = &v11;
      v11.pNext = &v12;
    } else {
      base.pNext = &storage16;
      storage16.pNext = &timeline;
    }
  }
  FeatureChain(const FeatureChain&) = delete;
  FeatureChain& operator=(const FeatureChain&) = delete;
};

}  // namespace

ahal_status_t instance_create(const ahal_plugin_init_args_t* args, Instance** out) {
  auto in = std::make_unique<Instance>();
  std::string error;
  if (!ahal_vk::load_global(&in->global, &error))
    return fail(AHAL_ERROR_NOT_FOUND, "%s", error.c_str());
  uint32_t version = VK_API_VERSION_1_0;
  if (in->global.vkEnumerateInstanceVersion) in->global.vkEnumerateInstanceVersion(&version);
  if (version < VK_API_VERSION_1_1)
    return fail(AHAL_ERROR_NOT_FOUND, "the Vulkan loader is version %s; ahal needs 1.1",
                version_string(version).c_str());
  in->api_version = std::min<uint32_t>(version, VK_API_VERSION_1_3);
  if (AHAL_PLUGIN_HAS_FIELD(args, ahal_plugin_init_args_t, cache_dir) && args->cache_dir)
    in->cache_dir = args->cache_dir;

  std::vector<const char*> layers;
  if (AHAL_PLUGIN_HAS_FIELD(args, ahal_plugin_init_args_t, runtime_flags) &&
      (args->runtime_flags & AHAL_RUNTIME_VALIDATION)) {
    uint32_t n = 0;
    in->global.vkEnumerateInstanceLayerProperties(&n, nullptr);
    std::vector<VkLayerProperties> all(n);
    if (n) in->global.vkEnumerateInstanceLayerProperties(&n, all.data());
    for (const auto& l : all)
      if (std::strcmp(l.layerName, "VK_LAYER_KHRONOS_validation") == 0) in->validation = true;
    if (in->validation)
      layers.push_back("VK_LAYER_KHRONOS_validation");
    else
      log(AHAL_LOG_INFO, "validation asked for, but VK_LAYER_KHRONOS_validation is not installed");
  }

  auto app = vk_struct<VkApplicationInfo>();
  app.pApplicationName = "ahal";
  app.pEngineName = "ahal";
  app.apiVersion = in->api_version;
  auto ci = vk_struct<VkInstanceCreateInfo>();
  ci.pApplicationInfo = &app;
  ci.enabledLayerCount = static_cast<uint32_t>(layers.size());
  ci.ppEnabledLayerNames = layers.data();
  VkResult r = in->global.vkCreateInstance(&ci, nullptr, &in->instance);
  if (r == VK_ERROR_INCOMPATIBLE_DRIVER)
    return fail(AHAL_ERROR_NOT_FOUND, "no Vulkan driver (vkCreateInstance: %s)",
                ahal_vk::result_name(r));
  if (r != VK_SUCCESS) return vk_fail(r, "vkCreateInstance");
  if (!ahal_vk::load_instance(in->global, in->instance, &in->fn, &error)) {
    instance_destroy(in.release());
    return fail(AHAL_ERROR_NOT_FOUND, "%s", error.c_str());
  }

  uint32_t n = 0;
  r = in->fn.vkEnumeratePhysicalDevices(in->instance, &n, nullptr);
  std::vector<VkPhysicalDevice> all(n);
  if (r == VK_SUCCESS && n) r = in->fn.vkEnumeratePhysicalDevices(in->instance, &n, all.data());
  if (r != VK_SUCCESS && r != VK_INCOMPLETE) {
    instance_destroy(in.release());
    return vk_fail(r, "vkEnumeratePhysicalDevices");
  }
  all.resize(n);
  std::string skipped;
  for (VkPhysicalDevice pd : all) {
    std::string why = unusable_reason(*in, pd);
    if (why.empty()) {
      in->physical_devices.push_back(pd);
      continue;
    }
    VkPhysicalDeviceProperties p;
    in->fn.vkGetPhysicalDeviceProperties(pd, &p);
    std::string line = std::string(p.deviceName) + ": " + why;
    log(AHAL_LOG_INFO, "skipping " + line);
    skipped += (skipped.empty() ? "" : "; ") + line;
  }
  if (in->physical_devices.empty()) {
    instance_destroy(in.release());
    if (all.empty()) return fail(AHAL_ERROR_NOT_FOUND, "no Vulkan device");
    return fail(AHAL_ERROR_NOT_FOUND, "no usable Vulkan device (%s)", skipped.c_str());
  }
  *out = in.release();
  return AHAL_SUCCESS;
}

void instance_destroy(Instance* in) {
  if (!in) return;
  if (in->instance && in->fn.vkDestroyInstance) in->fn.vkDestroyInstance(in->instance, nullptr);
  delete in;
}

// ----------------------------------------------------------------- device

Queue* pick_queue(Device* device) {
  uint32_t i = device->next_queue.fetch_add(1) % device->queues.size();
  return device->queues[i].get();
}

ahal_status_t Device::check(VkResult result, const char* what) {
  if (result == VK_SUCCESS) return AHAL_SUCCESS;
  if (result == VK_ERROR_DEVICE_LOST) lost.store(true);
  return vk_fail(result, what);
}

ahal_status_t Device::open(Instance* in, uint32_t device_index) {
  instance = in;
  index = device_index;
  physical = in->physical_devices[device_index];
  const auto& f = in->fn;
  f.vkGetPhysicalDeviceProperties(physical, &props);
  f.vkGetPhysicalDeviceMemoryProperties(physical, &memory_props);
  uint32_t queue_count = 0;
  queue_family = compute_family(*in, physical, &queue_count, &timestamp_valid_bits);
  queue_count = std::min<uint32_t>(queue_count, 8);

  auto extensions = device_extensions(*in, physical);
  std::vector<const char*> enable;
  push_descriptors = has_extension(extensions, VK_KHR_PUSH_DESCRIPTOR_EXTENSION_NAME);
  // Lets tests cover the descriptor-pool path on drivers with push descriptors.
  if (const char* off = std::getenv("AHAL_VULKAN_NO_PUSH_DESCRIPTORS"); off && *off && *off != '0')
    push_descriptors = false;
  if (push_descriptors) enable.push_back(VK_KHR_PUSH_DESCRIPTOR_EXTENSION_NAME);
  if (has_extension(extensions, "VK_KHR_portability_subset"))
    enable.push_back("VK_KHR_portability_subset");  // required when offered
  const bool core12 =
      props.apiVersion >= VK_API_VERSION_1_2 && in->api_version >= VK_API_VERSION_1_2;
  if (!core12) enable.push_back(VK_KHR_TIMELINE_SEMAPHORE_EXTENSION_NAME);

  // Query the optional features, then enable only those kernels may use.
  FeatureChain q(core12);
  f.vkGetPhysicalDeviceFeatures2(physical, &q.base);
  FeatureChain e(core12);
  e.base.features.shaderFloat64 = has_fp64 = q.base.features.shaderFloat64;
  e.base.features.shaderInt64 = has_int64 = q.base.features.shaderInt64;
  e.base.features.shaderInt16 = has_int16 = q.base.features.shaderInt16;
  if (core12) {
    e.v11.storageBuffer16BitAccess = has_storage16 = q.v11.storageBuffer16BitAccess;
    e.v12.timelineSemaphore = VK_TRUE;
    e.v12.shaderFloat16 = has_fp16 = q.v12.shaderFloat16;
    e.v12.shaderInt8 = has_int8 = q.v12.shaderInt8;
    e.v12.storageBuffer8BitAccess = has_storage8 = q.v12.storageBuffer8BitAccess;
    e.v12.shaderBufferInt64Atomics = has_int64_atomics = q.v12.shaderBufferInt64Atomics;
  } else {
    e.storage16.storageBuffer16BitAccess = has_storage16 = q.storage16.storageBuffer16BitAccess;
    e.timeline.timelineSemaphore = VK_TRUE;
  }

  std::vector<float> priorities(queue_count, 1.0f);
  auto qci = vk_struct<VkDeviceQueueCreateInfo>();
  qci.queueFamilyIndex = queue_family;
  qci.queueCount = queue_count;
  qci.pQueuePriorities = priorities.data();
  auto dci = vk_struct<VkDeviceCreateInfo>();
  dci.pNext = &e.base;
  dci.queueCreateInfoCount = 1;
  dci.pQueueCreateInfos = &qci;
  dci.enabledExtensionCount = static_cast<uint32_t>(enable.size());
  dci.ppEnabledExtensionNames = enable.data();
  AHAL_VK_CHECK(f.vkCreateDevice(physical, &dci, nullptr, &device), "vkCreateDevice");
  std::string error;
  if (!ahal_vk::load_device(f, device, &fn, &error))
    return fail(AHAL_ERROR_PLUGIN, "%s", error.c_str());
  if (push_descriptors && !fn.vkCmdPushDescriptorSetKHR) push_descriptors = false;
  for (uint32_t i = 0; i < queue_count; ++i) {
    auto q_ = std::make_unique<Queue>();
    fn.vkGetDeviceQueue(device, queue_family, i, &q_->queue);
    queues.push_back(std::move(q_));
  }
  fill_properties(extensions);
  allocator.init(this);
  load_pipeline_cache();
  return AHAL_SUCCESS;
}

Device::~Device() {
  if (!device) return;
  fn.vkDeviceWaitIdle(device);
  save_pipeline_cache();
  if (pipeline_cache) fn.vkDestroyPipelineCache(device, pipeline_cache, nullptr);
  for (auto& l : layouts_) {
    fn.vkDestroyPipelineLayout(device, l->layout, nullptr);
    fn.vkDestroyDescriptorSetLayout(device, l->set_layout, nullptr);
  }
  allocator.shutdown();
  fn.vkDestroyDevice(device, nullptr);
}

// ------------------------------------------------------------- properties

namespace {

const char* vendor_name(uint32_t id) {
  switch (id) {
    case 0x10DE:
      return "NVIDIA";
    case 0x1002:
      return "AMD";
    case 0x8086:
      return "Intel";
    case 0x13B5:
      return "ARM";
    case 0x5143:
      return "Qualcomm";
    case 0x1010:
      return "Imagination";
    case 0x106B:
      return "Apple";
    case VK_VENDOR_ID_MESA:
      return "Mesa";
    default:
      return nullptr;
  }
}

}  // namespace

void Device::fill_properties(const std::vector<VkExtensionProperties>& extensions) {
  const auto& f = instance->fn;
  const bool core12 =
      props.apiVersion >= VK_API_VERSION_1_2 && instance->api_version >= VK_API_VERSION_1_2;
  const bool core13 =
      props.apiVersion >= VK_API_VERSION_1_3 && instance->api_version >= VK_API_VERSION_1_3;

  auto p2 = vk_struct<VkPhysicalDeviceProperties2>();
  auto subgroup = vk_struct<VkPhysicalDeviceSubgroupProperties>();
  auto id = vk_struct<VkPhysicalDeviceIDProperties>();
  auto m3 = vk_struct<VkPhysicalDeviceMaintenance3Properties>();
  auto driver = vk_struct<VkPhysicalDeviceDriverProperties>();
  auto sizes = vk_struct<VkPhysicalDeviceSubgroupSizeControlProperties>();
  auto push = vk_struct<VkPhysicalDevicePushDescriptorPropertiesKHR>();
  auto sm = vk_struct<VkPhysicalDeviceShaderSMBuiltinsPropertiesNV>();
  auto amd = vk_struct<VkPhysicalDeviceShaderCorePropertiesAMD>();
  // Chain only structs whose version or extension the device has.
  void** next = &p2.pNext;
  auto chain = [&next](auto* s) {
    *next = s;
    next = &s->pNext;
  };
  chain(&subgroup);
  chain(&id);
  chain(&m3);
  const bool has_driver =
      core12 || has_extension(extensions, VK_KHR_DRIVER_PROPERTIES_EXTENSION_NAME);
  if (has_driver) chain(&driver);
  const bool has_sizes =
      core13 || has_extension(extensions, VK_EXT_SUBGROUP_SIZE_CONTROL_EXTENSION_NAME);
  if (has_sizes) chain(&sizes);
  if (push_descriptors) chain(&push);
  const bool has_sm = has_extension(extensions, VK_NV_SHADER_SM_BUILTINS_EXTENSION_NAME);
  if (has_sm) chain(&sm);
  const bool has_amd = has_extension(extensions, VK_AMD_SHADER_CORE_PROPERTIES_EXTENSION_NAME);
  if (has_amd) chain(&amd);
  f.vkGetPhysicalDeviceProperties2(physical, &p2);

  const VkPhysicalDeviceLimits& lim = props.limits;
  ahal_device_properties_t& o = properties;
  o = ahal_device_properties_t{};
  o.struct_size = sizeof(o);
  ahal::plugin::copy_string(o.name, props.deviceName);
  const char* vendor = vendor_name(props.vendorID);
  char vendor_hex[32];
  std::snprintf(vendor_hex, sizeof(vendor_hex), "0x%04x", props.vendorID);
  ahal::plugin::copy_string(o.vendor, vendor ? vendor : vendor_hex);
  std::string drv;
  if (has_driver) {
    drv = std::string(driver.driverName) + " " + driver.driverInfo;
  } else {
    drv = "driver " + std::to_string(props.driverVersion);
  }
  drv += ", Vulkan " + version_string(props.apiVersion);
  ahal::plugin::copy_string(o.driver_version, drv);
  switch (props.deviceType) {
    case VK_PHYSICAL_DEVICE_TYPE_CPU:
      o.type = AHAL_DEVICE_TYPE_CPU;
      break;
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU:
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU:
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU:
      o.type = AHAL_DEVICE_TYPE_GPU;
      break;
    default:
      o.type = AHAL_DEVICE_TYPE_OTHER;
      break;
  }
  if (has_sm)
    o.compute_units = sm.shaderSMCount;
  else if (has_amd)
    o.compute_units =
        amd.shaderEngineCount * amd.shaderArraysPerEngineCount * amd.computeUnitsPerShaderArray;
  else if (props.deviceType == VK_PHYSICAL_DEVICE_TYPE_CPU)
    o.compute_units = std::thread::hardware_concurrency();  // llvmpipe: a thread per core

  uint64_t device_local = 0, largest_heap = 0;
  for (uint32_t i = 0; i < memory_props.memoryHeapCount; ++i) {
    const auto& h = memory_props.memoryHeaps[i];
    if (h.flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT) device_local += h.size;
    largest_heap = std::max<uint64_t>(largest_heap, h.size);
  }
  o.global_memory_bytes = device_local ? device_local : largest_heap;
  o.max_allocation_bytes = std::min<uint64_t>(m3.maxMemoryAllocationSize, largest_heap);
  o.max_workgroup_size = lim.maxComputeWorkGroupInvocations;
  for (int d = 0; d < 3; ++d) {
    o.max_workgroup_dims[d] =
        std::min(lim.maxComputeWorkGroupSize[d], lim.maxComputeWorkGroupInvocations);
    // gl_GlobalInvocationID is 32-bit: grid * workgroup must fit in it even
    // with the largest workgroup.
    o.max_grid_dims[d] = std::min<uint32_t>(lim.maxComputeWorkGroupCount[d],
                                            UINT32_MAX / std::max(o.max_workgroup_dims[d], 1u));
  }
  // lavapipe counts a dispatch's work-groups in an int: beyond INT32_MAX it
  // runs none or too few (Mesa's llvmpipe_launch_grid), so launches above
  // that are refused (Stream::launch).
  if (has_driver && driver.driverID == VK_DRIVER_ID_MESA_LLVMPIPE)
    max_groups_per_launch = INT32_MAX;
  o.shared_memory_per_workgroup = lim.maxComputeSharedMemorySize;
  o.subgroup_size_min = o.subgroup_size_max = subgroup.subgroupSize;
  if (has_sizes && sizes.minSubgroupSize) {
    o.subgroup_size_min = sizes.minSubgroupSize;
    o.subgroup_size_max = sizes.maxSubgroupSize;
  }
  o.max_bindings = std::min<uint32_t>(AHAL_MAX_BINDINGS, lim.maxPerStageDescriptorStorageBuffers);
  if (push_descriptors) o.max_bindings = std::min(o.max_bindings, push.maxPushDescriptors);
  o.max_constants_size = std::min<uint32_t>(AHAL_MAX_CONSTANTS_SIZE, lim.maxPushConstantsSize);
  o.binding_offset_alignment = static_cast<uint32_t>(lim.minStorageBufferOffsetAlignment);
  o.module_formats = 1ull << AHAL_MODULE_FORMAT_SPIRV_VULKAN;
  uint64_t feat = AHAL_FEATURE_HOST_CALLBACKS | AHAL_FEATURE_DYNAMIC_SHARED_MEMORY |
                  AHAL_FEATURE_GENERAL_KERNELS;
  if (has_fp64) feat |= AHAL_FEATURE_FP64;
  if (has_fp16) feat |= AHAL_FEATURE_FP16;
  if (has_int64_atomics) feat |= AHAL_FEATURE_INT64_ATOMICS;
  bool host_visible = false, all_device_local_visible = true;
  for (uint32_t i = 0; i < memory_props.memoryTypeCount; ++i) {
    VkMemoryPropertyFlags fl = memory_props.memoryTypes[i].propertyFlags;
    if (fl & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT) host_visible = true;
    if ((fl & VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT) && !(fl & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT))
      all_device_local_visible = false;
  }
  if (host_visible) feat |= AHAL_FEATURE_HOST_VISIBLE_MEMORY;
  if (host_visible && all_device_local_visible &&
      props.deviceType != VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU)
    feat |= AHAL_FEATURE_UNIFIED_MEMORY;
  if (timestamp_valid_bits > 0 && props.limits.timestampPeriod > 0) {
    feat |= AHAL_FEATURE_TIMESTAMPS;
    o.timestamp_resolution_ps =
        static_cast<uint64_t>(static_cast<double>(props.limits.timestampPeriod) * 1000.0 + 0.5);
    if (o.timestamp_resolution_ps == 0) o.timestamp_resolution_ps = 1;
  }
  o.features = feat;
  std::memcpy(o.uuid, id.deviceUUID, 16);
  o.has_uuid = 1;
}

// ---------------------------------------------------------------- entries

ahal_status_t device_open(ahal_plugin_instance_t* ip, uint32_t index, ahal_plugin_device_t** out) {
  Instance* in = object<Instance>(ip);
  if (index >= in->physical_devices.size())
    return fail(AHAL_ERROR_OUT_OF_RANGE, "no Vulkan device %u", index);
  auto d = std::make_unique<Device>();
  ahal_status_t s = d->open(in, index);
  if (s != AHAL_SUCCESS) return s;
  *out = handle<ahal_plugin_device_t>(d.release());
  return AHAL_SUCCESS;
}

void device_close(ahal_plugin_device_t* d) { delete object<Device>(d); }

ahal_status_t device_get_properties(ahal_plugin_device_t* d, ahal_device_properties_t* props) {
  // The loader fills plugin and selector.
  ahal::plugin::write_struct(props, object<Device>(d)->properties);
  return AHAL_SUCCESS;
}

ahal_status_t device_memory_usage(ahal_plugin_device_t* d, uint64_t* used, uint64_t* total) {
  *used = object<Device>(d)->allocator.device_local_bytes();
  *total = object<Device>(d)->properties.global_memory_bytes;
  return AHAL_SUCCESS;
}

// Images for "" (any Vulkan) or "vulkanX.Y" up to the device's version;
// a newer-targeted image scores higher.
ahal_status_t image_score(ahal_plugin_device_t* dp, ahal_module_format_t format, const char* target,
                          int32_t* out) {
  *out = 0;
  if (format != AHAL_MODULE_FORMAT_SPIRV_VULKAN) return AHAL_SUCCESS;
  if (!target || !*target) {
    *out = 1;
    return AHAL_SUCCESS;
  }
  unsigned major = 0, minor = 0;
  char tail = 0;
  if (std::sscanf(target, "vulkan%u.%u%c", &major, &minor, &tail) == 2) {
    uint32_t v = VK_MAKE_API_VERSION(0, major, minor, 0);
    uint32_t have =
        std::min(object<Device>(dp)->props.apiVersion, object<Device>(dp)->instance->api_version);
    if (v <= have) *out = 2 + static_cast<int32_t>(major * 100 + minor);
  }
  return AHAL_SUCCESS;
}

}  // namespace ahal_vulkan

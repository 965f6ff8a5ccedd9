// Platforms and devices: enumeration, contexts, properties from
// clGetDeviceInfo, and which module images a device takes.
#include "objects.hpp"

#include <sys/utsname.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <limits>

namespace ahal_opencl {

ahal_status_t device_count(ahal_plugin_instance_t* instance, uint32_t* out_count) {
  *out_count = static_cast<uint32_t>(instance->devices.size());
  return AHAL_SUCCESS;
}

namespace {

// A string query (clGetDeviceInfo, clGetPlatformInfo): "" where the driver
// gives none.
template <class Query, class Object, class Param>
std::string info_string(Query query, Object object, Param param) {
  size_t size = 0;
  if (query(object, param, 0, nullptr, &size) != CL_SUCCESS || size == 0) return "";
  std::string value(size, '\0');
  if (query(object, param, size, value.data(), nullptr) != CL_SUCCESS) return "";
  value.resize(std::strlen(value.c_str()));
  return value;
}

}  // namespace

std::string device_string(cl_device_id device, cl_device_info param) {
  return info_string(cl.GetDeviceInfo, device, param);
}

std::string platform_string(cl_platform_id platform, cl_platform_info param) {
  return info_string(cl.GetPlatformInfo, platform, param);
}

namespace {

// A scalar device query; `fallback` where the device does not answer it.
template <typename T>
T device_value(cl_device_id device, cl_device_info param, T fallback) {
  T value{};
  if (cl.GetDeviceInfo(device, param, sizeof(T), &value, nullptr) != CL_SUCCESS) return fallback;
  return value;
}

bool has_extension(const std::string& extensions, const char* name) {
  std::string padded = " " + extensions + " ";
  return padded.find(" " + std::string(name) + " ") != std::string::npos;
}

uint32_t clamp_u32(uint64_t v) {
  return static_cast<uint32_t>(std::min<uint64_t>(v, std::numeric_limits<uint32_t>::max()));
}

// The device's architecture as its vendor names it, where a query says it.
std::string device_arch(cl_device_id device, cl_device_type type, const std::string& extensions,
                        const std::string& name) {
  if (has_extension(extensions, "cl_nv_device_attribute_query")) {
    cl_uint major = device_value<cl_uint>(device, CL_DEVICE_COMPUTE_CAPABILITY_MAJOR_NV, 0);
    cl_uint minor = device_value<cl_uint>(device, CL_DEVICE_COMPUTE_CAPABILITY_MINOR_NV, 0);
    if (major) return "sm_" + std::to_string(major) + std::to_string(minor);
  }
  // AMD's CL_DEVICE_NAME is the gfx target, e.g. "gfx90a:sramecc+:xnack-".
  if (has_extension(extensions, "cl_amd_device_attribute_query") && name.rfind("gfx", 0) == 0) {
    return name.substr(0, name.find(':'));
  }
  if (type & CL_DEVICE_TYPE_CPU) {
    struct utsname u;
    if (uname(&u) == 0) return u.machine;
  }
  return "";
}

void subgroup_sizes(cl_device_id device, const std::string& extensions, uint32_t* min_size,
                    uint32_t* max_size) {
  *min_size = *max_size = 0;  // unknown unless a vendor query says it
  if (has_extension(extensions, "cl_intel_required_subgroup_size")) {
    size_t bytes = 0;
    if (cl.GetDeviceInfo(device, CL_DEVICE_SUB_GROUP_SIZES_INTEL, 0, nullptr, &bytes) ==
            CL_SUCCESS &&
        bytes >= sizeof(size_t)) {
      std::vector<size_t> sizes(bytes / sizeof(size_t));
      if (cl.GetDeviceInfo(device, CL_DEVICE_SUB_GROUP_SIZES_INTEL, bytes, sizes.data(), nullptr) ==
          CL_SUCCESS) {
        *min_size = clamp_u32(*std::min_element(sizes.begin(), sizes.end()));
        *max_size = clamp_u32(*std::max_element(sizes.begin(), sizes.end()));
        return;
      }
    }
  }
  if (has_extension(extensions, "cl_nv_device_attribute_query")) {
    *min_size = *max_size = device_value<cl_uint>(device, CL_DEVICE_WARP_SIZE_NV, 0);
  } else if (has_extension(extensions, "cl_amd_device_attribute_query")) {
    *min_size = *max_size = device_value<cl_uint>(device, CL_DEVICE_WAVEFRONT_WIDTH_AMD, 0);
  }
}

void CL_CALLBACK context_notify(const char* message, const void*, size_t, void*) {
  log(AHAL_LOG_WARNING, std::string("OpenCL context: ") + message);
}

// Fills device->props and the capability flags from clGetDeviceInfo.
void query_device(ahal_plugin_device_t* d) {
  cl_device_id id = d->id;
  ahal_device_properties_t& p = d->props;
  p.struct_size = sizeof(p);
  std::string name = device_string(id, CL_DEVICE_NAME);
  std::string extensions = device_string(id, CL_DEVICE_EXTENSIONS);
  std::string device_version = device_string(id, CL_DEVICE_VERSION);
  std::string driver = device_string(id, CL_DRIVER_VERSION);
  std::string platform_version = platform_string(d->platform, CL_PLATFORM_VERSION);
  d->version = parse_cl_version(device_version);

  ahal::plugin::copy_string(p.name, name);
  ahal::plugin::copy_string(p.vendor, device_string(id, CL_DEVICE_VENDOR));
  ahal::plugin::copy_string(p.driver_version, driver);
  cl_device_type type = device_value<cl_device_type>(id, CL_DEVICE_TYPE, 0);
  ahal::plugin::copy_string(p.arch, device_arch(id, type, extensions, name));
  p.type = (type & CL_DEVICE_TYPE_GPU)           ? AHAL_DEVICE_TYPE_GPU
           : (type & CL_DEVICE_TYPE_CPU)         ? AHAL_DEVICE_TYPE_CPU
           : (type & CL_DEVICE_TYPE_ACCELERATOR) ? AHAL_DEVICE_TYPE_ASIC
                                                 : AHAL_DEVICE_TYPE_OTHER;

  p.compute_units = device_value<cl_uint>(id, CL_DEVICE_MAX_COMPUTE_UNITS, 0);
  p.global_memory_bytes = device_value<cl_ulong>(id, CL_DEVICE_GLOBAL_MEM_SIZE, 0);
  p.max_allocation_bytes = device_value<cl_ulong>(id, CL_DEVICE_MAX_MEM_ALLOC_SIZE, 0);
  size_t max_wg = device_value<size_t>(id, CL_DEVICE_MAX_WORK_GROUP_SIZE, 1);
  p.max_workgroup_size = clamp_u32(max_wg);
  size_t item_sizes[3] = {1, 1, 1};
  cl.GetDeviceInfo(id, CL_DEVICE_MAX_WORK_ITEM_SIZES, sizeof(item_sizes), item_sizes, nullptr);
  // OpenCL bounds the global size (grid * workgroup) per dimension only by
  // the device's size_t: a grid at its limit still fits with the largest
  // workgroup.
  cl_uint address_bits = device_value<cl_uint>(id, CL_DEVICE_ADDRESS_BITS, 32);
  uint64_t max_global =
      address_bits >= 64 ? std::numeric_limits<uint64_t>::max() : (1ull << address_bits) - 1;
  for (int i = 0; i < 3; ++i) {
    p.max_workgroup_dims[i] = clamp_u32(std::min(item_sizes[i], max_wg));
    p.max_grid_dims[i] = clamp_u32(max_global / std::max<uint64_t>(p.max_workgroup_dims[i], 1));
  }
  // PoCL's CPU drivers deal work-groups out by a 32-bit index: more than
  // 2^32 - 1 in one launch fail an assertion inside PoCL (3.1 and later).
  if (platform_string(d->platform, CL_PLATFORM_NAME).find("Portable Computing Language") !=
      std::string::npos) {
    d->max_groups_per_launch = UINT32_MAX;
  }
  p.shared_memory_per_workgroup =
      clamp_u32(device_value<cl_ulong>(id, CL_DEVICE_LOCAL_MEM_SIZE, 0));
  subgroup_sizes(id, extensions, &p.subgroup_size_min, &p.subgroup_size_max);
  p.clock_mhz = device_value<cl_uint>(id, CL_DEVICE_MAX_CLOCK_FREQUENCY, 0);

  // Every argument (cl_mem handles, the constants struct, the __local
  // pointer) counts against CL_DEVICE_MAX_PARAMETER_SIZE.
  size_t param_bytes = device_value<size_t>(id, CL_DEVICE_MAX_PARAMETER_SIZE, 256);
  p.max_bindings = AHAL_MAX_BINDINGS;
  size_t fixed = AHAL_MAX_BINDINGS * sizeof(cl_mem) + sizeof(cl_mem);
  while (p.max_bindings > 8 && fixed > param_bytes) {
    p.max_bindings /= 2;
    fixed = p.max_bindings * sizeof(cl_mem) + sizeof(cl_mem);
  }
  size_t constants = param_bytes > fixed ? (param_bytes - fixed) & ~size_t{7} : 0;
  p.max_constants_size = clamp_u32(std::min<size_t>(constants, AHAL_MAX_CONSTANTS_SIZE));
  cl_uint align_bits = device_value<cl_uint>(id, CL_DEVICE_MEM_BASE_ADDR_ALIGN, 8);
  p.binding_offset_alignment = std::max<cl_uint>(align_bits / 8, 1);

  d->compiler = device_value<cl_bool>(id, CL_DEVICE_COMPILER_AVAILABLE, CL_FALSE) == CL_TRUE;
  std::string il;
  if (d->version >= 210 && cl.CreateProgramWithIL) {
    il = device_string(id, CL_DEVICE_IL_VERSION);
    d->takes_spirv = il.find("SPIR-V") != std::string::npos;
  }
  if (!d->takes_spirv && has_extension(extensions, "cl_khr_il_program")) {
    il = device_string(id, CL_DEVICE_IL_VERSION_KHR);
    d->create_program_with_il_khr = reinterpret_cast<clCreateProgramWithILKHR_fn>(
        cl.GetExtensionFunctionAddressForPlatform(d->platform, "clCreateProgramWithILKHR"));
    d->takes_spirv = d->create_program_with_il_khr && il.find("SPIR-V") != std::string::npos;
  }
  if (d->compiler) p.module_formats |= 1ull << AHAL_MODULE_FORMAT_OPENCL_C;
  if (d->takes_spirv) p.module_formats |= 1ull << AHAL_MODULE_FORMAT_SPIRV_OPENCL;
  detect_command_buffers(d);

  cl_command_queue_properties queue_props =
      device_value<cl_command_queue_properties>(id, CL_DEVICE_QUEUE_PROPERTIES, 0);
  size_t timer_ns = device_value<size_t>(id, CL_DEVICE_PROFILING_TIMER_RESOLUTION, 0);
  d->profiling = (queue_props & CL_QUEUE_PROFILING_ENABLE) != 0;
  d->priority_hints = d->version >= 200 && cl.CreateCommandQueueWithProperties &&
                      has_extension(extensions, "cl_khr_priority_hints");

  uint64_t features = AHAL_FEATURE_HOST_VISIBLE_MEMORY | AHAL_FEATURE_HOST_CALLBACKS |
                      AHAL_FEATURE_DYNAMIC_SHARED_MEMORY;
  if (device_value<cl_device_fp_config>(id, CL_DEVICE_DOUBLE_FP_CONFIG, 0) != 0) {
    features |= AHAL_FEATURE_FP64;
  }
  if (has_extension(extensions, "cl_khr_fp16") ||
      device_value<cl_device_fp_config>(id, CL_DEVICE_HALF_FP_CONFIG, 0) != 0) {
    features |= AHAL_FEATURE_FP16;
  }
  if (has_extension(extensions, "cl_khr_int64_base_atomics")) {
    features |= AHAL_FEATURE_INT64_ATOMICS;
  }
  if (device_value<cl_bool>(id, CL_DEVICE_HOST_UNIFIED_MEMORY, CL_FALSE) == CL_TRUE) {
    features |= AHAL_FEATURE_UNIFIED_MEMORY;
    // Host memory the device shares at fine grain: buffers get a host
    // address that needs no map (ahal_buffer_host_address). Not on a
    // discrete GPU, whose fine-grained SVM the host reaches over the bus.
    // AHAL_OPENCL_HOST_SVM=0 keeps plain clCreateBuffer memory.
    const cl_device_svm_capabilities svm =
        d->version >= 200
            ? device_value<cl_device_svm_capabilities>(id, CL_DEVICE_SVM_CAPABILITIES, 0)
            : 0;
    const char* env = std::getenv("AHAL_OPENCL_HOST_SVM");
    d->host_svm = (svm & CL_DEVICE_SVM_FINE_GRAIN_BUFFER) && cl.SVMAlloc && cl.SVMFree &&
                  !(env && std::strcmp(env, "0") == 0);
  }
  if (d->profiling && timer_ns > 0) {
    features |= AHAL_FEATURE_TIMESTAMPS;
    p.timestamp_resolution_ps = static_cast<uint64_t>(timer_ns) * 1000;
  }
  if (p.module_formats) features |= AHAL_FEATURE_GENERAL_KERNELS;
  p.features = features;

  if (has_extension(extensions, "cl_khr_device_uuid") &&
      cl.GetDeviceInfo(id, CL_DEVICE_UUID_KHR, sizeof(p.uuid), p.uuid, nullptr) == CL_SUCCESS) {
    p.has_uuid = 1;
  }

  d->cache_key = "device=" + name + "\ndriver=" + driver + "\ndevice_version=" + device_version +
                 "\nplatform_version=" + platform_version;
}

}  // namespace

cl_int create_queue(ahal_plugin_device_t* device, bool profiling, int32_t priority,
                    cl_command_queue* out_queue) {
  cl_int err = CL_SUCCESS;
  cl_command_queue_properties flags = profiling ? CL_QUEUE_PROFILING_ENABLE : 0;
  if (device->version >= 200 && cl.CreateCommandQueueWithProperties) {
    cl_queue_properties props[5] = {CL_QUEUE_PROPERTIES, flags, 0, 0, 0};
    if (priority != 0 && device->priority_hints) {
      props[2] = CL_QUEUE_PRIORITY_KHR;
      props[3] = priority < 0 ? CL_QUEUE_PRIORITY_HIGH_KHR : CL_QUEUE_PRIORITY_LOW_KHR;
    }
    *out_queue = cl.CreateCommandQueueWithProperties(device->context, device->id, props, &err);
  } else {
    *out_queue = cl.CreateCommandQueue(device->context, device->id, flags, &err);
  }
  return err;
}

ahal_status_t device_open(ahal_plugin_instance_t* instance, uint32_t index,
                          ahal_plugin_device_t** out_device) {
  auto device = std::make_unique<ahal_plugin_device_s>();
  device->platform = instance->devices[index].platform;
  device->id = instance->devices[index].device;
  device->cache_dir = instance->cache_dir;
  query_device(device.get());

  cl_context_properties props[] = {CL_CONTEXT_PLATFORM,
                                   reinterpret_cast<cl_context_properties>(device->platform), 0};
  cl_int err = CL_SUCCESS;
  device->context = cl.CreateContext(props, 1, &device->id, context_notify, nullptr, &err);
  if (err != CL_SUCCESS) return fail_cl(err, "clCreateContext", device->props.name);
  err = create_queue(device.get(), false, 0, &device->io_queue);
  if (err != CL_SUCCESS) {
    cl.ReleaseContext(device->context);
    return fail_cl(err, "clCreateCommandQueue", device->props.name);
  }
  *out_device = device.release();
  return AHAL_SUCCESS;
}

void device_close(ahal_plugin_device_t* device) {
  cl.Finish(device->io_queue);
  cl.ReleaseCommandQueue(device->io_queue);
  cl.ReleaseContext(device->context);
  delete device;
}

ahal_status_t device_get_properties(ahal_plugin_device_t* device, ahal_device_properties_t* props) {
  ahal::plugin::write_struct(props, device->props);  // the loader fills plugin and selector
  return AHAL_SUCCESS;
}

// OpenCL C is every driver's primary, best-tested path, so it wins over
// SPIR-V; SPIR-V is taken where a bundle has no source or the device has no
// compiler. A target must be "" or the device's arch.
ahal_status_t image_score(ahal_plugin_device_t* device, ahal_module_format_t format,
                          const char* target, int32_t* out_score) {
  *out_score = 0;
  if (target && *target && std::strcmp(target, device->props.arch) != 0) return AHAL_SUCCESS;
  if (format == AHAL_MODULE_FORMAT_OPENCL_C && device->compiler) *out_score = 100;
  if (format == AHAL_MODULE_FORMAT_SPIRV_OPENCL && device->takes_spirv) *out_score = 50;
  return AHAL_SUCCESS;
}

}  // namespace ahal_opencl

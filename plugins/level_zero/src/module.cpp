// Level Zero: modules (SPIR-V or native binaries) and kernels.
#include <ahal/cached_kernel_get.hpp>

#include "objects.hpp"

#include <algorithm>
#include <cstring>
#include <memory>

namespace ahal_ze {

namespace {

constexpr uint32_t kSpirvMagic = 0x07230203;

// The module's build log, "" if there is none.
std::string build_log_text(const Loader& ze, ze_module_build_log_handle_t log) {
  if (!log) return "";
  size_t size = 0;
  std::string text;
  if (ze.zeModuleBuildLogGetString(log, &size, nullptr) == ZE_RESULT_SUCCESS && size > 1) {
    text.resize(size);
    if (ze.zeModuleBuildLogGetString(log, &size, text.data()) != ZE_RESULT_SUCCESS) text.clear();
    text.resize(std::strlen(text.c_str()));
  }
  return text;
}

}  // namespace

ahal_status_t module_create(ahal_plugin_device_t* dev, const ahal_plugin_module_args_t* args,
                            ahal_plugin_module_t** out_module) {
  ze_module_desc_t desc{};
  desc.stype = ZE_STRUCTURE_TYPE_MODULE_DESC;
  if (args->format == AHAL_MODULE_FORMAT_SPIRV_OPENCL) {
    uint32_t magic = 0;
    if (args->data_size >= 4) std::memcpy(&magic, args->data, 4);
    if (magic != kSpirvMagic)
      return fail(AHAL_ERROR_INVALID_ARGUMENT,
                  "spirv-opencl image does not start with the SPIR-V magic number");
    desc.format = ZE_MODULE_FORMAT_IL_SPIRV;
  } else if (args->format == AHAL_MODULE_FORMAT_ZE_NATIVE) {
    desc.format = ZE_MODULE_FORMAT_NATIVE;
  } else {
    return fail(AHAL_ERROR_UNSUPPORTED,
                "module format " + std::to_string(args->format) +
                    " is not taken by Level Zero devices (spirv-opencl, ze-native)");
  }
  desc.inputSize = args->data_size;
  desc.pInputModule = static_cast<const uint8_t*>(args->data);
  desc.pBuildFlags = args->build_options;

  auto module = std::make_unique<ahal_plugin_module_t>();
  module->device = dev;
  module->infos = ahal::plugin::KernelInfos(*args);

  const Loader& ze = *dev->ze;
  ze_module_build_log_handle_t log = nullptr;
  ze_result_t r = ze.zeModuleCreate(dev->context, dev->device, &desc, &module->module, &log);
  std::string log_text = build_log_text(ze, log);
  if (log) log_failure(dev, ze.zeModuleBuildLogDestroy(log), "zeModuleBuildLogDestroy");
  if (r != ZE_RESULT_SUCCESS) {
    std::string context = args->format == AHAL_MODULE_FORMAT_ZE_NATIVE
                              ? std::string("native binary for target \"") +
                                    (args->target ? args->target : "") + "\", device " +
                                    dev->properties.arch
                              : std::string("SPIR-V module");
    if (!log_text.empty()) context += "; build log:\n" + log_text;
    return ze_fail(dev, r, "zeModuleCreate", context);
  }
  if (!log_text.empty()) ahal::plugin::log(AHAL_LOG_DEBUG, "build log: " + log_text);
  *out_module = module.release();
  return AHAL_SUCCESS;
}

void module_destroy(ahal_plugin_module_t* module) {
  ahal_plugin_device_t* dev = module->device;
  module->kernels.for_each([dev](ahal_plugin_kernel_t& kernel) {
    log_failure(dev, dev->ze->zeKernelDestroy(kernel.kernel), "zeKernelDestroy");
  });
  log_failure(dev, dev->ze->zeModuleDestroy(module->module), "zeModuleDestroy");
  delete module;
}

namespace {

std::unique_ptr<ahal_plugin_kernel_t> create_kernel(ahal_plugin_module_t* module,
                                                    const char* entry) {
  ahal_plugin_device_t* dev = module->device;
  const Loader& ze = *dev->ze;
  auto kernel = std::make_unique<ahal_plugin_kernel_t>();
  kernel->module = module;
  ze_kernel_desc_t desc{};
  desc.stype = ZE_STRUCTURE_TYPE_KERNEL_DESC;
  desc.pKernelName = entry;
  ze_result_t r = ze.zeKernelCreate(module->module, &desc, &kernel->kernel);
  if (r == ZE_RESULT_ERROR_INVALID_KERNEL_NAME)
    ahal::plugin::raise(AHAL_ERROR_NOT_FOUND, "no kernel '%s' in the module", entry);
  if (r != ZE_RESULT_SUCCESS) ze_raise(dev, r, "zeKernelCreate", entry);
  kernel->properties.stype = ZE_STRUCTURE_TYPE_KERNEL_PROPERTIES;
  r = ze.zeKernelGetProperties(kernel->kernel, &kernel->properties);
  if (r != ZE_RESULT_SUCCESS) {
    log_failure(dev, ze.zeKernelDestroy(kernel->kernel), "zeKernelDestroy");
    ze_raise(dev, r, "zeKernelGetProperties", entry);
  }
  return kernel;
}

}  // namespace

AHAL_PLUGIN_CACHED_KERNEL_GET(create_kernel)

ahal_status_t kernel_get_attributes(ahal_plugin_kernel_t* kernel, ahal_kernel_attributes_t* out) {
  const ze_kernel_properties_t& p = kernel->properties;
  const ahal_device_properties_t& device = kernel->module->device->properties;
  ahal_kernel_attributes_t a{};
  a.max_workgroup_size = device.max_workgroup_size;
  if (p.maxNumSubgroups > 0 && p.maxSubgroupSize > 0)
    a.max_workgroup_size = std::min(a.max_workgroup_size, p.maxNumSubgroups * p.maxSubgroupSize);
  a.static_shared_bytes = p.localMemSize;
  a.preferred_workgroup_multiple = p.maxSubgroupSize > 0 ? p.maxSubgroupSize : 1;
  ahal::plugin::KernelInfos::describe(kernel->info, a);
  ahal::plugin::write_struct(out, a);
  return AHAL_SUCCESS;
}

}  // namespace ahal_ze

// Level Zero: modules (SPIR-V or native binaries) and kernels.
#include "objects.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>

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

bool equal_ignoring_case(const std::string& a, const std::string& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

ahal_status_t module_create(ahal_plugin_device_t* dev, const ahal_plugin_module_args_t* args,
                            ahal_plugin_module_t** out_module) {
  return guarded(dev->instance->host, [&]() -> ahal_status_t {
    ze_module_desc_t desc{};
    desc.stype = ZE_STRUCTURE_TYPE_MODULE_DESC;
    if (args->format == AHAL_MODULE_FORMAT_SPIRV_OPENCL) {
      uint32_t magic = 0;
      if (args->data_size >= 4) std::memcpy(&magic, args->data, 4);
      if (magic != kSpirvMagic)
        return fail(dev, AHAL_ERROR_INVALID_ARGUMENT,
                    "spirv-opencl image does not start with the SPIR-V magic number");
      desc.format = ZE_MODULE_FORMAT_IL_SPIRV;
    } else if (args->format == AHAL_MODULE_FORMAT_ZE_NATIVE) {
      desc.format = ZE_MODULE_FORMAT_NATIVE;
    } else {
      return fail(dev, AHAL_ERROR_UNSUPPORTED,
                  "module format " + std::to_string(args->format) +
                      " is not taken by Level Zero devices (spirv-opencl, ze-native)");
    }
    desc.inputSize = args->data_size;
    desc.pInputModule = static_cast<const uint8_t*>(args->data);
    desc.pBuildFlags = args->build_options;

    auto module = std::make_unique<ahal_plugin_module_t>();
    module->device = dev;
    uint32_t info_count = AHAL_PLUGIN_HAS_FIELD(args, ahal_plugin_module_args_t, kernel_infos)
                              ? args->kernel_info_count
                              : 0;
    for (uint32_t i = 0; i < info_count; ++i) {
      module->info_names.emplace_back(args->kernel_infos[i].name ? args->kernel_infos[i].name : "");
      module->infos.push_back(args->kernel_infos[i]);
    }
    for (uint32_t i = 0; i < info_count; ++i) module->infos[i].name = module->info_names[i].c_str();

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
    if (!log_text.empty() && dev->instance->host->log)
      dev->instance->host->log(AHAL_LOG_DEBUG, "level_zero", ("build log: " + log_text).c_str());
    *out_module = module.release();
    return AHAL_SUCCESS;
  });
}

void module_destroy(ahal_plugin_module_t* module) {
  ahal_plugin_device_t* dev = module->device;
  for (auto& [name, kernel] : module->kernels)
    log_failure(dev, dev->ze->zeKernelDestroy(kernel->kernel), "zeKernelDestroy");
  log_failure(dev, dev->ze->zeModuleDestroy(module->module), "zeModuleDestroy");
  delete module;
}

ahal_status_t kernel_get(ahal_plugin_module_t* module, const char* entry,
                         ahal_plugin_kernel_t** out_kernel) {
  ahal_plugin_device_t* dev = module->device;
  return guarded(dev->instance->host, [&]() -> ahal_status_t {
    std::lock_guard<std::mutex> lock(module->mutex);
    auto found = module->kernels.find(entry);
    if (found != module->kernels.end()) {
      *out_kernel = found->second.get();
      return AHAL_SUCCESS;
    }
    const Loader& ze = *dev->ze;
    auto kernel = std::make_unique<ahal_plugin_kernel_t>();
    kernel->module = module;
    ze_kernel_desc_t desc{};
    desc.stype = ZE_STRUCTURE_TYPE_KERNEL_DESC;
    desc.pKernelName = entry;
    ze_result_t r = ze.zeKernelCreate(module->module, &desc, &kernel->kernel);
    if (r == ZE_RESULT_ERROR_INVALID_KERNEL_NAME)
      return fail(dev, AHAL_ERROR_NOT_FOUND,
                  std::string("no kernel '") + entry + "' in the module");
    if (r != ZE_RESULT_SUCCESS) return ze_fail(dev, r, "zeKernelCreate", entry);
    kernel->properties.stype = ZE_STRUCTURE_TYPE_KERNEL_PROPERTIES;
    r = ze.zeKernelGetProperties(kernel->kernel, &kernel->properties);
    if (r != ZE_RESULT_SUCCESS) {
      log_failure(dev, ze.zeKernelDestroy(kernel->kernel), "zeKernelDestroy");
      return ze_fail(dev, r, "zeKernelGetProperties", entry);
    }
    for (const ahal_kernel_info_t& info : module->infos) {
      if (std::strcmp(info.name, entry) == 0) {
        kernel->has_metadata = true;
        kernel->info = info;
      }
    }
    *out_kernel = kernel.get();
    module->kernels.emplace(entry, std::move(kernel));
    return AHAL_SUCCESS;
  });
}

ahal_status_t kernel_get_attributes(ahal_plugin_kernel_t* kernel, ahal_kernel_attributes_t* out) {
  const ze_kernel_properties_t& p = kernel->properties;
  const ahal_device_properties_t& device = kernel->module->device->properties;
  ahal_kernel_attributes_t a{};
  a.struct_size = out->struct_size;
  a.max_workgroup_size = device.max_workgroup_size;
  if (p.maxNumSubgroups > 0 && p.maxSubgroupSize > 0)
    a.max_workgroup_size = std::min(a.max_workgroup_size, p.maxNumSubgroups * p.maxSubgroupSize);
  a.static_shared_bytes = p.localMemSize;
  a.preferred_workgroup_multiple = p.maxSubgroupSize > 0 ? p.maxSubgroupSize : 1;
  if (kernel->has_metadata) {
    a.has_metadata = 1;
    a.binding_count = kernel->info.binding_count;
    a.constants_size = kernel->info.constants_size;
    a.flags = kernel->info.flags;
  }
  std::memcpy(out, &a, std::min(out->struct_size, sizeof(a)));
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

// Modules: OpenCL C source or SPIR-V built by the device's compiler, with
// device binaries cached on disk; kernels and their attributes.
#include "objects.hpp"

#include "cl_errors.hpp"
#include "program_cache.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstring>

ahal_plugin_kernel_s::~ahal_plugin_kernel_s() {
  if (kernel) ahal_opencl::cl.ReleaseKernel(kernel);
}

namespace ahal_opencl {
namespace {

constexpr size_t kMaxLogInMessage = 16384;

std::string build_log(cl_program program, cl_device_id device) {
  size_t size = 0;
  if (cl.GetProgramBuildInfo(program, device, CL_PROGRAM_BUILD_LOG, 0, nullptr, &size) !=
          CL_SUCCESS ||
      size == 0) {
    return "";
  }
  std::string text(size, '\0');
  cl.GetProgramBuildInfo(program, device, CL_PROGRAM_BUILD_LOG, size, text.data(), nullptr);
  while (!text.empty() &&
         (text.back() == '\0' || std::isspace(static_cast<unsigned char>(text.back())))) {
    text.pop_back();
  }
  return text;
}

// clBuildProgram; on failure AHAL_ERROR_BUILD_FAILED (or out of memory) with
// the build log in the message.
ahal_status_t build(ahal_plugin_device_t* device, cl_program program, const char* options) {
  cl_int err = cl.BuildProgram(program, 1, &device->id, options, nullptr, nullptr);
  std::string text = build_log(program, device->id);
  if (err == CL_SUCCESS) {
    if (!text.empty()) log(AHAL_LOG_DEBUG, "build log:\n" + text);
    return AHAL_SUCCESS;
  }
  if (text.size() > kMaxLogInMessage) {
    text = text.substr(0, kMaxLogInMessage) + "\n... (build log truncated)";
  }
  std::string message = std::string("clBuildProgram failed: ") + cl_error_name(err) + " (" +
                        std::to_string(err) + ")";
  if (*options) message += " with options '" + std::string(options) + "'";
  message += text.empty() ? "; the build log is empty" : "; build log:\n" + text;
  ahal_status_t status = cl_error_status(err);
  if (status != AHAL_ERROR_OUT_OF_HOST_MEMORY && status != AHAL_ERROR_OUT_OF_DEVICE_MEMORY) {
    status = AHAL_ERROR_BUILD_FAILED;
  }
  return fail(status, message);
}

// Program from a cached binary, or nullptr when there is none or the driver
// refuses it (then the caller compiles and overwrites the entry).
cl_program load_cached(ahal_plugin_device_t* device, const ProgramCache& cache,
                       const char* options) {
  std::vector<unsigned char> binary;
  if (!cache.load(&binary)) return nullptr;
  const unsigned char* data = binary.data();
  size_t size = binary.size();
  cl_int binary_status = CL_SUCCESS, err = CL_SUCCESS;
  cl_program program = cl.CreateProgramWithBinary(device->context, 1, &device->id, &size, &data,
                                                  &binary_status, &err);
  if (err == CL_SUCCESS && binary_status == CL_SUCCESS) {
    err = cl.BuildProgram(program, 1, &device->id, options, nullptr, nullptr);
    if (err == CL_SUCCESS) {
      log(AHAL_LOG_DEBUG, "module cache hit: " + cache.path());
      return program;
    }
  }
  if (program) cl.ReleaseProgram(program);
  log(AHAL_LOG_WARNING, "module cache entry " + cache.path() + " refused by the driver (" +
                            cl_error_name(err != CL_SUCCESS ? err : binary_status) +
                            "); rebuilding");
  return nullptr;
}

void store_binary(ahal_plugin_device_t* device, cl_program program, const ProgramCache& cache) {
  size_t size = 0;
  if (cl.GetProgramInfo(program, CL_PROGRAM_BINARY_SIZES, sizeof(size), &size, nullptr) !=
          CL_SUCCESS ||
      size == 0) {
    log(AHAL_LOG_INFO, "the driver gives no program binary; module not cached");
    return;
  }
  std::vector<unsigned char> binary(size);
  unsigned char* data = binary.data();
  if (cl.GetProgramInfo(program, CL_PROGRAM_BINARIES, sizeof(data), &data, nullptr) != CL_SUCCESS) {
    log(AHAL_LOG_WARNING, "clGetProgramInfo(CL_PROGRAM_BINARIES) failed; module not cached");
    return;
  }
  std::string error;
  if (cache.store(binary, &error)) {
    log(AHAL_LOG_DEBUG, "module cached: " + cache.path());
  } else {
    log(AHAL_LOG_WARNING, "module not cached: " + error);
  }
}

}  // namespace

ahal_status_t module_create(ahal_plugin_device_t* device, const ahal_plugin_module_args_t* args,
                            ahal_plugin_module_t** out_module) {
  const ahal_module_format_t format = args->format;
  if (format == AHAL_MODULE_FORMAT_OPENCL_C && !device->compiler) {
    return fail(AHAL_ERROR_UNSUPPORTED, "the device has no OpenCL C compiler");
  }
  if (format == AHAL_MODULE_FORMAT_SPIRV_OPENCL && !device->takes_spirv) {
    return fail(AHAL_ERROR_UNSUPPORTED,
                "the device takes no SPIR-V (no SPIR-V in its IL versions)");
  }
  if (format != AHAL_MODULE_FORMAT_OPENCL_C && format != AHAL_MODULE_FORMAT_SPIRV_OPENCL) {
    return fail(AHAL_ERROR_UNSUPPORTED,
                "OpenCL devices take opencl-c and spirv-opencl modules, not format " +
                    std::to_string(format));
  }
  const char* options = args->build_options ? args->build_options : "";
  const size_t size = static_cast<size_t>(args->data_size);

  ProgramCache cache(
      device->cache_dir,
      device->cache_key + "\nformat=" + std::to_string(format) + "\noptions=" + options, args->data,
      size);
  cl_program program = cache.enabled() ? load_cached(device, cache, options) : nullptr;
  if (!program) {
    cl_int err = CL_SUCCESS;
    if (format == AHAL_MODULE_FORMAT_OPENCL_C) {
      const char* text = static_cast<const char*>(args->data);
      program = cl.CreateProgramWithSource(device->context, 1, &text, &size, &err);
      if (err != CL_SUCCESS) return fail_cl(err, "clCreateProgramWithSource");
    } else {
      program = device->create_program_with_il_khr
                    ? device->create_program_with_il_khr(device->context, args->data, size, &err)
                    : cl.CreateProgramWithIL(device->context, args->data, size, &err);
      if (err != CL_SUCCESS) return fail_cl(err, "clCreateProgramWithIL");
    }
    ahal_status_t status = build(device, program, options);
    if (status != AHAL_SUCCESS) {
      cl.ReleaseProgram(program);
      return status;
    }
    if (cache.enabled()) store_binary(device, program, cache);
  }

  auto module = std::make_unique<ahal_plugin_module_s>();
  module->device = device;
  module->program = program;
  module->format = format;
  module->infos = ahal::plugin::KernelInfos(*args);
  *out_module = module.release();
  return AHAL_SUCCESS;
}

void module_destroy(ahal_plugin_module_t* module) {
  module->kernels.clear();  // kernels hold the program
  cl.ReleaseProgram(module->program);
  delete module;
}

namespace {

std::unique_ptr<ahal_plugin_kernel_s> create_kernel(ahal_plugin_module_t* module,
                                                    const char* entry) {
  cl_int err = CL_SUCCESS;
  cl_kernel k = cl.CreateKernel(module->program, entry, &err);
  if (err == CL_INVALID_KERNEL_NAME) {
    ahal::plugin::raise(AHAL_ERROR_NOT_FOUND,
                        "no kernel named '%s' in the module (clCreateKernel: "
                        "CL_INVALID_KERNEL_NAME)",
                        entry);
  }
  if (err != CL_SUCCESS) {
    throw ahal::plugin::Error(
        cl_error_status(err),
        cl_message(err, "clCreateKernel", std::string("kernel '") + entry + "'"));
  }
  auto kernel = std::make_unique<ahal_plugin_kernel_s>();
  kernel->kernel = k;
  kernel->name = entry;
  cl_device_id dev = module->device->id;
  cl.GetKernelInfo(k, CL_KERNEL_NUM_ARGS, sizeof(cl_uint), &kernel->arg_count, nullptr);
  ahal_kernel_attributes_t& a = kernel->attributes;
  a.struct_size = sizeof(a);
  size_t wg = 0, multiple = 0;
  cl_ulong local = 0;
  cl.GetKernelWorkGroupInfo(k, dev, CL_KERNEL_WORK_GROUP_SIZE, sizeof(wg), &wg, nullptr);
  cl.GetKernelWorkGroupInfo(k, dev, CL_KERNEL_PREFERRED_WORK_GROUP_SIZE_MULTIPLE, sizeof(multiple),
                            &multiple, nullptr);
  cl.GetKernelWorkGroupInfo(k, dev, CL_KERNEL_LOCAL_MEM_SIZE, sizeof(local), &local, nullptr);
  a.max_workgroup_size = static_cast<uint32_t>(std::min<size_t>(wg, UINT32_MAX));
  a.preferred_workgroup_multiple = static_cast<uint32_t>(std::min<size_t>(multiple, UINT32_MAX));
  a.static_shared_bytes = static_cast<uint32_t>(std::min<cl_ulong>(local, UINT32_MAX));
  module->infos.describe(entry, a);
  return kernel;
}

}  // namespace

ahal_status_t kernel_get(ahal_plugin_module_t* module, const char* entry,
                         ahal_plugin_kernel_t** out_kernel) {
  *out_kernel = &module->kernels.get(entry, [&] { return create_kernel(module, entry); });
  return AHAL_SUCCESS;
}

ahal_status_t kernel_get_attributes(ahal_plugin_kernel_t* kernel,
                                    ahal_kernel_attributes_t* out_attributes) {
  ahal::plugin::write_struct(out_attributes, kernel->attributes);
  return AHAL_SUCCESS;
}

}  // namespace ahal_opencl

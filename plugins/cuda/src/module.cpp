// Modules: PTX (JIT-compiled by the driver), cubin and fatbin images;
// kernels by name with their attributes and parameter layout.
#include <ahal/cached_kernel_get.hpp>

#include "objects.hpp"

#include <cinttypes>
#include <cstring>
#include <vector>

namespace ahal_cuda {
namespace {

const char* format_name(ahal_module_format_t format) {
  switch (format) {
    case AHAL_MODULE_FORMAT_PTX:
      return "ptx";
    case AHAL_MODULE_FORMAT_CUBIN:
      return "cubin";
    case AHAL_MODULE_FORMAT_FATBIN:
      return "fatbin";
    default:
      return "unknown";
  }
}

// Build options for the JIT: "-O<0..4>" and "-maxrregcount=<n>".
bool parse_build_options(const std::string& text, int* opt_level, int* max_registers,
                         std::string* error) {
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t start = text.find_first_not_of(" \t\n", pos);
    if (start == std::string::npos) break;
    size_t stop = text.find_first_of(" \t\n", start);
    if (stop == std::string::npos) stop = text.size();
    const std::string option = text.substr(start, stop - start);
    pos = stop;
    if (option.size() == 3 && option.compare(0, 2, "-O") == 0 && option[2] >= '0' &&
        option[2] <= '4') {
      *opt_level = option[2] - '0';
    } else if (option.compare(0, 14, "-maxrregcount=") == 0 && option.size() > 14 &&
               option.find_first_not_of("0123456789", 14) == std::string::npos &&
               option.size() < 20) {
      *max_registers = std::stoi(option.substr(14));
    } else {
      *error =
          "unknown build option '" + option + "' (the CUDA JIT takes -O0..-O4 and -maxrregcount=N)";
      return false;
    }
  }
  return true;
}

// "9.0" from a PTX image's ".version 9.0" line, or "".
std::string ptx_isa_version(const std::string& ptx) {
  const size_t at = ptx.find(".version ");
  if (at == std::string::npos) return "";
  const size_t start = at + 9;
  const size_t stop = ptx.find_first_of(" \t\r\n", start);
  return ptx.substr(start, stop == std::string::npos ? std::string::npos : stop - start);
}

}  // namespace

ahal_status_t module_create(ahal_plugin_device_t* d, const ahal_plugin_module_args_t* args,
                            ahal_plugin_module_t** out_module) {
  const Driver& drv = d->drv();
  const ahal_module_format_t fmt = args->format;
  if (fmt != AHAL_MODULE_FORMAT_PTX && fmt != AHAL_MODULE_FORMAT_CUBIN &&
      fmt != AHAL_MODULE_FORMAT_FATBIN)
    return fail(
        AHAL_ERROR_UNSUPPORTED,
        ahal::plugin::format("the CUDA plugin takes ptx, cubin and fatbin modules, not format %d",
                             static_cast<int>(fmt)));
  int opt_level = -1, max_registers = -1;
  std::string error;
  if (!parse_build_options(args->build_options ? args->build_options : "", &opt_level,
                           &max_registers, &error))
    return fail(AHAL_ERROR_INVALID_ARGUMENT, error);

  // PTX must end in a NUL; binaries want 8-byte alignment. Copy either way
  // (data lives only during this call).
  std::vector<uint64_t> image((args->data_size + 1 + sizeof(uint64_t) - 1) / sizeof(uint64_t));
  std::memcpy(image.data(), args->data, args->data_size);
  reinterpret_cast<char*>(image.data())[args->data_size] = '\0';

  std::vector<char> error_log(64 * 1024, '\0');
  CUjit_option options[4];
  void* values[4];
  unsigned count = 0;
  options[count] = CU_JIT_ERROR_LOG_BUFFER;
  values[count++] = error_log.data();
  options[count] = CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES;
  values[count++] = reinterpret_cast<void*>(static_cast<uintptr_t>(error_log.size() - 1));
  if (opt_level >= 0) {
    options[count] = CU_JIT_OPTIMIZATION_LEVEL;
    values[count++] = reinterpret_cast<void*>(static_cast<uintptr_t>(opt_level));
  }
  if (max_registers >= 0) {
    options[count] = CU_JIT_MAX_REGISTERS;
    values[count++] = reinterpret_cast<void*>(static_cast<uintptr_t>(max_registers));
  }

  AHAL_MAKE_CURRENT(d);
  CUmodule module = nullptr;
  const CUresult result = drv.cuModuleLoadDataEx(&module, image.data(), count, options, values);
  if (result != CUDA_SUCCESS) {
    const std::string target =
        args->target && *args->target ? std::string(" for ") + args->target : std::string();
    std::string message = drv.message(
        ahal::plugin::format("cuModuleLoadDataEx(%s image%s, %" PRIu64 " bytes, on %s %s)",
                             format_name(fmt), target.c_str(), args->data_size, d->props.name,
                             d->props.arch)
            .c_str(),
        result);
    if (result == CUDA_ERROR_UNSUPPORTED_PTX_VERSION && fmt == AHAL_MODULE_FORMAT_PTX) {
      const std::string isa =
          ptx_isa_version(std::string(reinterpret_cast<const char*>(image.data())));
      message += ahal::plugin::format(
          "; the image is PTX ISA %s, newer than this CUDA %d.%d driver "
          "compiles: update the driver or build the PTX with an older ISA",
          isa.empty() ? "?" : isa.c_str(), drv.version() / 1000, drv.version() % 1000 / 10);
    }
    if (error_log[0]) message += std::string("\n") + error_log.data();
    return fail(status_of(result), message);
  }
  auto m = std::make_unique<ahal_plugin_module_t>();
  m->device = d;
  m->module = module;
  m->infos = ahal::plugin::KernelInfos(*args);
  *out_module = m.release();
  return AHAL_SUCCESS;
}

void module_destroy(ahal_plugin_module_t* m) {
  ahal_plugin_device_t* d = m->device;
  m->kernels.clear();  // their functions live in the module
  if (make_current(d) == CUDA_SUCCESS) {
    const CUresult result = d->drv().cuModuleUnload(m->module);
    if (result != CUDA_SUCCESS) log_failure(d, "cuModuleUnload", result);
  }
  delete m;
}

namespace {

// Parameter layout where the driver tells it (cuFuncGetParamInfo, 12.4+),
// so a launch that does not fit the kernel is refused instead of reading
// past the caller's arguments.
void read_param_layout(const Driver& drv, ahal_plugin_kernel_t* k) {
  if (!drv.cuFuncGetParamInfo) return;
  int count = 0;
  bool prefix_open = true;
  for (;; ++count) {
    size_t offset = 0, size = 0;
    const CUresult result = drv.cuFuncGetParamInfo(k->function, count, &offset, &size);
    if (result == CUDA_ERROR_INVALID_VALUE) break;  // past the last parameter
    if (result != CUDA_SUCCESS || count >= 1024) return;
    if (prefix_open && size == sizeof(CUdeviceptr)) {
      ++k->pointer_prefix;
    } else {
      prefix_open = false;
    }
    k->last_param_size = size;
  }
  k->param_count = count;
}

}  // namespace

namespace {

std::unique_ptr<ahal_plugin_kernel_t> load_kernel(ahal_plugin_module_t* m, const char* entry) {
  ahal_plugin_device_t* d = m->device;
  const Driver& drv = d->drv();
  auto check = [&](CUresult result, const char* call) {
    if (result != CUDA_SUCCESS) cu_raise(d, result, ahal::plugin::format("%s(%s)", call, entry));
  };
  auto k = std::make_unique<ahal_plugin_kernel_t>();
  k->module = m;
  k->entry = entry;
  check(make_current(d), "cuCtxSetCurrent");
  const CUresult result = drv.cuModuleGetFunction(&k->function, m->module, entry);
  if (result == CUDA_ERROR_NOT_FOUND)
    ahal::plugin::raise(AHAL_ERROR_NOT_FOUND,
                        "no kernel '%s' in the module (cuModuleGetFunction: "
                        "CUDA_ERROR_NOT_FOUND; CUDA C++ kernels need extern \"C\" for "
                        "unmangled names)",
                        entry);
  check(result, "cuModuleGetFunction");
  int dynamic_limit = 0;
  check(
      drv.cuFuncGetAttribute(&k->max_threads, CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK, k->function),
      "cuFuncGetAttribute(MAX_THREADS_PER_BLOCK)");
  check(drv.cuFuncGetAttribute(&k->static_shared, CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES, k->function),
        "cuFuncGetAttribute(SHARED_SIZE_BYTES)");
  check(drv.cuFuncGetAttribute(&dynamic_limit, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                               k->function),
        "cuFuncGetAttribute(MAX_DYNAMIC_SHARED_SIZE_BYTES)");
  k->dynamic_limit.store(dynamic_limit > 0 ? static_cast<uint32_t>(dynamic_limit) : 0u);
  read_param_layout(drv, k.get());
  return k;
}

}  // namespace

AHAL_PLUGIN_CACHED_KERNEL_GET(load_kernel)

ahal_status_t kernel_get_attributes(ahal_plugin_kernel_t* k, ahal_kernel_attributes_t* out) {
  ahal_kernel_attributes_t a{};
  a.max_workgroup_size = static_cast<uint32_t>(k->max_threads);
  a.static_shared_bytes = static_cast<uint32_t>(k->static_shared);
  a.preferred_workgroup_multiple = k->module->device->props.subgroup_size_max;
  ahal::plugin::KernelInfos::describe(k->info, a);
  ahal::plugin::write_struct(out, a);
  return AHAL_SUCCESS;
}

}  // namespace ahal_cuda

#include "hip_runtime.hpp"

#include <dlfcn.h>
#include <link.h>

#include <cstdlib>
#include <vector>

namespace ahal_hip {
namespace {

std::vector<std::string> candidates() {
  if (const char* env = std::getenv("AHAL_HIP_RUNTIME_PATH"); env && *env) return {env};
  std::vector<std::string> names = {"libamdhip64.so.5", "libamdhip64.so.6", "libamdhip64.so"};
  if (const char* rocm = std::getenv("ROCM_PATH"); rocm && *rocm)
    names.push_back(std::string(rocm) + "/lib/libamdhip64.so");
  names.push_back("/opt/rocm/lib/libamdhip64.so");
  return names;
}

std::string loaded_path(void* library, const std::string& fallback) {
  link_map* map = nullptr;
  if (dlinfo(library, RTLD_DI_LINKMAP, &map) == 0 && map && map->l_name && *map->l_name)
    return map->l_name;
  return fallback;
}

// Resolves every entry; returns the names of the required ones missing.
std::vector<std::string> resolve(void* library, Runtime* rt) {
  std::vector<std::string> missing;
#define AHAL_HIP_RESOLVE_REQUIRED(name)                                   \
  rt->name = reinterpret_cast<decltype(rt->name)>(dlsym(library, #name)); \
  if (!rt->name) missing.push_back(#name);
#define AHAL_HIP_RESOLVE_REQUIRED_TYPED(name, type) AHAL_HIP_RESOLVE_REQUIRED(name)
#define AHAL_HIP_RESOLVE_OPTIONAL(name) \
  rt->name = reinterpret_cast<decltype(rt->name)>(dlsym(library, #name));
  AHAL_HIP_REQUIRED_ENTRIES(AHAL_HIP_RESOLVE_REQUIRED, AHAL_HIP_RESOLVE_REQUIRED_TYPED)
  AHAL_HIP_OPTIONAL_ENTRIES(AHAL_HIP_RESOLVE_OPTIONAL)
#undef AHAL_HIP_RESOLVE_REQUIRED
#undef AHAL_HIP_RESOLVE_REQUIRED_TYPED
#undef AHAL_HIP_RESOLVE_OPTIONAL
  return missing;
}

std::string join(const std::vector<std::string>& items, const char* separator) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

}  // namespace

LoadResult load_runtime(Runtime* rt, std::string* error) {
  std::vector<std::string> open_errors;
  for (const std::string& name : candidates()) {
    void* library = dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!library) {
      const char* why = dlerror();
      open_errors.push_back(why ? why : name + ": cannot open");
      continue;
    }
    // The first library that opens is the runtime, as it would be for a
    // program linked against it: a broken one is refused, not skipped.
    Runtime resolved;
    std::vector<std::string> missing = resolve(library, &resolved);
    std::string path = loaded_path(library, name);
    if (!missing.empty()) {
      *error = "HIP runtime " + path + " lacks required entry points: " + join(missing, ", ");
      dlclose(library);
      return LoadResult::kIncomplete;
    }
    *rt = resolved;
    rt->library = library;
    rt->path = path;
    return LoadResult::kLoaded;
  }
  *error = "HIP runtime not found (" + join(open_errors, "; ") + ")";
  return LoadResult::kNotFound;
}

std::string error_text(const Runtime& rt, hipError_t err) {
  const char* name = rt.hipGetErrorName ? rt.hipGetErrorName(err) : nullptr;
  const char* text = rt.hipGetErrorString ? rt.hipGetErrorString(err) : nullptr;
  std::string out = name ? name : "hipError " + std::to_string(static_cast<int>(err));
  if (text && *text && (!name || std::string(text) != name)) out += std::string(" (") + text + ")";
  return out;
}

}  // namespace ahal_hip

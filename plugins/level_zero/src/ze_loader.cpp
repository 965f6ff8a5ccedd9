#include "ze_loader.hpp"

#include <dlfcn.h>
#include <link.h>

#include <cstdio>
#include <cstdlib>
#include <vector>

namespace ahal_ze {

LoadResult load_loader(Loader* ze, std::string* error) {
  const char* env = std::getenv("AHAL_ZE_LOADER_PATH");
  std::string name = env && *env ? env : "libze_loader.so.1";
  void* library = dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    const char* why = dlerror();
    *error = "Level Zero loader not found (" + (why ? std::string(why) : name) + ")";
    return LoadResult::kNotFound;
  }
  std::string path = name;
  link_map* map = nullptr;
  if (dlinfo(library, RTLD_DI_LINKMAP, &map) == 0 && map && map->l_name && *map->l_name)
    path = map->l_name;

  Loader resolved;
  std::string missing;
#define AHAL_ZE_RESOLVE(entry)                                                         \
  resolved.entry = reinterpret_cast<decltype(resolved.entry)>(dlsym(library, #entry)); \
  if (!resolved.entry) missing += std::string(missing.empty() ? "" : ", ") + #entry;
  AHAL_ZE_ENTRIES(AHAL_ZE_RESOLVE)
#undef AHAL_ZE_RESOLVE
  if (!missing.empty()) {
    *error = "Level Zero loader " + path + " lacks required entry points: " + missing;
    dlclose(library);
    return LoadResult::kIncomplete;
  }
  *ze = resolved;
  ze->library = library;
  ze->path = path;
  return LoadResult::kLoaded;
}

std::string result_name(ze_result_t result) {
  switch (result) {
#define AHAL_ZE_NAME(value) \
  case value:               \
    return #value;
    AHAL_ZE_NAME(ZE_RESULT_SUCCESS)
    AHAL_ZE_NAME(ZE_RESULT_NOT_READY)
    AHAL_ZE_NAME(ZE_RESULT_ERROR_DEVICE_LOST)
    AHAL_ZE_NAME(ZE_RESULT_ERROR_OUT_OF_HOST_MEMORY)
    AHAL_ZE_NAME(ZE_RESULT_ERROR_OUT_OF_DEVICE_MEMORY)
    AHAL_ZE_NAME(ZE_RESULT_ERROR_MODULE_BUILD_FAILURE)
    AHAL_ZE_NAME(ZE_RESULT_ERROR_MODULE_LINK_FAILURE)
    AHAL_ZE_NAME(ZE_RESULT_ERROR_DEVICE_REQUIRES_RESET)
    AHAL_ZE_NAME(ZE_RESULT_ERROR_DEVICE_IN_LOW_POWER_STATE)
    AHAL_ZE_NAME(ZE_RESULT_ERROR_INSUFFICIENT_PERMISSIONS)
    AHAL_ZE_NAME(ZE_RESULT_ERROR_NOT_AVAILABLE)
    AHAL_ZE_NAME(ZE_RESULT_ERROR_DEPENDENCY_UNAVAILABLE)
    AHAL_ZE_NAME(ZE_RESULT_ERROR_UNINITIALIZED)
    AHAL_ZE_NAME(ZE_RESULT_ERROR_UNSUPPORTED_VERSION)
    AHAL_ZE_NAME(ZE_RESULT_ERROR_UNSUPPORTED_FEATURE)
    AHAL_ZE_NAME(ZE_RESULT_ERROR_INVALID_ARGUMENT)
    AHAL_ZE_NAME(ZE_RESULT_ERROR_INVALID_NULL_HANDLE)
    AHAL_ZE_NAME(ZE_RESULT_ERROR_HANDLE_OBJECT_IN_USE)
    AHAL_ZE_NAME(ZE_RESULT_ERROR_INVALID_NULL_POINTER)
    AHAL_ZE_NAME(ZE_RESULT_ERROR_INVALID_SIZE)
    AHAL_ZE_NAME(ZE_RESULT_ERROR_UNSUPPORTED_SIZE)
    AHAL_ZE_NAME(ZE_RESULT_ERROR_UNSUPPORTED_ALIGNMENT)
    AHAL_ZE_NAME(ZE_RESULT_ERROR_INVALID_SYNCHRONIZATION_OBJECT)
    AHAL_ZE_NAME(ZE_RESULT_ERROR_INVALID_ENUMERATION)
    AHAL_ZE_NAME(ZE_RESULT_ERROR_UNSUPPORTED_ENUMERATION)
    AHAL_ZE_NAME(ZE_RESULT_ERROR_UNSUPPORTED_IMAGE_FORMAT)
    AHAL_ZE_NAME(ZE_RESULT_ERROR_INVALID_NATIVE_BINARY)
    AHAL_ZE_NAME(ZE_RESULT_ERROR_INVALID_GLOBAL_NAME)
    AHAL_ZE_NAME(ZE_RESULT_ERROR_INVALID_KERNEL_NAME)
    AHAL_ZE_NAME(ZE_RESULT_ERROR_INVALID_FUNCTION_NAME)
    AHAL_ZE_NAME(ZE_RESULT_ERROR_INVALID_GROUP_SIZE_DIMENSION)
    AHAL_ZE_NAME(ZE_RESULT_ERROR_INVALID_GLOBAL_WIDTH_DIMENSION)
    AHAL_ZE_NAME(ZE_RESULT_ERROR_INVALID_KERNEL_ARGUMENT_INDEX)
    AHAL_ZE_NAME(ZE_RESULT_ERROR_INVALID_KERNEL_ARGUMENT_SIZE)
    AHAL_ZE_NAME(ZE_RESULT_ERROR_INVALID_KERNEL_ATTRIBUTE_VALUE)
    AHAL_ZE_NAME(ZE_RESULT_ERROR_INVALID_MODULE_UNLINKED)
    AHAL_ZE_NAME(ZE_RESULT_ERROR_INVALID_COMMAND_LIST_TYPE)
    AHAL_ZE_NAME(ZE_RESULT_ERROR_OVERLAPPING_REGIONS)
    AHAL_ZE_NAME(ZE_RESULT_ERROR_UNKNOWN)
#undef AHAL_ZE_NAME
    default: {
      char buf[40];
      std::snprintf(buf, sizeof(buf), "ze_result_t 0x%08x", static_cast<unsigned>(result));
      return buf;
    }
  }
}

}  // namespace ahal_ze

#include "hip_runtime.hpp"

#include <ahal/vendor_library.hpp>

#include <cstdlib>
#include <vector>

namespace ahal_hip {
namespace {

std::vector<std::string> candidates() {
  std::vector<std::string> names = {"libamdhip64.so.5", "libamdhip64.so.6", "libamdhip64.so"};
  if (const char* rocm = std::getenv("ROCM_PATH"); rocm && *rocm)
    names.push_back(std::string(rocm) + "/lib/libamdhip64.so");
  names.push_back("/opt/rocm/lib/libamdhip64.so");
  return ahal::plugin::VendorLibrary::candidates("AHAL_HIP_RUNTIME_PATH", names);
}

}  // namespace

ahal_status_t load_runtime(Runtime* rt, std::string* error) {
  // The first library that opens is the runtime, as it would be for a
  // program linked against it: a broken one is refused, not skipped.
  ahal::plugin::VendorLibrary library;
  Runtime resolved;
  const ahal_status_t status =
      library.load("HIP runtime", candidates(), [&](ahal::plugin::SymbolTable& symbols) {
#define AHAL_HIP_RESOLVE_REQUIRED(name) symbols.require(resolved.name, #name);
#define AHAL_HIP_RESOLVE_REQUIRED_TYPED(name, type) AHAL_HIP_RESOLVE_REQUIRED(name)
#define AHAL_HIP_RESOLVE_OPTIONAL(name) symbols.optional(resolved.name, #name);
        AHAL_HIP_REQUIRED_ENTRIES(AHAL_HIP_RESOLVE_REQUIRED, AHAL_HIP_RESOLVE_REQUIRED_TYPED)
        AHAL_HIP_OPTIONAL_ENTRIES(AHAL_HIP_RESOLVE_OPTIONAL)
#undef AHAL_HIP_RESOLVE_REQUIRED
#undef AHAL_HIP_RESOLVE_REQUIRED_TYPED
#undef AHAL_HIP_RESOLVE_OPTIONAL
      });
  if (status != AHAL_SUCCESS) {
    *error = library.error();
    return status;
  }
  resolved.path = library.path();
  *rt = resolved;
  return AHAL_SUCCESS;
}

std::string error_text(const Runtime& rt, hipError_t err) {
  const char* name = rt.hipGetErrorName ? rt.hipGetErrorName(err) : nullptr;
  const char* text = rt.hipGetErrorString ? rt.hipGetErrorString(err) : nullptr;
  std::string out = name ? name : "hipError " + std::to_string(static_cast<int>(err));
  if (text && *text && (!name || std::string(text) != name)) out += std::string(" (") + text + ")";
  return out;
}

}  // namespace ahal_hip

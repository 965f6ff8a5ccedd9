#include "cl_api.hpp"

#include <ahal/plugin_guard.hpp>
#include <ahal/vendor_library.hpp>

#include <mutex>
#include <string>

namespace ahal_opencl {

Api cl;

void open_icd_loader() {
  // Opened once: every instance shares the table. A failure is kept and
  // reported again to the next instance.
  static std::once_flag once;
  static ahal_status_t status = AHAL_SUCCESS;
  static std::string error;
  std::call_once(once, [] {
    ahal::plugin::VendorLibrary library;
    Api api;
    status = library.load(
        "OpenCL ICD loader",
        ahal::plugin::VendorLibrary::candidates("AHAL_OPENCL_LIBRARY_PATH", {"libOpenCL.so.1"}),
        [&](ahal::plugin::SymbolTable& symbols) {
#define AHAL_CL_REQUIRE(name) symbols.require(api.name, "cl" #name);
#define AHAL_CL_OPTIONAL(name) symbols.optional(api.name, "cl" #name);
          AHAL_CL_REQUIRED_ENTRIES(AHAL_CL_REQUIRE)
          AHAL_CL_OPTIONAL_ENTRIES(AHAL_CL_OPTIONAL)
#undef AHAL_CL_REQUIRE
#undef AHAL_CL_OPTIONAL
        });
    if (status == AHAL_SUCCESS)
      cl = api;
    else
      error = library.error();
  });
  if (status != AHAL_SUCCESS) throw ahal::plugin::Error(status, error);
}

}  // namespace ahal_opencl

// The HIP runtime as the HIP plugin's tests describe it to the shared
// checks in tests/support.
#pragma once

#include "plugin_test_support.hpp"

namespace ahal_test {

inline const VendorLibrary kHipRuntime = {
    "hip",
    "AHAL_HIP_RUNTIME_PATH",
    "/nonexistent/libamdhip64.so.5",
    "HIP runtime not found",
    {"libamdhip64.so.5", "libamdhip64.so.6"},
    {"hipInit failed", "no HIP devices"},
    {"hipModuleLaunchKernel", "hipGetDeviceProperties"},
    "hipInit",
};

}  // namespace ahal_test

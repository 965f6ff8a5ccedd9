// The Level Zero loader as the Level Zero plugin's tests describe it to the
// shared checks in tests/support.
#pragma once

#include "plugin_test_support.hpp"

namespace ahal_test {

inline const VendorLibrary kZeLoader = {
    "level_zero",
    "AHAL_ZE_LOADER_PATH",
    "/nonexistent/libze_loader.so.1",
    "Level Zero loader not found",
    {"libze_loader.so.1"},
    // No driver: the loader answers zeInit with ZE_RESULT_ERROR_UNINITIALIZED.
    {"zeInit failed", "no Level Zero GPU devices"},
    {"zeCommandListAppendLaunchKernel", "zeModuleCreate"},
    "zeInit,",
};

}  // namespace ahal_test

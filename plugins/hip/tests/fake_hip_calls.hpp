// How often the test-only fake runtime at AHAL_FAKE_HIP_RUNTIME took a
// call (its fake_hip_calls export): "hipGraphLaunch", "hipModuleLaunchKernel"
// (launches that ran, not captured), "captured hipModuleLaunchKernel", ...
// The plugin opened the same file, so this is the same library.
#pragma once

#include "test_double.hpp"

namespace ahal_test {

inline long fake_hip_calls(const char* what) {
  static auto* fn = double_symbol<long (*)(const char*)>(AHAL_FAKE_HIP_RUNTIME, "fake_hip_calls");
  return fn(what);
}

}  // namespace ahal_test

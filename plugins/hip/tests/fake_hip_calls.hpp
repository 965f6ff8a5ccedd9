// How often the test-only fake runtime at AHAL_FAKE_HIP_RUNTIME took a
// call (its fake_hip_calls export): "hipGraphLaunch", "hipModuleLaunchKernel"
// (launches that ran, not captured), "captured hipModuleLaunchKernel", ...
// The plugin opened the same file, so this is the same library.
#pragma once

#include <catch2/catch.hpp>

#include <dlfcn.h>

namespace ahal_test {

inline long fake_hip_calls(const char* what) {
  static auto* fn = [] {
    void* fake = dlopen(AHAL_FAKE_HIP_RUNTIME, RTLD_NOW | RTLD_LOCAL);
    return fake ? reinterpret_cast<long (*)(const char*)>(dlsym(fake, "fake_hip_calls")) : nullptr;
  }();
  REQUIRE(fn);
  return fn(what);
}

}  // namespace ahal_test

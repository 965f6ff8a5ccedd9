// Test helpers for a plugin seen through libahal, as applications see it:
// a runtime that loads only that plugin, the plugin's line in the list of
// plugins when its vendor library is missing, broken or the system's, and
// the plugin's first device for device tests (skipped, exit 77, where the
// device is not there). Used by the HIP and Level Zero API and device
// tests; include after <catch2/catch.hpp>.
#pragma once

#include <ahal/ahal.h>

#include <catch2/catch.hpp>

#include "device_test_support.hpp"
#include "plugin_test_support.hpp"

#include <cstdio>
#include <string>

namespace ahal_test {

// A runtime that loads only `plugin`, from the folder `plugin_dir`.
// `flags` are ahal_runtime_flags_t.
struct PluginRuntime {
  ahal_runtime_t rt = nullptr;
  const char* plugin;

  PluginRuntime(const char* plugin_dir, const char* plugin_name,
                uint32_t flags = AHAL_RUNTIME_IGNORE_ENVIRONMENT | AHAL_RUNTIME_NO_DEFAULT_PATHS)
      : plugin(plugin_name) {
    ahal_runtime_options_t options{};
    options.struct_size = sizeof(options);
    options.flags = flags;
    options.plugin_path = plugin_dir;
    options.plugins = plugin_name;
    ahal_status_t status = ahal_runtime_create(&options, &rt);
    INFO(ahal_last_error_message());
    REQUIRE(status == AHAL_SUCCESS);
  }
  ~PluginRuntime() { ahal_runtime_destroy(rt); }
  PluginRuntime(const PluginRuntime&) = delete;
  PluginRuntime& operator=(const PluginRuntime&) = delete;

  // The plugin's entry in the list of plugins.
  ahal_plugin_info_t info() const {
    uint32_t count = 0;
    REQUIRE(ahal_runtime_plugin_count(rt, &count) == AHAL_SUCCESS);
    for (uint32_t i = 0; i < count; ++i) {
      ahal_plugin_info_t info{};
      info.struct_size = sizeof(info);
      REQUIRE(ahal_runtime_plugin_info(rt, i, &info) == AHAL_SUCCESS);
      if (std::string(info.name) == plugin) return info;
    }
    FAIL("the " << plugin << " plugin is not listed");
    return {};
  }
};

// Without the library the plugin is listed as loaded with no devices and
// the reason, and `selector` finds nothing.
inline void check_listed_without_library(const char* plugin_dir, const VendorLibrary& lib,
                                         const char* selector) {
  ScopedEnv env(lib.path_variable, lib.missing_path);
  PluginRuntime runtime(plugin_dir, lib.plugin_name);
  ahal_plugin_info_t info = runtime.info();
  INFO(info.reason);
  REQUIRE(info.state == AHAL_PLUGIN_STATE_LOADED);
  REQUIRE(info.device_count == 0);
  REQUIRE(contains(info.reason, lib.not_found));
  ahal_device_t device = nullptr;
  REQUIRE(ahal_device_find(runtime.rt, selector, &device) == AHAL_ERROR_NOT_FOUND);
}

// With a library that lacks entry points the plugin is refused and gives no
// devices. Returns the reason, for the caller to look for the entry points.
inline std::string refused_with_broken_library(const char* plugin_dir, const VendorLibrary& lib,
                                               const char* broken_path) {
  ScopedEnv env(lib.path_variable, broken_path);
  PluginRuntime runtime(plugin_dir, lib.plugin_name);
  ahal_plugin_info_t info = runtime.info();
  INFO(info.reason);
  REQUIRE(info.state == AHAL_PLUGIN_STATE_REFUSED);
  REQUIRE(info.device_count == 0);
  uint32_t devices = 1;
  REQUIRE(ahal_runtime_device_count(runtime.rt, &devices) == AHAL_SUCCESS);
  REQUIRE(devices == 0);
  return info.reason;
}

// With the system's library (or none) the plugin loads; without devices it
// says why.
inline void check_listed_with_system_library(const char* plugin_dir, const VendorLibrary& lib) {
  ScopedEnv env(lib.path_variable, nullptr);
  PluginRuntime runtime(plugin_dir, lib.plugin_name);
  ahal_plugin_info_t info = runtime.info();
  INFO(info.reason);
  REQUIRE(info.state == AHAL_PLUGIN_STATE_LOADED);
  if (info.device_count == 0) {
    bool says_why = contains(info.reason, lib.not_found);
    for (const char* reason : lib.no_device_reasons) says_why |= contains(info.reason, reason);
    REQUIRE(says_why);
  }
}

// The device `selector` of a runtime that loads only `plugin`. The flags
// default to none, as an application's, so that the device tests see the
// environment (a test double named there, say).
struct DeviceUnderTest {
  PluginRuntime runtime;
  ahal_device_t device = nullptr;

  DeviceUnderTest(const char* plugin_dir, const char* plugin, const char* selector,
                  uint32_t flags = 0)
      : runtime(plugin_dir, plugin, flags) {
    ahal_status_t status = ahal_device_find(runtime.rt, selector, &device);
    INFO(ahal_last_error_message());
    REQUIRE(status == AHAL_SUCCESS);
  }
};

// The same with the vendor library at `library_path` (a test double), in a
// runtime that ignores the loader's environment variables.
struct DeviceWithLibrary : ScopedEnv, DeviceUnderTest {
  DeviceWithLibrary(const char* plugin_dir, const VendorLibrary& lib, const char* library_path,
                    const char* selector)
      : ScopedEnv(lib.path_variable, library_path),
        DeviceUnderTest(plugin_dir, lib.plugin_name, selector,
                        AHAL_RUNTIME_IGNORE_ENVIRONMENT | AHAL_RUNTIME_NO_DEFAULT_PATHS) {}
};

// A device test's main(): runs the tests when `plugin` gives `selector`;
// otherwise prints why and returns 77, which ctest counts as skipped.
inline int run_tests_on_device(int argc, char** argv, const char* plugin_dir, const char* plugin,
                               const char* selector) {
  ahal_runtime_options_t options{};
  options.struct_size = sizeof(options);
  options.plugin_path = plugin_dir;
  options.plugins = plugin;
  ahal_runtime_t runtime = nullptr;
  ahal_device_t device = nullptr;
  if (ahal_runtime_create(&options, &runtime) != AHAL_SUCCESS ||
      ahal_device_find(runtime, selector, &device) != AHAL_SUCCESS) {
    std::printf("SKIP: no device %s: %s\n", selector, ahal_last_error_message());
    ahal_runtime_destroy(runtime);
    return 77;
  }
  ahal_runtime_destroy(runtime);
  return Catch::Session().run(argc, argv);
}

}  // namespace ahal_test

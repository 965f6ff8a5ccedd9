// The Level Zero plugin through its dispatch table (no loader), on a
// machine with or without Level Zero: a missing loader, a broken one (a
// library of the right name without the entry points), the system's own
// loader, and what the plugin links.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include "plugin_test_support.hpp"

#include <dlfcn.h>

#include <string>

using ahal_test::DirectPlugin;
using ahal_test::ScopedEnv;

TEST_CASE("without a Level Zero loader the plugin loads with no devices and says why") {
  ScopedEnv env("AHAL_ZE_LOADER_PATH", "/nonexistent/libze_loader.so.1");
  DirectPlugin plugin(AHAL_ZE_PLUGIN_FILE);
  REQUIRE(std::string(plugin.api.name) == "level_zero");
  ahal_plugin_instance_t* instance = nullptr;
  std::string message;
  REQUIRE(plugin.init(&instance, &message) == AHAL_ERROR_NOT_FOUND);
  REQUIRE(instance == nullptr);
  INFO(message);
  REQUIRE(message.find("Level Zero loader not found") != std::string::npos);
  REQUIRE(message.find("/nonexistent/libze_loader.so.1") != std::string::npos);
}

TEST_CASE("a Level Zero loader without the entry points is refused by name") {
  ScopedEnv env("AHAL_ZE_LOADER_PATH", AHAL_BROKEN_ZE_LOADER);
  DirectPlugin plugin(AHAL_ZE_PLUGIN_FILE);
  ahal_plugin_instance_t* instance = nullptr;
  std::string message;
  REQUIRE(plugin.init(&instance, &message) == AHAL_ERROR_INCOMPATIBLE);
  REQUIRE(instance == nullptr);
  INFO(message);
  REQUIRE(message.find(AHAL_BROKEN_ZE_LOADER) != std::string::npos);
  REQUIRE(message.find("zeCommandListAppendLaunchKernel") != std::string::npos);
  REQUIRE(message.find("zeModuleCreate") != std::string::npos);
  REQUIRE(message.find("zeInit,") == std::string::npos);  // present entries are not listed
  // The process goes on: the plugin still answers the next init.
  ScopedEnv absent("AHAL_ZE_LOADER_PATH", "/nonexistent/libze_loader.so.1");
  REQUIRE(plugin.init(&instance, &message) == AHAL_ERROR_NOT_FOUND);
}

// Run by ctest with LD_LIBRARY_PATH at the broken library, which is named
// libze_loader.so.1 as the real loader is: the ordinary search finds it.
TEST_CASE("a broken libze_loader.so.1 on LD_LIBRARY_PATH is refused", "[.ld_library_path]") {
  ScopedEnv env("AHAL_ZE_LOADER_PATH", nullptr);
  DirectPlugin plugin(AHAL_ZE_PLUGIN_FILE);
  ahal_plugin_instance_t* instance = nullptr;
  std::string message;
  REQUIRE(plugin.init(&instance, &message) == AHAL_ERROR_INCOMPATIBLE);
  INFO(message);
  REQUIRE(message.find("libze_loader.so.1") != std::string::npos);
  REQUIRE(message.find("lacks required entry points") != std::string::npos);
  REQUIRE(message.find("zeCommandListCreateImmediate") != std::string::npos);
}

TEST_CASE("the system's Level Zero loader, if any, has every entry point the plugin needs") {
  ScopedEnv env("AHAL_ZE_LOADER_PATH", nullptr);
  void* system_loader = dlopen("libze_loader.so.1", RTLD_NOW | RTLD_LOCAL);
  DirectPlugin plugin(AHAL_ZE_PLUGIN_FILE);
  ahal_plugin_instance_t* instance = nullptr;
  std::string message;
  ahal_status_t status = plugin.init(&instance, &message);
  INFO(message);
  if (!system_loader) {
    REQUIRE(status == AHAL_ERROR_NOT_FOUND);
    REQUIRE(message.find("Level Zero loader not found") != std::string::npos);
    return;
  }
  dlclose(system_loader);
  REQUIRE(status != AHAL_ERROR_INCOMPATIBLE);
  if (status == AHAL_SUCCESS) {
    uint32_t count = 0;
    REQUIRE(plugin.api.device_count(instance, &count) == AHAL_SUCCESS);
    REQUIRE(count > 0);
    plugin.api.plugin_shutdown(instance);
  } else {
    // No driver: the loader answers zeInit with ZE_RESULT_ERROR_UNINITIALIZED.
    REQUIRE(status == AHAL_ERROR_NOT_FOUND);
    bool says_why = message.find("zeInit failed") != std::string::npos ||
                    message.find("no Level Zero GPU devices") != std::string::npos;
    REQUIRE(says_why);
  }
}

TEST_CASE("the plugin links only the C and C++ runtimes") {
  for (const std::string& lib : ahal_test::elf_needed(AHAL_ZE_PLUGIN_FILE)) {
    INFO(lib);
    REQUIRE(ahal_test::is_c_or_cxx_runtime(lib));
  }
}

// The HIP plugin through its dispatch table (no loader), on a machine with
// or without a HIP runtime and GPU: a missing runtime, a broken one (a
// library of the right name without the entry points), the system's own
// runtime, what the plugin links, and the gfx target matching.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include "hip_target.hpp"
#include "plugin_test_support.hpp"

#include <dlfcn.h>

#include <string>

using ahal_test::DirectPlugin;
using ahal_test::ScopedEnv;

TEST_CASE("without a HIP runtime the plugin loads with no devices and says why") {
  ScopedEnv env("AHAL_HIP_RUNTIME_PATH", "/nonexistent/libamdhip64.so.5");
  DirectPlugin plugin(AHAL_HIP_PLUGIN_FILE);
  REQUIRE(std::string(plugin.api.name) == "hip");
  ahal_plugin_instance_t* instance = nullptr;
  std::string message;
  REQUIRE(plugin.init(&instance, &message) == AHAL_ERROR_NOT_FOUND);
  REQUIRE(instance == nullptr);
  INFO(message);
  REQUIRE(message.find("HIP runtime not found") != std::string::npos);
  // dlerror's own text names the file it could not open.
  REQUIRE(message.find("/nonexistent/libamdhip64.so.5") != std::string::npos);
}

TEST_CASE("a HIP runtime without the entry points is refused by name") {
  ScopedEnv env("AHAL_HIP_RUNTIME_PATH", AHAL_BROKEN_HIP_RUNTIME);
  DirectPlugin plugin(AHAL_HIP_PLUGIN_FILE);
  ahal_plugin_instance_t* instance = nullptr;
  std::string message;
  REQUIRE(plugin.init(&instance, &message) == AHAL_ERROR_INCOMPATIBLE);
  REQUIRE(instance == nullptr);
  INFO(message);
  REQUIRE(message.find(AHAL_BROKEN_HIP_RUNTIME) != std::string::npos);
  REQUIRE(message.find("hipModuleLaunchKernel") != std::string::npos);
  REQUIRE(message.find("hipGetDeviceProperties") != std::string::npos);
  // Present entries are not reported missing.
  REQUIRE(message.find("hipInit") == std::string::npos);
  // The process goes on: the plugin still answers the next init.
  ScopedEnv absent("AHAL_HIP_RUNTIME_PATH", "/nonexistent/libamdhip64.so");
  REQUIRE(plugin.init(&instance, &message) == AHAL_ERROR_NOT_FOUND);
}

// Run by ctest with LD_LIBRARY_PATH at the broken library, which is named
// libamdhip64.so.5 as the real runtime is: the ordinary search finds it.
TEST_CASE("a broken libamdhip64.so.5 on LD_LIBRARY_PATH is refused", "[.ld_library_path]") {
  ScopedEnv env("AHAL_HIP_RUNTIME_PATH", nullptr);
  DirectPlugin plugin(AHAL_HIP_PLUGIN_FILE);
  ahal_plugin_instance_t* instance = nullptr;
  std::string message;
  REQUIRE(plugin.init(&instance, &message) == AHAL_ERROR_INCOMPATIBLE);
  INFO(message);
  REQUIRE(message.find("libamdhip64.so.5") != std::string::npos);
  REQUIRE(message.find("lacks required entry points") != std::string::npos);
  REQUIRE(message.find("hipModuleLaunchKernel") != std::string::npos);
}

TEST_CASE("the system's HIP runtime, if any, has every entry point the plugin needs") {
  ScopedEnv env("AHAL_HIP_RUNTIME_PATH", nullptr);
  void* system_runtime = dlopen("libamdhip64.so.5", RTLD_NOW | RTLD_LOCAL);
  if (!system_runtime) system_runtime = dlopen("libamdhip64.so.6", RTLD_NOW | RTLD_LOCAL);
  DirectPlugin plugin(AHAL_HIP_PLUGIN_FILE);
  ahal_plugin_instance_t* instance = nullptr;
  std::string message;
  ahal_status_t status = plugin.init(&instance, &message);
  INFO(message);
  if (!system_runtime) {
    REQUIRE(status == AHAL_ERROR_NOT_FOUND);
    REQUIRE(message.find("HIP runtime not found") != std::string::npos);
    return;
  }
  dlclose(system_runtime);
  // Never refused for a missing entry: either it has devices, or it says
  // why not (hipInit on a machine without an AMD GPU).
  REQUIRE(status != AHAL_ERROR_INCOMPATIBLE);
  if (status == AHAL_SUCCESS) {
    uint32_t count = 0;
    REQUIRE(plugin.api.device_count(instance, &count) == AHAL_SUCCESS);
    REQUIRE(count > 0);
    plugin.api.plugin_shutdown(instance);
  } else {
    REQUIRE(status == AHAL_ERROR_NOT_FOUND);
    bool says_why = message.find("hipInit failed") != std::string::npos ||
                    message.find("no HIP devices") != std::string::npos;
    REQUIRE(says_why);
  }
}

TEST_CASE("the plugin links only the C and C++ runtimes") {
  for (const std::string& lib : ahal_test::elf_needed(AHAL_HIP_PLUGIN_FILE)) {
    INFO(lib);
    REQUIRE(ahal_test::is_c_or_cxx_runtime(lib));
  }
}

TEST_CASE("gfx target ids parse") {
  ahal_hip::TargetId id;
  REQUIRE(ahal_hip::parse_target_id("gfx90a:sramecc+:xnack-", &id));
  REQUIRE(id.processor == "gfx90a");
  REQUIRE(id.features.size() == 2);
  REQUIRE(id.features[0] == std::make_pair(std::string("sramecc"), '+'));
  REQUIRE(id.features[1] == std::make_pair(std::string("xnack"), '-'));
  REQUIRE(ahal_hip::parse_target_id("amdgcn-amd-amdhsa--gfx1030", &id));
  REQUIRE(id.processor == "gfx1030");
  REQUIRE(id.features.empty());
  REQUIRE_FALSE(ahal_hip::parse_target_id("sm_90", &id));
  REQUIRE_FALSE(ahal_hip::parse_target_id("gfx90a:xnack", &id));
  REQUIRE_FALSE(ahal_hip::parse_target_id("gfx", &id));
}

TEST_CASE("hsaco images score by gfx target and features") {
  using ahal_hip::hsaco_score;
  const std::string device = "gfx90a:sramecc+:xnack-";
  REQUIRE(hsaco_score("gfx90a", device) == 90);         // features "any"
  REQUIRE(hsaco_score("gfx90a:xnack-", device) == 90);  // one fixed, matching
  REQUIRE(hsaco_score("gfx90a:sramecc+:xnack-", device) == 100);
  REQUIRE(hsaco_score("gfx90a:xnack+", device) == 0);  // xnack mismatch
  REQUIRE(hsaco_score("gfx908", device) == 0);
  REQUIRE(hsaco_score("gfx90", device) == 0);
  REQUIRE(hsaco_score("", device) == 1);  // unknown target: last resort
  REQUIRE(hsaco_score("gfx1030", "gfx1030") == 100);
  // A device that does not report a feature takes either setting.
  REQUIRE(hsaco_score("gfx906:xnack-", "gfx906") == 90);
}

TEST_CASE("hip-fatbin images score by the targets they list") {
  using ahal_hip::fatbin_score;
  REQUIRE(fatbin_score("", "gfx90a:xnack-") == 50);
  REQUIRE(fatbin_score("gfx908,gfx90a", "gfx90a:xnack-") == 85);
  REQUIRE(fatbin_score("gfx908,gfx1030", "gfx90a:xnack-") == 0);
  // A matching direct code object beats a bundle.
  REQUIRE(fatbin_score("gfx90a", "gfx90a") < ahal_hip::hsaco_score("gfx90a", "gfx90a"));
}

// The Level Zero plugin through its dispatch table (no loader), on a
// machine with or without Level Zero: a missing loader, a broken one (a
// library of the right name without the entry points), the system's own
// loader, and what the plugin links.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include "ze_vendor_library.hpp"

#include <string>

using ahal_test::kZeLoader;

TEST_CASE("without a Level Zero loader the plugin loads with no devices and says why") {
  ahal_test::check_init_without_library(AHAL_ZE_PLUGIN_FILE, kZeLoader);
}

TEST_CASE("a Level Zero loader without the entry points is refused by name") {
  std::string message = ahal_test::init_with_broken_library(
      AHAL_ZE_PLUGIN_FILE, kZeLoader, AHAL_BROKEN_ZE_LOADER, AHAL_BROKEN_ZE_LOADER);
  INFO(message);
  REQUIRE(message.find("zeCommandListAppendLaunchKernel") != std::string::npos);
  REQUIRE(message.find("zeModuleCreate") != std::string::npos);
  REQUIRE(message.find("zeInit,") == std::string::npos);  // present entries are not listed
}

// Run by ctest with LD_LIBRARY_PATH at the broken library, which is named
// libze_loader.so.1 as the real loader is: the ordinary search finds it.
TEST_CASE("a broken libze_loader.so.1 on LD_LIBRARY_PATH is refused", "[.ld_library_path]") {
  std::string message = ahal_test::init_with_broken_library(AHAL_ZE_PLUGIN_FILE, kZeLoader, nullptr,
                                                            "libze_loader.so.1");
  INFO(message);
  REQUIRE(message.find("zeCommandListCreateImmediate") != std::string::npos);
}

TEST_CASE("the system's Level Zero loader, if any, has every entry point the plugin needs") {
  ahal_test::check_init_with_system_library(AHAL_ZE_PLUGIN_FILE, kZeLoader);
}

TEST_CASE("the plugin links only the C and C++ runtimes") {
  ahal_test::check_links_only_c_and_cxx_runtimes(AHAL_ZE_PLUGIN_FILE);
}

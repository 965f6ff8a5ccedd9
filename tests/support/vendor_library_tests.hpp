// The test cases every plugin that opens a vendor library has, written once:
// without the library, with a broken one, with the system's, through the
// plugin's dispatch table and through libahal. A plugin's test file expands
// them with its VendorLibrary; include after <catch2/catch.hpp>.
#pragma once

#include "plugin_test_support.hpp"
#include "runtime_test_support.hpp"

#include <string>

namespace ahal_test {

// The refusal names the entry points the broken library lacks, and only those.
inline void check_names_missing_entries(const std::string& message, const VendorLibrary& lib) {
  INFO(message);
  for (const char* entry : lib.broken_lacks) CHECK(contains(message, entry));
  CHECK_FALSE(contains(message, lib.broken_has));
}

}  // namespace ahal_test

// Through the dispatch table: `plugin_file` is the plugin, `broken_file` a
// library named like the vendor's without its entry points. The test tagged
// [.ld_library_path] is run by ctest with LD_LIBRARY_PATH at that library.
#define AHAL_VENDOR_LIBRARY_PLUGIN_TESTS(lib, plugin_file, broken_file, broken_soname)         \
  TEST_CASE("without the vendor library the plugin loads with no devices and says why") {      \
    ahal_test::check_init_without_library(plugin_file, lib);                                   \
  }                                                                                            \
  TEST_CASE("a vendor library without the entry points is refused by name") {                  \
    ahal_test::check_names_missing_entries(                                                    \
        ahal_test::init_with_broken_library(plugin_file, lib, broken_file, broken_file), lib); \
  }                                                                                            \
  TEST_CASE("a broken vendor library on LD_LIBRARY_PATH is refused", "[.ld_library_path]") {   \
    ahal_test::check_names_missing_entries(                                                    \
        ahal_test::init_with_broken_library(plugin_file, lib, nullptr, broken_soname), lib);   \
  }                                                                                            \
  TEST_CASE("the system's vendor library, if any, has every entry point the plugin needs") {   \
    ahal_test::check_init_with_system_library(plugin_file, lib);                               \
  }                                                                                            \
  TEST_CASE("the plugin links only the C and C++ runtimes") {                                  \
    ahal_test::check_links_only_c_and_cxx_runtimes(plugin_file);                               \
  }

// Through libahal, in a runtime that loads only this plugin from
// `plugin_dir`; `selector` is its first device.
#define AHAL_VENDOR_LIBRARY_API_TESTS(lib, plugin_dir, selector, broken_file)                   \
  TEST_CASE("without the vendor library the plugin is listed with no devices and the reason") { \
    ahal_test::check_listed_without_library(plugin_dir, lib, selector);                         \
  }                                                                                             \
  TEST_CASE("with a broken vendor library the plugin is refused and names what is missing") {   \
    ahal_test::check_names_missing_entries(                                                     \
        ahal_test::refused_with_broken_library(plugin_dir, lib, broken_file), lib);             \
  }                                                                                             \
  TEST_CASE("with the system's vendor library the plugin loads or says why it has no device") { \
    ahal_test::check_listed_with_system_library(plugin_dir, lib);                               \
  }

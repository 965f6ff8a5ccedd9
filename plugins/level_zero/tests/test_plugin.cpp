// The Level Zero plugin through its dispatch table (no loader), on a
// machine with or without Level Zero: a missing loader, a broken one (a
// library of the right name without the entry points), the system's own
// loader, and what the plugin links.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include "ze_vendor_library.hpp"
#include "vendor_library_tests.hpp"

#include <string>

AHAL_VENDOR_LIBRARY_PLUGIN_TESTS(ahal_test::kZeLoader, AHAL_ZE_PLUGIN_FILE, AHAL_BROKEN_ZE_LOADER,
                                 "libze_loader.so.1")

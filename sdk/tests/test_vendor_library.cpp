// VendorLibrary and SymbolTable: opening a vendor library and its entry
// points, with the messages a plugin hands the loader when that fails.
#include <ahal/vendor_library.hpp>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <string>

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

using PutsFn = int (*)(const char*);

}  // namespace

TEST_CASE("a library that is not there is named with why it did not open", "[vendor_library.hpp]") {
  ahal::plugin::VendorLibrary lib;
  REQUIRE_FALSE(lib.open("Test runtime", {"/nonexistent/libtest.so.1", "libnosuchlib.so.9"}));
  CHECK_FALSE(lib.is_open());
  INFO(lib.error());
  CHECK(lib.error().rfind("Test runtime not found (/nonexistent/libtest.so.1: ", 0) == 0);
  CHECK(contains(lib.error(), "; libnosuchlib.so.9: "));
  CHECK(lib.error().back() == ')');
  CHECK(lib.symbol("puts") == nullptr);
}

TEST_CASE("the first candidate that opens is the library, with its real path",
          "[vendor_library.hpp]") {
  ahal::plugin::VendorLibrary lib;
  REQUIRE(lib.open("C library", {"/nonexistent/libc.so.6", "libc.so.6"}));
  CHECK(lib.is_open());
  CHECK(lib.what() == "C library");
  CHECK(lib.path().front() == '/');  // resolved through the search path
  CHECK(contains(lib.path(), "libc.so.6"));
  CHECK(lib.symbol("puts") != nullptr);
}

TEST_CASE("an environment variable names the one file to try", "[vendor_library.hpp]") {
  using ahal::plugin::VendorLibrary;
  ::unsetenv("AHAL_SDK_TEST_LIBRARY");
  CHECK(VendorLibrary::candidates("AHAL_SDK_TEST_LIBRARY", {"a.so", "b.so"}) ==
        std::vector<std::string>{"a.so", "b.so"});
  ::setenv("AHAL_SDK_TEST_LIBRARY", "", 1);  // empty: as if unset
  CHECK(VendorLibrary::candidates("AHAL_SDK_TEST_LIBRARY", {"a.so"}).size() == 1);
  ::setenv("AHAL_SDK_TEST_LIBRARY", "/opt/mine.so", 1);
  CHECK(VendorLibrary::candidates("AHAL_SDK_TEST_LIBRARY", {"a.so", "b.so"}) ==
        std::vector<std::string>{"/opt/mine.so"});
  ::unsetenv("AHAL_SDK_TEST_LIBRARY");
}

TEST_CASE("a symbol table names the required entry points that are missing",
          "[vendor_library.hpp]") {
  ahal::plugin::VendorLibrary lib;
  REQUIRE(lib.open("C library", {"libc.so.6"}));
  ahal::plugin::SymbolTable symbols(lib);
  PutsFn puts_fn = nullptr, missing = nullptr, optional_missing = nullptr;
  CHECK(symbols.require(puts_fn, "puts"));
  CHECK(puts_fn != nullptr);
  CHECK(symbols.complete());
  CHECK_FALSE(symbols.optional(optional_missing, "ahal_no_such_optional"));
  CHECK(optional_missing == nullptr);
  CHECK(symbols.complete());  // optional ones may be absent
  CHECK_FALSE(symbols.require(missing, "ahal_no_such_entry", "(version 2)"));
  CHECK_FALSE(symbols.require(missing, "ahal_no_such_other"));
  CHECK_FALSE(symbols.complete());
  CHECK(symbols.missing().size() == 2);
  CHECK(symbols.error() == "C library " + lib.path() +
                               " lacks required entry points: ahal_no_such_entry (version 2), "
                               "ahal_no_such_other");
}

TEST_CASE("a symbol table can look names up through the API's own loader", "[vendor_library.hpp]") {
  static int target = 0;
  ahal::plugin::SymbolTable symbols("the test driver", [](const char* name) -> void* {
    return std::string(name) == "known" ? &target : nullptr;
  });
  int* known = nullptr;
  int* unknown = nullptr;
  CHECK(symbols.require(known, "known"));
  CHECK(known == &target);
  CHECK_FALSE(symbols.require(unknown, "unknown"));
  CHECK(symbols.error() == "the test driver lacks required entry points: unknown");
}

TEST_CASE("load opens and resolves in one step, and closes what it refuses",
          "[vendor_library.hpp]") {
  PutsFn puts_fn = nullptr, missing = nullptr;
  ahal::plugin::VendorLibrary lib;
  CHECK(lib.load("C library", {"libc.so.6"}, [&](ahal::plugin::SymbolTable& symbols) {
    symbols.require(puts_fn, "puts");
  }) == AHAL_SUCCESS);
  CHECK(puts_fn != nullptr);
  CHECK(lib.is_open());

  ahal::plugin::VendorLibrary broken;
  CHECK(broken.load("C library", {"libc.so.6"}, [&](ahal::plugin::SymbolTable& symbols) {
    symbols.require(missing, "ahal_no_such_entry");
  }) == AHAL_ERROR_INCOMPATIBLE);
  CHECK_FALSE(broken.is_open());
  CHECK(contains(broken.error(), "lacks required entry points: ahal_no_such_entry"));

  ahal::plugin::VendorLibrary absent;
  CHECK(absent.load("Test runtime", {"/nonexistent/libtest.so.1"}, [](ahal::plugin::SymbolTable&) {
    FAIL("resolve ran without a library");
  }) == AHAL_ERROR_NOT_FOUND);
  CHECK(contains(absent.error(), "Test runtime not found (/nonexistent/libtest.so.1: "));
}

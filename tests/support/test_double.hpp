// Exports of the test doubles (fake runtimes and loaders) that tests call
// to count or steer what the plugin does.
#pragma once

#include <catch2/catch.hpp>

#include <dlfcn.h>

namespace ahal_test {

// Symbol `name` of the test double at `path`, opened by the path the plugin
// opens, so both see one instance of it (the handle stays open).
template <typename F>
F double_symbol(const char* path, const char* name) {
  void* library = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  REQUIRE(library);
  auto f = reinterpret_cast<F>(dlsym(library, name));
  REQUIRE(f);
  return f;
}

}  // namespace ahal_test

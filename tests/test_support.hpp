// Helpers shared by the loader's tests.
#pragma once

#include <ahal/ahal.h>

#include <catch2/catch.hpp>

#include <cstring>
#include <string>
#include <vector>

#define REQUIRE_OK(expr)                                                                       \
  do {                                                                                         \
    const ahal_status_t status_ = (expr);                                                      \
    INFO(#expr << " -> " << ahal_status_string(status_) << ": " << ahal_last_error_message()); \
    REQUIRE(status_ == AHAL_SUCCESS);                                                          \
  } while (0)

// The call fails with `status` and a message that names the function and
// contains `text`.
#define CHECK_FAILS(expr, status, function, text)                          \
  do {                                                                     \
    const ahal_status_t got_ = (expr);                                     \
    const std::string message_ = ahal_last_error_message();                \
    INFO(#expr << " -> " << ahal_status_string(got_) << ": " << message_); \
    CHECK(got_ == (status));                                               \
    CHECK(message_.rfind(std::string(function) + ": ", 0) == 0);           \
    CHECK(message_.find(text) != std::string::npos);                       \
  } while (0)

namespace test {

inline std::string plugin_dir(const std::string& set) {
  return std::string(AHAL_TEST_PLUGIN_DIR) + "/" + set;
}

// A runtime that sees only `path` (no environment, no default folders).
class Runtime {
 public:
  explicit Runtime(const std::string& path, const char* plugins = nullptr, uint32_t flags = 0) {
    ahal_runtime_options_t o = {};
    o.struct_size = sizeof(o);
    o.flags = AHAL_RUNTIME_NO_DEFAULT_PATHS | AHAL_RUNTIME_IGNORE_ENVIRONMENT | flags;
    o.plugin_path = path.c_str();
    o.plugins = plugins;
    REQUIRE_OK(ahal_runtime_create(&o, &rt_));
  }
  ~Runtime() {
    if (rt_) ahal_runtime_destroy(rt_);
  }
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;
  ahal_runtime_t get() const { return rt_; }
  ahal_runtime_t release() { return std::exchange(rt_, nullptr); }

  std::vector<ahal_plugin_info_t> plugins() const {
    uint32_t n = 0;
    REQUIRE_OK(ahal_runtime_plugin_count(rt_, &n));
    std::vector<ahal_plugin_info_t> out(n);
    for (uint32_t i = 0; i < n; ++i) {
      out[i].struct_size = sizeof(ahal_plugin_info_t);
      REQUIRE_OK(ahal_runtime_plugin_info(rt_, i, &out[i]));
    }
    return out;
  }
  // The info of the plugin named `name`; fails the test if there is none.
  ahal_plugin_info_t plugin(const std::string& name) const {
    for (const ahal_plugin_info_t& p : plugins())
      if (name == p.name) return p;
    FAIL("no plugin named " << name);
    return {};
  }
  uint32_t device_count() const {
    uint32_t n = 0;
    REQUIRE_OK(ahal_runtime_device_count(rt_, &n));
    return n;
  }
  ahal_device_t device(const char* selector) const {
    ahal_device_t d = nullptr;
    REQUIRE_OK(ahal_device_find(rt_, selector, &d));
    return d;
  }

 private:
  ahal_runtime_t rt_ = nullptr;
};

inline ahal_buffer_t make_buffer(ahal_device_t d, uint64_t size, uint32_t flags = 0) {
  ahal_buffer_args_t a = {};
  a.struct_size = sizeof(a);
  a.size = size;
  a.flags = flags;
  ahal_buffer_t b = nullptr;
  REQUIRE_OK(ahal_buffer_create(d, &a, &b));
  return b;
}

inline ahal_stream_t make_stream(ahal_device_t d) {
  ahal_stream_t s = nullptr;
  REQUIRE_OK(ahal_stream_create(d, nullptr, &s));
  return s;
}

// A module from hostmem "program" text (see tests/plugins/hostmem_plugin.cpp).
inline ahal_status_t make_program(ahal_device_t d, const std::string& text, ahal_module_t* out,
                                  const std::vector<ahal_kernel_info_t>& infos = {}) {
  ahal_module_args_t a = {};
  a.struct_size = sizeof(a);
  a.format = AHAL_MODULE_FORMAT_OPENCL_C;
  a.data = text.data();
  a.data_size = text.size();
  a.kernel_info_count = uint32_t(infos.size());
  a.kernel_infos = infos.empty() ? nullptr : infos.data();
  return ahal_module_create(d, &a, out);
}

}  // namespace test

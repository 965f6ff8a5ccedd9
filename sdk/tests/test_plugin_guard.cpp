// entry<fn>: the one noexcept C entry for a plugin's throwing free function.
#include "fake_host.hpp"

#include <ahal/plugin.hpp>

#include <catch2/catch.hpp>

#include <new>
#include <stdexcept>
#include <type_traits>

namespace plugin_under_test {

// Entries of a C-table plugin, named like the table's fields, that throw.
ahal_status_t device_count(ahal_plugin_instance_t* instance, uint32_t* out_count) {
  if (!instance) ahal::plugin::raise(AHAL_ERROR_NOT_FOUND, "no instance (%d)", 7);
  *out_count = 3;
  return AHAL_SUCCESS;
}

ahal_status_t stream_query(ahal_plugin_stream_t* stream) {
  if (!stream) throw std::bad_alloc();
  throw std::runtime_error("stream broke");
}

void device_close(ahal_plugin_device_t*) { throw std::runtime_error("could not close"); }

// An overload of an entry's name with another signature, as cuda_arch.hpp
// has for image_score: the table still takes the right one.
int image_score(int format) { return format; }
ahal_status_t image_score(ahal_plugin_device_t*, ahal_module_format_t, const char*,
                          int32_t* out_score) {
  *out_score = 42;
  return AHAL_SUCCESS;
}

AHAL_PLUGIN_DECLARE_ENTRY(_, buffer_map)

}  // namespace plugin_under_test

TEST_CASE("entry<fn> turns exceptions into a status and a message", "[plugin_guard.hpp]") {
  sdk_test::use_fake_host();
  using namespace plugin_under_test;
  ahal_plugin_api_t api{};
  AHAL_PLUGIN_SET_GUARDED_ENTRY(api, device_count)
  AHAL_PLUGIN_SET_GUARDED_ENTRY(api, stream_query)
  AHAL_PLUGIN_SET_GUARDED_ENTRY(api, device_close)
  AHAL_PLUGIN_SET_GUARDED_ENTRY(api, image_score)
  static_assert(std::is_nothrow_invocable_v<decltype(ahal::plugin::entry<device_close>),
                                            ahal_plugin_device_t*>);

  uint32_t count = 0;
  auto* instance = reinterpret_cast<ahal_plugin_instance_t*>(&count);
  CHECK(api.device_count(instance, &count) == AHAL_SUCCESS);
  CHECK(count == 3);
  CHECK(api.device_count(nullptr, &count) == AHAL_ERROR_NOT_FOUND);
  CHECK(sdk_test::last_message() == "no instance (7)");

  CHECK(api.stream_query(nullptr) == AHAL_ERROR_OUT_OF_HOST_MEMORY);
  CHECK(sdk_test::last_message() == "out of host memory");
  auto* stream = reinterpret_cast<ahal_plugin_stream_t*>(&count);
  CHECK(api.stream_query(stream) == AHAL_ERROR_PLUGIN);
  CHECK(sdk_test::last_message() == "unexpected C++ exception: stream broke");

  // A destroy entry cannot fail: the exception is logged, never thrown.
  api.device_close(nullptr);
  REQUIRE(sdk_test::log_lines().size() == 1);
  CHECK(sdk_test::log_lines()[0] == "test: destroy entry: could not close");

  int32_t score = 0;
  CHECK(api.image_score(nullptr, AHAL_MODULE_FORMAT_PTX, "", &score) == AHAL_SUCCESS);
  CHECK(score == 42);
}

TEST_CASE("AHAL_PLUGIN_DECLARE_ENTRY declares a function of the field's type",
          "[plugin_guard.hpp]") {
  static_assert(std::is_same_v<decltype(&plugin_under_test::buffer_map),
                               decltype(ahal_plugin_api_t::buffer_map)>);
  SUCCEED("checked at compile time");
}

TEST_CASE("log and fail take whole strings too", "[plugin_guard.hpp]") {
  sdk_test::use_fake_host();
  const std::string long_text(5000, 'x');
  CHECK(ahal::plugin::fail(AHAL_ERROR_BUILD_FAILED, long_text) == AHAL_ERROR_BUILD_FAILED);
  CHECK(sdk_test::last_message() == long_text);  // not cut at a buffer's size
  ahal::plugin::log(AHAL_LOG_DEBUG, long_text);
  REQUIRE(sdk_test::log_lines().size() == 1);
  CHECK(sdk_test::log_lines()[0] == "test: " + long_text);
}

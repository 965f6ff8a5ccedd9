// Status strings, the version, and the thread-local error message.
#include <thread>

#include "test_support.hpp"

// From c_api_check.c: C callers may pass any integer where an enum goes.
extern "C" const char* c_status_string(int value);
extern "C" const char* c_format_name(int value);

TEST_CASE("every status has its constant name") {
  const std::pair<ahal_status_t, const char*> names[] = {
      {AHAL_SUCCESS, "AHAL_SUCCESS"},
      {AHAL_NOT_READY, "AHAL_NOT_READY"},
      {AHAL_ERROR_INVALID_ARGUMENT, "AHAL_ERROR_INVALID_ARGUMENT"},
      {AHAL_ERROR_INVALID_HANDLE, "AHAL_ERROR_INVALID_HANDLE"},
      {AHAL_ERROR_OUT_OF_RANGE, "AHAL_ERROR_OUT_OF_RANGE"},
      {AHAL_ERROR_OUT_OF_HOST_MEMORY, "AHAL_ERROR_OUT_OF_HOST_MEMORY"},
      {AHAL_ERROR_OUT_OF_DEVICE_MEMORY, "AHAL_ERROR_OUT_OF_DEVICE_MEMORY"},
      {AHAL_ERROR_UNSUPPORTED, "AHAL_ERROR_UNSUPPORTED"},
      {AHAL_ERROR_NOT_FOUND, "AHAL_ERROR_NOT_FOUND"},
      {AHAL_ERROR_TIMEOUT, "AHAL_ERROR_TIMEOUT"},
      {AHAL_ERROR_DEVICE_LOST, "AHAL_ERROR_DEVICE_LOST"},
      {AHAL_ERROR_PLUGIN, "AHAL_ERROR_PLUGIN"},
      {AHAL_ERROR_BUILD_FAILED, "AHAL_ERROR_BUILD_FAILED"},
      {AHAL_ERROR_INVALID_STATE, "AHAL_ERROR_INVALID_STATE"},
      {AHAL_ERROR_INCOMPATIBLE, "AHAL_ERROR_INCOMPATIBLE"},
      {AHAL_ERROR_INTERNAL, "AHAL_ERROR_INTERNAL"},
  };
  for (const auto& [status, name] : names) CHECK(std::string(ahal_status_string(status)) == name);
  REQUIRE(c_status_string(999) != nullptr);
  CHECK(std::string(c_status_string(999)) == "AHAL_ERROR_UNKNOWN");
  // The largest value the type holds (AHAL_STATUS_MAX_ENUM; docs/abi.md).
  CHECK(std::string(c_status_string(0x7fffffff)) == "AHAL_ERROR_UNKNOWN");
  CHECK(std::string(c_status_string(3)) == "AHAL_ERROR_INVALID_HANDLE");
}

TEST_CASE("version is the header's") {
  const uint32_t v = ahal_get_version();
  CHECK(v == AHAL_API_VERSION);
  CHECK(AHAL_VERSION_MAJOR(v) == AHAL_API_VERSION_MAJOR);
  CHECK(AHAL_VERSION_MINOR(v) == AHAL_API_VERSION_MINOR);
}

TEST_CASE("module format names round-trip") {
  for (uint32_t f = 1; f <= AHAL_MODULE_FORMAT_ZE_NATIVE; ++f) {
    const auto format = static_cast<ahal_module_format_t>(f);
    const char* name = ahal_module_format_name(format);
    INFO("format " << f << " = " << name);
    CHECK(std::string(name) != "unknown");
    ahal_module_format_t back = AHAL_MODULE_FORMAT_UNKNOWN;
    REQUIRE_OK(ahal_module_format_parse(name, &back));
    CHECK(back == format);
  }
  CHECK(std::string(ahal_module_format_name(AHAL_MODULE_FORMAT_SPIRV_VULKAN)) == "spirv-vulkan");
  CHECK(std::string(ahal_module_format_name(AHAL_MODULE_FORMAT_BUNDLE)) == "bundle");
  CHECK(std::string(ahal_module_format_name(AHAL_MODULE_FORMAT_UNKNOWN)) == "unknown");
  CHECK(std::string(c_format_name(77)) == "unknown");
  CHECK(std::string(c_format_name(0x7fffffff)) == "unknown");  // the largest value (docs/abi.md)
  ahal_module_format_t out = AHAL_MODULE_FORMAT_CPU_SO;
  CHECK_FAILS(ahal_module_format_parse("vhdl", &out), AHAL_ERROR_NOT_FOUND,
              "ahal_module_format_parse", "\"vhdl\"");
  CHECK(out == AHAL_MODULE_FORMAT_CPU_SO);
  CHECK_FAILS(ahal_module_format_parse(nullptr, &out), AHAL_ERROR_INVALID_ARGUMENT,
              "ahal_module_format_parse", "name is NULL");
  CHECK_FAILS(ahal_module_format_parse("ptx", nullptr), AHAL_ERROR_INVALID_ARGUMENT,
              "ahal_module_format_parse", "out is NULL");
}

TEST_CASE("the error message is per thread and survives successful calls") {
  ahal_module_format_t f;
  CHECK(ahal_module_format_parse("nope-main", &f) == AHAL_ERROR_NOT_FOUND);
  const std::string main_message = ahal_last_error_message();
  REQUIRE(main_message.find("nope-main") != std::string::npos);

  std::string other_before, other_after;
  std::thread t([&] {
    other_before = ahal_last_error_message();
    ahal_module_format_t g;
    (void)ahal_module_format_parse("nope-thread", &g);
    other_after = ahal_last_error_message();
  });
  t.join();
  CHECK(other_before.empty());
  CHECK(other_after.find("nope-thread") != std::string::npos);
  // The other thread's failure did not touch this thread's message.
  CHECK(std::string(ahal_last_error_message()) == main_message);
  // A successful call leaves the message alone.
  REQUIRE_OK(ahal_module_format_parse("ptx", &f));
  CHECK(std::string(ahal_last_error_message()) == main_message);
}

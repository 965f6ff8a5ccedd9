#include "status.hpp"

#include <cstdarg>
#include <cstdio>
#include <exception>
#include <new>
#include <typeinfo>

#include "generated/api_impl.hpp"

namespace ahal {
namespace {

thread_local std::string t_message;

std::string vformat(const char* fmt, va_list ap) {
  char small[256];
  va_list copy;
  va_copy(copy, ap);
  const int n = std::vsnprintf(small, sizeof(small), fmt, copy);
  va_end(copy);
  if (n < 0) return fmt;
  if (size_t(n) < sizeof(small)) return std::string(small, size_t(n));
  std::string out(size_t(n) + 1, '\0');
  std::vsnprintf(out.data(), out.size(), fmt, ap);
  out.resize(size_t(n));
  return out;
}

}  // namespace

std::string format(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  std::string out = vformat(fmt, ap);
  va_end(ap);
  return out;
}

ahal_status_t fail(ahal_status_t status, const char* function, const char* fmt, ...) noexcept {
  va_list ap;
  va_start(ap, fmt);
  try {
    std::string body = vformat(fmt, ap);
    va_end(ap);
    return fail_message(status, function, body);
  } catch (...) {
    va_end(ap);
    return fail_message(status, function, "(out of host memory for the message)");
  }
}

ahal_status_t fail_message(ahal_status_t status, const char* function,
                           const std::string& message) noexcept {
  try {
    t_message.assign(function).append(": ").append(message);
  } catch (...) {
    // Out of memory while reporting: keep the status, drop the text.
  }
  return status;
}

ahal_status_t check_struct_size(const char* function, const char* type_name, size_t struct_size,
                                size_t required) noexcept {
  if (AHAL_LIKELY(struct_size >= required)) return AHAL_SUCCESS;
  return fail(AHAL_ERROR_INVALID_ARGUMENT, function,
              "%s.struct_size %zu is smaller than the %zu bytes of its fields (set it to "
              "sizeof(%s))",
              type_name, struct_size, required, type_name);
}

ahal_status_t entry_exception(const char* function) noexcept {
  char text[512];
  ahal_status_t status = AHAL_ERROR_INTERNAL;
  try {
    throw;
  } catch (const std::bad_alloc&) {
    status = AHAL_ERROR_OUT_OF_HOST_MEMORY;
    std::snprintf(text, sizeof(text), "out of host memory");
  } catch (const std::exception& e) {
    std::snprintf(text, sizeof(text), "internal error: unexpected C++ exception %s: %s",
                  typeid(e).name(), e.what());
  } catch (...) {
    std::snprintf(text, sizeof(text),
                  "internal error: unexpected C++ exception that is not a std::exception");
  }
  try {
    t_message.assign(function).append(": ").append(text);
  } catch (...) {
  }
  return status;
}

namespace base {

const char* status_string(const char*, ahal_status_t status) {
  switch (raw_enum(status)) {
#define AHAL_STATUS_CASE(s) \
  case uint32_t(s):         \
    return #s;
    AHAL_STATUS_CASE(AHAL_SUCCESS)
    AHAL_STATUS_CASE(AHAL_NOT_READY)
    AHAL_STATUS_CASE(AHAL_ERROR_INVALID_ARGUMENT)
    AHAL_STATUS_CASE(AHAL_ERROR_INVALID_HANDLE)
    AHAL_STATUS_CASE(AHAL_ERROR_OUT_OF_RANGE)
    AHAL_STATUS_CASE(AHAL_ERROR_OUT_OF_HOST_MEMORY)
    AHAL_STATUS_CASE(AHAL_ERROR_OUT_OF_DEVICE_MEMORY)
    AHAL_STATUS_CASE(AHAL_ERROR_UNSUPPORTED)
    AHAL_STATUS_CASE(AHAL_ERROR_NOT_FOUND)
    AHAL_STATUS_CASE(AHAL_ERROR_TIMEOUT)
    AHAL_STATUS_CASE(AHAL_ERROR_DEVICE_LOST)
    AHAL_STATUS_CASE(AHAL_ERROR_PLUGIN)
    AHAL_STATUS_CASE(AHAL_ERROR_BUILD_FAILED)
    AHAL_STATUS_CASE(AHAL_ERROR_INVALID_STATE)
    AHAL_STATUS_CASE(AHAL_ERROR_INCOMPATIBLE)
    AHAL_STATUS_CASE(AHAL_ERROR_INTERNAL)
#undef AHAL_STATUS_CASE
  }
  return "AHAL_ERROR_UNKNOWN";
}

const char* last_error_message(const char*) { return t_message.c_str(); }

uint32_t get_version(const char*) { return AHAL_API_VERSION; }

}  // namespace base
}  // namespace ahal

#include "generated/status_entries.inc"

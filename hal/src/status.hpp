// Status reporting: the thread-local message every failing call leaves.
#pragma once

#include <ahal/ahal.h>

#include <cstddef>
#include <cstring>
#include <string>

#if defined(__GNUC__)
#define AHAL_LIKELY(x) __builtin_expect(!!(x), 1)
#define AHAL_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define AHAL_COLD __attribute__((cold, noinline))
#define AHAL_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define AHAL_LIKELY(x) (x)
#define AHAL_UNLIKELY(x) (x)
#define AHAL_COLD
#define AHAL_PRINTF(f, a)
#endif

// Enqueue entries get the loader's work inlined, as if written in them.
#if defined(__GNUC__)
#define AHAL_HOT __attribute__((flatten))
#else
#define AHAL_HOT
#endif

namespace ahal {

// The integer a caller stored in a C enum, read without a typed load: C
// callers may pass values outside the C++ enum's range.
template <class E>
inline uint32_t raw_enum(const E& value) {
  static_assert(sizeof(E) == sizeof(uint32_t), "C enums are 32-bit here");
  uint32_t v;
  std::memcpy(&v, &value, sizeof(v));
  return v;
}

// Sets this thread's message to "<function>: <formatted>" and returns status.
// The reporting functions never throw (out of memory drops the text, not
// the status), so the enqueue paths that use them cannot throw either and
// the entries' guard costs nothing there.
ahal_status_t fail(ahal_status_t status, const char* function, const char* format,
                   ...) noexcept AHAL_COLD AHAL_PRINTF(3, 4);
// Same, with the message already built.
ahal_status_t fail_message(ahal_status_t status, const char* function,
                           const std::string& message) noexcept AHAL_COLD;

// Minimum struct_size of a caller struct: the end of its ABI 1.0 fields.
#define AHAL_END_OF(type, field) (offsetof(type, field) + sizeof(((type*)0)->field))

// The one guard of every C entry (hal/src/generated/*_entries.inc), called
// inside catch (...): std::bad_alloc becomes AHAL_ERROR_OUT_OF_HOST_MEMORY,
// anything else AHAL_ERROR_INTERNAL, each with a message naming the
// exception. Never throws.
ahal_status_t entry_exception(const char* function) noexcept AHAL_COLD;

// INVALID_ARGUMENT unless struct_size covers `required` bytes.
ahal_status_t check_struct_size(const char* function, const char* type_name, size_t struct_size,
                                size_t required) noexcept;

// printf into a std::string.
std::string format(const char* format, ...) AHAL_PRINTF(1, 2);

}  // namespace ahal

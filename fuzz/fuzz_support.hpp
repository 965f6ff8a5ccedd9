// Shared by the fuzzers that go through libahal: a runtime on the hostmem
// test device (made once per process), and the rule every fuzzer checks on
// each failing call: a status with a message that names the function.
#pragma once

#include <ahal/ahal.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

namespace fuzz {

// Aborts (a finding) unless `status` is a success or a refusal with a message
// that starts with "<function>: ".
inline void check(ahal_status_t status, const char* function) {
  if (status == AHAL_SUCCESS || status == AHAL_NOT_READY) return;
  const char* message = ahal_last_error_message();
  const size_t n = std::strlen(function);
  if (!message || std::strncmp(message, function, n) != 0 || message[n] != ':' || !message[n + 1] ||
      !message[n + 2])
    std::abort();
  if (std::strcmp(ahal_status_string(status), "AHAL_ERROR_UNKNOWN") == 0) std::abort();
}

// Reads the input as a sequence of fields.
struct Input {
  const uint8_t* data;
  size_t size;
  size_t at = 0;
  uint8_t u8() { return at < size ? data[at++] : 0; }
  uint32_t u32() {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= uint32_t(u8()) << (8 * i);
    return v;
  }
  // Up to `max` bytes up to the next NUL (or the end).
  std::string text(size_t max = 256) {
    std::string s;
    while (at < size && data[at] != 0 && s.size() < max) s += char(data[at++]);
    if (at < size && data[at] == 0) ++at;
    return s;
  }
  size_t left() const { return size - at; }
  const uint8_t* here() const { return data + at; }
};

// The hostmem test device (tests/plugins/hostmem_plugin.cpp), once.
inline ahal_device_t hostmem_device() {
  static ahal_device_t device = [] {
    ahal_runtime_options_t o = {};
    o.struct_size = sizeof(o);
    o.flags = AHAL_RUNTIME_IGNORE_ENVIRONMENT | AHAL_RUNTIME_NO_DEFAULT_PATHS;
    o.plugin_path = AHAL_FUZZ_HOSTMEM_DIR;
    o.plugins = "hostmem";
    ahal_runtime_t rt = nullptr;
    ahal_device_t d = nullptr;
    if (ahal_runtime_create(&o, &rt) != AHAL_SUCCESS || ahal_device_find(rt, "hostmem:0", &d))
      std::abort();
    return d;
  }();
  return device;
}

}  // namespace fuzz

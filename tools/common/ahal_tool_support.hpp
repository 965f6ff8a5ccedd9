// Small helpers shared by ahal's own tools, samples, benchmarks and tests.
// Not part of the public API.
#pragma once

#include <ahal/ahal.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <unistd.h>

namespace ahal_tools {

// Path of the running executable ("" if unknown).
inline std::string executable_path() {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
}

// Folder of the running executable ("" if unknown).
inline std::string executable_dir() {
  const std::string path = executable_path();
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash);
}

// The standard-kernels bundle: $AHAL_KERNELS_BUNDLE, else
// <exe>/../share/ahal/kernels/ahal_kernels.ahalb (build tree and install).
inline std::string kernels_bundle_path() {
  if (const char* env = std::getenv("AHAL_KERNELS_BUNDLE"); env && *env) return env;
  return executable_dir() + "/../share/ahal/kernels/ahal_kernels.ahalb";
}

// JSON string literal with escapes.
inline std::string json_quote(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char esc[8];
          std::snprintf(esc, sizeof(esc), "\\u%04x", c);
          out += esc;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

// Prints "<what>: <status>: <message>" and exits 1 if status is a failure.
inline void check(ahal_status_t status, const char* what) {
  if (status == AHAL_SUCCESS) return;
  std::fprintf(stderr, "%s: %s: %s\n", what, ahal_status_string(status), ahal_last_error_message());
  std::exit(1);
}

// Exit statuses shared by every tool: a wrong command line or a device that
// does not exist is a usage error (2), never a skip. 77 only with
// --skip-missing, for test drivers such as ctest.
constexpr int kExitOk = 0, kExitFailed = 1, kExitUsage = 2, kExitSkipped = 77;

// "<tool>: <problem>" and the usage text on stderr; returns kExitUsage.
inline int usage_error(const char* tool, const std::string& problem, const char* usage) {
  std::fprintf(stderr, "%s: %s\n%s", tool, problem.c_str(), usage);
  return kExitUsage;
}

// The device `selector` names, or the runtime's first device when it is
// null. When there is none, prints "<tool>: <why>" (the library's message,
// which lists the devices there are) and returns false.
inline bool find_device(const char* tool, ahal_runtime_t runtime, const char* selector,
                        ahal_device_t* out) {
  if (selector) {
    if (ahal_device_find(runtime, selector, out) == AHAL_SUCCESS) return true;
    std::fprintf(stderr, "%s: %s\n", tool, ahal_last_error_message());
    return false;
  }
  uint32_t count = 0;
  if (ahal_runtime_device_count(runtime, &count) == AHAL_SUCCESS && count > 0 &&
      ahal_runtime_device_get(runtime, 0, out) == AHAL_SUCCESS)
    return true;
  std::fprintf(stderr, "%s: no device found (ahal-info lists the plugins and why they have none)\n",
               tool);
  return false;
}

}  // namespace ahal_tools

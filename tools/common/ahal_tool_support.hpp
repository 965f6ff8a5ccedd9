// Small helpers shared by ahal's own tools, samples, benchmarks and tests.
// Not part of the public API.
#pragma once

#include <ahal/ahal.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <unistd.h>

namespace ahal_tools {

// Folder of the running executable ("" if unknown).
inline std::string executable_dir() {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  if (n <= 0) return "";
  std::string path(buf, static_cast<size_t>(n));
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

}  // namespace ahal_tools

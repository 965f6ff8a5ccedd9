// The parent side of ahal-conform: picks the tests and devices, runs each
// test group in a child process with a watchdog, shows progress, and
// writes the reports.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace conform {

struct Options {
  std::vector<std::string> devices;  // selectors; empty = every device
  std::string profile = "core";      // core | full
  std::vector<std::string> filters;  // globs on test ids; empty = all
  std::string json, junit, html;
  bool characterize = false;
  std::vector<std::string> characterize_steps;  // empty = every step
  uint64_t max_size = 1ull << 30;               // largest characterization transfer
  int jobs = 1;
  bool list = false;
  double timeout_s = 30;
  bool quick = false;
  bool skip_missing = false;  // exit 77 when a requested device is absent
};

// Exit codes.
const int kExitPass = 0, kExitFail = 1, kExitUsage = 2, kExitSkipped = 77;

int run(const Options& options);

}  // namespace conform

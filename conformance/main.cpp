// ahal-conform: the conformance suite and procurement report for ahal
// devices. See docs/conformance.md.
#include "reports.hpp"
#include "runner.hpp"
#include "worker.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

const char* kUsage =
    "usage: ahal-conform [--device SEL ...|--all] [--profile core|full] [--filter GLOB[,GLOB]]\n"
    "                    [--json F] [--junit F] [--html F] [--characterize[=STEPS]]\n"
    "                    [--max-size BYTES]\n"
    "                    [--jobs N] [--timeout S] [--quick] [--skip-missing] [--list]\n"
    "       ahal-conform compare A.json[#SEL] B.json[#SEL] [--html F]\n"
    "\n"
    "  --device SEL     test this device (\"cpu:0\", \"opencl\", \"0\"); repeatable\n"
    "  --all            test every device (the default)\n"
    "  --profile P      core: what every plugin must pass (default); full: adds stress tests\n"
    "  --filter GLOB    only tests whose id matches (\"copies.*,events.*\")\n"
    "  --json/--junit/--html F   write the report in that format\n"
    "  --characterize   measure bandwidth, launch latency, timer, STREAM Triad, FMA throughput,\n"
    "                   and a real network (ahal-infer's face workload)\n"
    "  --characterize=STEPS  only these steps: bandwidth,launch_latency,timer,stream_triad,\n"
    "                   fma_f32,fma_f64,workload\n"
    "  --max-size BYTES largest transfer measured (default 1G; suffixes K M G)\n"
    "  --jobs N         test groups run at once (default 1)\n"
    "  --timeout S      a test running longer is killed and reported timed out (default 30)\n"
    "  --quick          smaller sizes and counts, for CI\n"
    "  --skip-missing   exit 77 instead of failing when a requested device is absent\n"
    "  --list           list the selected tests and exit\n"
    "Exit status: 0 every test passed, 1 a test failed, 2 usage or setup error, 77 skipped.\n";

bool parse_size(const std::string& s, uint64_t* out) {
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (end == s.c_str() || v <= 0) return false;
  std::string suffix = end;
  if (suffix == "K" || suffix == "KiB")
    v *= 1024;
  else if (suffix == "M" || suffix == "MiB")
    v *= 1024.0 * 1024;
  else if (suffix == "G" || suffix == "GiB")
    v *= 1024.0 * 1024 * 1024;
  else if (!suffix.empty())
    return false;
  *out = static_cast<uint64_t>(v);
  return true;
}

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t comma = s.find(',', start);
    if (comma == std::string::npos) comma = s.size();
    if (comma > start) out.push_back(s.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

int usage_error(const std::string& message) {
  std::fprintf(stderr, "ahal-conform: %s\n%s", message.c_str(), kUsage);
  return conform::kExitUsage;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "compare") == 0)
    return conform::compare_main(argc - 2, argv + 2);

  conform::Options o;
  enum { kNone, kGroup, kProbe, kCharacterize } mode = kNone;
  std::vector<std::string> tests;
  int result_fd = -1;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::exit(usage_error(a + " needs a value"));
      }
      return argv[++i];
    };
    if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (a == "--device") {
      for (const std::string& s : split(value())) o.devices.push_back(s);
    } else if (a == "--all") {
      o.devices.clear();
    } else if (a == "--profile") {
      o.profile = value();
      if (o.profile != "core" && o.profile != "full")
        return usage_error("--profile is core or full");
    } else if (a == "--filter") {
      for (const std::string& s : split(value())) o.filters.push_back(s);
    } else if (a == "--json") {
      o.json = value();
    } else if (a == "--junit") {
      o.junit = value();
    } else if (a == "--html") {
      o.html = value();
    } else if (a == "--characterize") {
      o.characterize = true;
    } else if (a.rfind("--characterize=", 0) == 0 || a == "--steps") {
      o.characterize = true;
      const std::string list = a == "--steps" ? value() : a.substr(std::strlen("--characterize="));
      const std::vector<std::string>& known = conform::characterize_steps();
      for (const std::string& s : split(list)) {
        if (std::find(known.begin(), known.end(), s) == known.end())
          return usage_error("unknown characterization step '" + s + "'");
        o.characterize_steps.push_back(s);
      }
      if (o.characterize_steps.empty()) return usage_error(a + " names no step");
    } else if (a == "--max-size") {
      if (!parse_size(value(), &o.max_size)) return usage_error("bad --max-size");
    } else if (a == "--jobs") {
      o.jobs = std::atoi(value().c_str());
      if (o.jobs < 1) return usage_error("--jobs must be at least 1");
    } else if (a == "--timeout") {
      o.timeout_s = std::atof(value().c_str());
      if (o.timeout_s <= 0) return usage_error("--timeout must be positive");
    } else if (a == "--quick") {
      o.quick = true;
    } else if (a == "--skip-missing") {
      o.skip_missing = true;
    } else if (a == "--list") {
      o.list = true;
    } else if (a == "--run-group") {  // hidden: the child side
      mode = kGroup;
    } else if (a == "--run-probe") {
      mode = kProbe;
    } else if (a == "--run-characterize") {
      mode = kCharacterize;
    } else if (a == "--tests") {
      tests = split(value());
    } else if (a == "--result-fd") {
      result_fd = std::atoi(value().c_str());
    } else {
      return usage_error("unknown argument " + a);
    }
  }

  if (mode != kNone) {
    if (result_fd < 0) return usage_error("the --run-* modes are internal");
    conform::Channel channel(result_fd);
    std::string device = o.devices.empty() ? "0" : o.devices.front();
    switch (mode) {
      case kProbe:
        return conform::run_probe(o.devices, channel);
      case kGroup:
        return conform::run_group(device, tests, o.quick, channel);
      case kCharacterize:
        return conform::run_characterize(device, o.quick, o.max_size, o.characterize_steps,
                                         channel);
      case kNone:
        break;
    }
  }
  return conform::run(o);
}

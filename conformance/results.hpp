// What a run produces: per device its identity, test results and measured
// figures; written as JSON/JUnit/HTML and read back by `compare`.
#pragma once

#include "json.hpp"

#include <string>
#include <utility>
#include <vector>

namespace conform {

enum class Outcome { pass, fail, skip, crash, timeout };
const char* outcome_name(Outcome o);
bool parse_outcome(const std::string& name, Outcome* out);
inline bool is_failure(Outcome o) {
  return o == Outcome::fail || o == Outcome::crash || o == Outcome::timeout;
}

struct TestResult {
  std::string id, category, profile, features;
  Outcome outcome = Outcome::skip;
  double seconds = 0;
  std::string message;
};

// One measured number: `value` is the median of `runs` repeated
// measurements, `min` and `max` their spread. `peak` is the theoretical
// figure in the same unit where it can be known (0 = unknown), and
// `peak_basis` says where it comes from (the device, or how it was computed).
struct Figure {
  std::string id, title, unit;
  double value = 0, peak = 0;
  bool higher_is_better = true;
  double min = 0, max = 0;
  int runs = 1;
  std::string peak_basis;
  // The best of the runs (max or min, by the figure's direction).
  double best() const { return higher_is_better ? max : min; }
};

// A measured curve over transfer sizes (x in bytes).
struct Curve {
  std::string id, title, unit;
  std::vector<std::pair<double, double>> points;
};

struct Counts {
  int pass = 0, fail = 0, skip = 0, crash = 0, timeout = 0;
  int failed() const { return fail + crash + timeout; }
  int total() const { return pass + fail + skip + crash + timeout; }
  void add(Outcome o);
};

struct DeviceReport {
  Json identity;    // selector, name, vendor, driver_version, uuid, plugin file and SHA-256, ...
  Json properties;  // every ahal_device_properties_t field
  std::vector<TestResult> tests;
  std::vector<Figure> figures;
  std::vector<Curve> curves;
  std::vector<std::string> notes;  // problems outside any one test; they fail the device
  std::vector<std::string> characterization_info;  // measurements skipped or capped, and why
  // While it was measured: the share of the machine's CPU time that other
  // processes used (-1: not measured), and the 1-minute load average.
  double other_cpu_share = -1, load_average = -1;
  // The characterization's workload step (workload.hpp): null when it did
  // not run, else {"model", "status", "reason", "runs", "info", ...}.
  Json workload;

  std::string selector() const { return identity["selector"].str(); }
  Counts counts() const;
  Counts counts(const std::string& category) const;
  bool passed() const { return counts().failed() == 0 && notes.empty(); }
};

struct Report {
  std::string tool_version, ahal_version, profile, filter, started;
  bool quick = false;
  Json host;     // cpu, os, kernel, ...
  Json plugins;  // every plugin the runtime found, loaded or refused
  std::vector<DeviceReport> devices;

  bool passed() const;
};

Json to_json(const Report& r);
bool from_json(const Json& j, Report* r, std::string* error);
Json to_json(const TestResult& t);
bool from_json(const Json& j, TestResult* t);
Json to_json(const Figure& f);
Figure figure_from_json(const Json& j);
Json to_json(const Curve& c);
Curve curve_from_json(const Json& j);

// Human-readable value with unit, e.g. "12.3 GB/s"; times are scaled to a
// readable unit (25849 ns -> "25.8 \u00b5s").
std::string format_figure(double value, const std::string& unit);

// Why a device's figures are not an accelerator's: "" for real hardware, else
// e.g. "software: PoCL runs OpenCL on the host CPU". From the identity.
std::string software_note(const Json& identity);
// "AHAL_FEATURE_..." names the device claims, from its properties.
std::vector<std::string> claimed_features(const Json& properties);
// Skip reasons of a device's tests with how many tests each covers, most first.
std::vector<std::pair<std::string, int>> skip_reasons(const DeviceReport& d);
// Plugins the runtime found that gave no device to test: refused ones and
// loaded ones with zero devices, each with its reason.
struct Untested {
  std::string plugin, path, state, reason;
};
std::vector<Untested> untested_plugins(const Report& r);
// "4 KiB", "1 GiB".
std::string format_bytes(double bytes);

}  // namespace conform

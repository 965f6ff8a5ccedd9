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

// One measured number; `peak` is the device's theoretical figure in the
// same unit when it reports one (0 = unknown).
struct Figure {
  std::string id, title, unit;
  double value = 0, peak = 0;
  bool higher_is_better = true;
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

// Human-readable value with unit, e.g. "12.3 GB/s".
std::string format_figure(double value, const std::string& unit);
// "4 KiB", "1 GiB".
std::string format_bytes(double bytes);

}  // namespace conform

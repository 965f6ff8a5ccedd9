// Checks the report's workload section (ahal-conform --characterize=workload,
// docs/conformance.md): with the face weights it holds batch-1 figures
// (throughput, latency, accuracy with and without command buffers) in the
// JSON, the device's HTML section, the side-by-side section and `compare`;
// without the weights, or without ahal-infer, it is a skip that says why
// (never figures, never a failure of the device). Exits 77 after the skip
// checks when the weights are not on this machine.
//
// usage: ahal_conform_workload_check AHAL_CONFORM AHAL_INFER SELECTOR WORK_DIR
#include "json.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <sys/stat.h>
#include <sys/wait.h>

namespace {

int failures = 0;

void check(bool ok, const std::string& what) {
  std::printf("%s %s\n", ok ? "ok:  " : "FAIL:", what.c_str());
  if (!ok) ++failures;
}

std::string quote(const std::string& s) { return "'" + s + "'"; }

int shell(const std::string& command) {
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

bool is_file(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// Runs the workload step alone on `selector` with `env` set; returns the
// device's report and leaves name.json/.html/.log in `dir`.
conform::Json run(const std::string& conform, const std::string& selector, const std::string& dir,
                  const std::string& name, const std::string& env) {
  const std::string base = dir + "/" + name;
  const int code = shell(env + " " + quote(conform) + " --device " + quote(selector) +
                         " --quick --filter properties.identity --characterize=workload --json " +
                         quote(base + ".json") + " --html " + quote(base + ".html") + " > " +
                         quote(base + ".log") + " 2>&1");
  conform::Json report, device;
  std::string error;
  const bool parsed = conform::Json::parse(slurp(base + ".json"), &report, &error);
  check(parsed, name + ": ahal-conform wrote a JSON report (exit " + std::to_string(code) +
                    ", log " + base + ".log)");
  if (parsed && report["devices"].size() == 1) device = report["devices"][0];
  return device;
}

// A skipped workload: status "skip", a reason holding `why`, no figures,
// the device not failed by it, the HTML showing the reason.
void check_skip(const conform::Json& device, const std::string& dir, const std::string& name,
                const std::string& why) {
  const conform::Json& w = device["characterization"]["workload"];
  check(w["status"].str() == "skip",
        name + ": the workload is a skip (status \"" + w["status"].str() + "\")");
  check(contains(w["reason"].str(), why),
        name + ": its reason says why (\"" + w["reason"].str() + "\" should hold \"" + why + "\")");
  check(w["runs"].size() == 0, name + ": a skip has no figures");
  check(device["summary"]["verdict"].str() == "pass",
        name + ": a skipped workload does not fail the device");
  const std::string html = slurp(dir + "/" + name + ".html");
  check(contains(html, "data-workload=\"skip\"") && contains(html, "Not measured: ") &&
            contains(html, why),
        name + ": the device's HTML section shows the skip and its reason");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s AHAL_CONFORM AHAL_INFER SELECTOR WORK_DIR\n", argv[0]);
    return 2;
  }
  const std::string conform = argv[1], infer = argv[2], selector = argv[3], dir = argv[4];
  mkdir(dir.c_str(), 0755);

  // No weights: ahal-infer skips and the report says which file is missing.
  const std::string nowhere = dir + "/no-data";
  conform::Json d = run(conform, selector, dir, "no_weights",
                        "AHAL_INFER=" + quote(infer) + " AHAL_DATA_DIR=" + quote(nowhere));
  check_skip(d, dir, "no_weights", "face_recognition_model-weights_manifest.json is missing");
  // No ahal-infer at all.
  d = run(conform, selector, dir, "no_tool", "AHAL_INFER=" + quote(dir + "/no-such-ahal-infer"));
  check_skip(d, dir, "no_tool", "no-such-ahal-infer is not there");

  // With the weights: figures.
  const char* data_env = std::getenv("AHAL_DATA_DIR");
  const char* home = std::getenv("HOME");
  const std::string data =
      (data_env && *data_env ? std::string(data_env)
                             : std::string(home ? home : ".") + "/.cache/ahal") +
      "/face-api-1.7.15";
  if (!is_file(data + "/model/face_recognition_model-weights_manifest.json")) {
    std::printf(
        "the face weights are not in %s (scripts/fetch-data.sh): the measured part is "
        "skipped\n",
        data.c_str());
    return failures ? 1 : 77;
  }
  d = run(conform, selector, dir, "measured", "AHAL_INFER=" + quote(infer));
  const conform::Json& w = d["characterization"]["workload"];
  check(w["status"].str() == "measured",
        "measured: status \"" + w["status"].str() + "\" (reason: " + w["reason"].str() + ")");
  check(w["runs"].size() >= 1 && w["runs"][0]["batch"].num() == 1,
        "measured: the first run is batch 1");
  for (const conform::Json& r : w["runs"].items()) {
    const std::string b = "measured: batch " + r["batch"].dump() + ": ";
    const double tolerance = r["tolerance"].num(0);
    check(r["throughput"].num() > 0 && r["latency_ms"]["p50"].num() > 0 &&
              r["latency_ms"]["p99"].num() >= r["latency_ms"]["p50"].num(),
          b + "throughput and latency p50 <= p99");
    check(r["command_buffers"]["used"].boolean() && r["command_buffers"]["throughput"].num() > 0,
          b + "timed with command buffers");
    check(r["streamed"]["throughput"].num() > 0 && r["streamed"]["latency_ms"]["p50"].num() > 0,
          b + "timed streamed too");
    for (const char* way : {"command_buffers", "streamed"})
      check(r[way]["max_rel_err"].type() == conform::Json::Type::number &&
                r[way]["max_rel_err"].num(1) <= tolerance && tolerance > 0,
            b + way + ": max relative error " + r[way]["max_rel_err"].dump() + " <= tolerance " +
                r["tolerance"].dump());
    check(r["accurate"].boolean(), b + "accurate");
  }
  const std::string html = slurp(dir + "/measured.html");
  check(contains(html, "id=\"workload-" + selector + "\" data-workload=\"measured\"") &&
            contains(html, "class=\"workload-runs\""),
        "measured: the device's HTML section has the table of runs");
  check(contains(html, "<section class=\"box\" id=\"workload\">") &&
            contains(html, "throughput, images/s (command buffers)") &&
            contains(html, "throughput, images/s (streamed launches)"),
        "measured: the side-by-side workload section is in the report");

  const std::string json = dir + "/measured.json";
  const int code =
      shell(quote(conform) + " compare " + quote(json) + " " + quote(json) + " --html " +
            quote(dir + "/compare.html") + " > " + quote(dir + "/compare.log") + " 2>&1");
  const std::string text = slurp(dir + "/compare.log");
  check(
      code == 0 && contains(text, "workload: face recognition network") && contains(text, "1.00x"),
      "compare: the text shows the workload, B / A = 1.00x");
  check(contains(slurp(dir + "/compare.html"), "<h2 id=\"workload\">"),
        "compare: the HTML has the workload table");

  std::printf("%s\n", failures ? "workload check FAILED" : "workload check passed");
  return failures ? 1 : 0;
}

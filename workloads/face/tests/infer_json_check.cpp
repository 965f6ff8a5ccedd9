// Runs `ahal-infer ARGS... --json` and checks the object it prints
// (docs/workloads.md): the headline figures, both ways of submitting
// ("command_buffers" and "streamed") timed and each matching the PyTorch
// reference within the tolerance. Exit 0 all good, 1 a check failed, 77
// when ahal-infer skipped (its reason on stderr).
//
// usage: face_infer_json_check AHAL_INFER [ARGS...]
#include <nlohmann/json.hpp>

#include <cstdio>
#include <string>
#include <sys/wait.h>

namespace {

int failures = 0;

void check(bool ok, const std::string& what) {
  if (!ok) {
    std::printf("FAIL: %s\n", what.c_str());
    ++failures;
  }
}

bool positive(const nlohmann::json& j, const char* key) {
  return j.contains(key) && j[key].is_number() && j[key].get<double>() > 0;
}

// A set of timed figures: throughput, latency_ms {p50 <= p99, best <= p50}.
void check_timing(const nlohmann::json& j, const std::string& where) {
  check(positive(j, "throughput"), where + ".throughput is a positive number");
  check(positive(j, "throughput_best"), where + ".throughput_best is a positive number");
  const bool has_latency = j.contains("latency_ms") && j["latency_ms"].is_object();
  check(has_latency, where + ".latency_ms is an object");
  if (!has_latency) return;
  const nlohmann::json& l = j["latency_ms"];
  check(positive(l, "p50") && positive(l, "p99") && positive(l, "best"),
        where + ".latency_ms has positive p50, p99 and best");
  if (positive(l, "p50") && positive(l, "p99") && positive(l, "best")) {
    check(l["best"].get<double>() <= l["p50"].get<double>() &&
              l["p50"].get<double>() <= l["p99"].get<double>(),
          where + ".latency_ms: best <= p50 <= p99");
  }
}

void check_accuracy(const nlohmann::json& j, double tolerance, const std::string& where) {
  const bool has = j.contains("max_rel_err") && j["max_rel_err"].is_number();
  check(has, where + ".max_rel_err is a number (the outputs were checked)");
  if (has) {
    check(j["max_rel_err"].get<double>() <= tolerance,
          where + ".max_rel_err " + j["max_rel_err"].dump() + " <= tolerance");
  }
}

std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s AHAL_INFER [ARGS...]\n", argv[0]);
    return 2;
  }
  std::string command;
  bool streamed_only = false;
  for (int i = 1; i < argc; ++i) {
    command += quote(argv[i]) + " ";
    streamed_only |= std::string(argv[i]) == "--no-command-buffers";
  }
  command += "--json";
  std::printf("running %s\n", command.c_str());
  std::fflush(stdout);
  FILE* p = popen(command.c_str(), "r");
  if (!p) {
    std::printf("FAIL: cannot run %s\n", argv[1]);
    return 1;
  }
  std::string text;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof(buf), p)) > 0;) text.append(buf, n);
  const int status = pclose(p);
  const int rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (rc == 77) {
    std::printf("ahal-infer skipped (exit 77)\n");
    return 77;
  }
  std::printf("%s", text.c_str());
  check(rc == 0, "ahal-infer exits 0 (got " + std::to_string(rc) + ")");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const std::exception& e) {
    std::printf("FAIL: the output is not one JSON object: %s\n", e.what());
    return 1;
  }
  for (const char* key : {"device", "model", "layer_path"})
    check(j.contains(key) && j[key].is_string() && !j[key].get<std::string>().empty(),
          std::string(key) + " is a non-empty string");
  check(positive(j, "batch"), "batch is a positive number");
  check_timing(j, "the headline");
  const double tolerance = positive(j, "tolerance") ? j["tolerance"].get<double>() : 0;
  check(tolerance > 0 && tolerance <= 1e-4, "tolerance is in (0, 1e-4]");
  check_accuracy(j, tolerance, "the headline");
  check(j.value("accurate", false), "accurate is true");

  const bool has_cb = j.contains("command_buffers") && j["command_buffers"].is_object() &&
                      j["command_buffers"].contains("used") &&
                      j["command_buffers"]["used"].is_boolean();
  check(has_cb, "command_buffers is an object with a boolean \"used\"");
  const bool has_streamed = j.contains("streamed") && j["streamed"].is_object();
  check(has_streamed, "streamed is an object");
  if (has_streamed) {
    check_timing(j["streamed"], "streamed");
    check_accuracy(j["streamed"], tolerance, "streamed");
  }
  if (has_cb) {
    const nlohmann::json& cb = j["command_buffers"];
    check(cb["used"].get<bool>() == !streamed_only,
          std::string("command_buffers.used is ") + (streamed_only ? "false" : "true"));
    if (cb["used"].get<bool>()) {
      check_timing(cb, "command_buffers");
      check_accuracy(cb, tolerance, "command_buffers");
      check(cb.value("throughput", -1.0) == j.value("throughput", -2.0),
            "the headline throughput is the command buffers' one");
      check(positive(j, "command_buffer_speedup"), "command_buffer_speedup is a positive number");
    } else if (has_streamed) {
      check(j["streamed"].value("throughput", -1.0) == j.value("throughput", -2.0),
            "without command buffers the headline throughput is the streamed one");
    }
  }
  std::printf("%s\n", failures ? "ahal-infer JSON check FAILED" : "ahal-infer JSON check passed");
  return failures ? 1 : 0;
}

// The conformance self-test: proves the suite can fail. Runs ahal-conform
// against deliberately broken variants of the CPU plugin and checks that
// each is reported failing in the expected tests (crashes as crashed, hangs
// as timed out), that the run goes on past them, and that the real cpu:0
// passes the same tests.
//
// usage: ahal_conform_selftest AHAL_CONFORM BROKEN_PLUGIN_DIR WORK_DIR
#include "json.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <sys/stat.h>
#include <sys/wait.h>
#include <vector>

namespace {

int failures = 0;

void check(bool ok, const std::string& what) {
  std::printf("%s %s\n", ok ? "ok:  " : "FAIL:", what.c_str());
  if (!ok) ++failures;
}

std::string quote(const std::string& s) { return "'" + s + "'"; }

// Runs a shell command; returns its exit status (-1 if it did not exit).
int shell(const std::string& command) {
  int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

bool load(const std::string& path, conform::Json* out) {
  std::ifstream f(path);
  std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  std::string error;
  if (conform::Json::parse(text, out, &error)) return true;
  std::printf("FAIL: %s: %s\n", path.c_str(), error.c_str());
  ++failures;
  return false;
}

const conform::Json* find_test(const conform::Json& report, const std::string& id) {
  for (const conform::Json& t : report["devices"][0]["tests"].items())
    if (t["id"].str() == id) return &t;
  return nullptr;
}

struct Expect {
  std::string id;
  std::string result;       // pass, fail, crash, timeout
  std::string message_has;  // "" = anything
};

struct Variant {
  std::string mode, filter;
  std::vector<Expect> expect;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s AHAL_CONFORM BROKEN_PLUGIN_DIR WORK_DIR\n", argv[0]);
    return 2;
  }
  const std::string conform = argv[1], plugins = argv[2], work = argv[3];
  mkdir(work.c_str(), 0755);

  const std::vector<Variant> variants = {
      {"copy",
       "copies.*",
       {{"copies.round_trip", "fail", "byte"},
        {"copies.d2h_offset", "fail", "byte"},
        {"copies.d2d", "fail", ""}}},
      // events.wait_completes_work races the early event and may lose by
      // luck; the tests that block a stream catch it every time.
      {"early_event",
       "events.unrecorded,events.not_ready_and_timeout,events.rerecord",
       {{"events.not_ready_and_timeout", "fail", "NOT_READY"},
        {"events.rerecord", "fail", "NOT_READY"},
        {"events.unrecorded", "pass", ""}}},
      {"binding_offset",
       "kernels.*",
       {{"kernels.binding_offsets", "fail", ""},
        {"kernels.binding_same_buffer", "fail", ""},
        {"kernels.vector_add", "pass", ""}}},
      {"crash",
       "fills.*,copies.round_trip",
       {{"fills.pattern1", "crash", "signal 11"},
        {"fills.pattern4", "crash", "signal 11"},
        {"copies.round_trip", "pass", ""}}},
      {"hang",
       "streams.ordering,streams.query_idle,streams.independent",
       {{"streams.query_idle", "timeout", "timed out after 5 s"},
        {"streams.ordering", "pass", ""},
        {"streams.independent", "pass", ""}}},
  };

  std::string all_ids;
  for (const Variant& v : variants) {
    const std::string name = "cpu_broken_" + v.mode;
    const std::string json = work + "/" + name + ".json";
    std::remove(json.c_str());
    std::string cmd = "AHAL_PLUGIN_PATH=" + quote(plugins) + " AHAL_PLUGINS=" + name + " " +
                      quote(conform) + " --device " + name + ":0 --quick --timeout 5 --filter " +
                      quote(v.filter) + " --json " + quote(json) + " > " +
                      quote(work + "/" + name + ".log") + " 2>&1";
    int code = shell(cmd);
    check(code == 1, name + ": ahal-conform exits 1 (got " + std::to_string(code) + ", log " +
                         work + "/" + name + ".log)");
    conform::Json report;
    if (!load(json, &report)) continue;
    check(report["verdict"].str() == "fail", name + ": the report's verdict is fail");
    const conform::Json& identity = report["devices"][0]["identity"];
    check(identity["selector"].str() == name + ":0", name + ": the report names the device");
    check(identity["plugin_sha256"].str().size() == 64,
          name + ": the report has the plugin's SHA-256");
    for (const Expect& e : v.expect) {
      const conform::Json* t = find_test(report, e.id);
      if (!t) {
        check(false, name + ": " + e.id + " is in the report");
        continue;
      }
      std::string got = (*t)["result"].str(), message = (*t)["message"].str();
      check(got == e.result && message.find(e.message_has) != std::string::npos,
            name + ": " + e.id + " is " + e.result +
                (e.message_has.empty() ? "" : " with \"" + e.message_has + "\"") + " (got " + got +
                (message.empty() ? "" : ": " + message) + ")");
      all_ids += (all_ids.empty() ? "" : ",") + e.id;
    }
  }

  // The real plugin passes every test the broken ones fail.
  const std::string json = work + "/cpu.json";
  int code =
      shell("AHAL_PLUGINS=cpu " + quote(conform) + " --device cpu:0 --quick --filter " +
            quote(all_ids) + " --json " + quote(json) + " > " + quote(work + "/cpu.log") + " 2>&1");
  check(code == 0, "cpu:0 passes the same tests (exit " + std::to_string(code) + ", log " + work +
                       "/cpu.log)");
  conform::Json report;
  if (load(json, &report))
    for (const conform::Json& t : report["devices"][0]["tests"].items())
      check(t["result"].str() == "pass" || t["result"].str() == "skip",
            "cpu:0 " + t["id"].str() + " is " + t["result"].str());

  std::printf("%s\n", failures ? "self-test FAILED" : "self-test passed");
  return failures ? 1 : 0;
}

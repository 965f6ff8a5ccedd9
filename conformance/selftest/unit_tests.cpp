// Unit tests of ahal-conform's own pieces: SHA-256, JSON, report round trip.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include "json.hpp"
#include "plots.hpp"
#include "reports.hpp"
#include "results.hpp"
#include "sha256.hpp"
#include "workload.hpp"

#include <string>

using namespace conform;
using ahal::Sha256;

static std::string sha(const std::string& s) {
  Sha256 h;
  h.update(s.data(), s.size());
  return h.hex_digest();
}

TEST_CASE("SHA-256 matches the FIPS 180-4 examples") {
  CHECK(sha("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  Sha256 million;
  std::string a(1000, 'a');
  for (int i = 0; i < 1000; ++i) million.update(a.data(), a.size());
  CHECK(million.hex_digest() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("JSON round trip") {
  Json j = Json::object();
  j.set("s", "quote \" backslash \\ newline \n tab \t");
  j.set("n", 1234567.0);
  j.set("f", 0.125);
  j.set("b", true);
  Json arr = Json::array();
  arr.push(1u);
  arr.push(Json());
  j.set("a", arr);
  for (int indent : {-1, 2}) {
    Json back;
    std::string error;
    REQUIRE(Json::parse(j.dump(indent), &back, &error));
    CHECK(back["s"].str() == j["s"].str());
    CHECK(back["n"].num() == 1234567.0);
    CHECK(back["f"].num() == 0.125);
    CHECK(back["b"].boolean());
    CHECK(back["a"].size() == 2);
    CHECK(back["a"][1].is_null());
    CHECK(back["missing"].is_null());
  }
  Json u;
  std::string error;
  REQUIRE(Json::parse("\"\\u00e9\\ud83d\\ude00\"", &u, &error));
  CHECK(u.str() == "\xc3\xa9\xf0\x9f\x98\x80");
  CHECK_FALSE(Json::parse("{\"a\":1,}", &u, &error));
  CHECK_FALSE(Json::parse("[1 2]", &u, &error));
  CHECK_FALSE(Json::parse("\"open", &u, &error));
}

TEST_CASE("a report survives JSON and renders") {
  Report r;
  r.tool_version = "1.1.0";
  r.profile = "core";
  DeviceReport d;
  d.identity = Json::object();
  d.identity.set("selector", "cpu:0");
  d.identity.set("name", "Test <CPU> & co");
  d.tests.push_back({"copies.d2d", "copies", "core", "", Outcome::pass, 0.5, ""});
  d.tests.push_back(
      {"fills.pattern1", "fills", "core", "", Outcome::crash, 1, "crashed (signal 11)"});
  Figure fma;
  fma.id = "fma.fp32";
  fma.title = "FMA fp32";
  fma.unit = "GFLOP/s";
  fma.value = 10;
  fma.peak = 20;
  fma.min = 9;
  fma.max = 11;
  fma.runs = 5;
  fma.peak_basis = "from the device";
  d.figures.push_back(fma);
  d.curves.push_back({"bandwidth.h2d", "Host to device", "GB/s", {{4096, 1}, {8192, 2}}});
  r.devices.push_back(d);
  CHECK_FALSE(r.passed());

  Report back;
  std::string error;
  REQUIRE(from_json(to_json(r), &back, &error));
  REQUIRE(back.devices.size() == 1);
  CHECK(back.devices[0].tests.size() == 2);
  CHECK(back.devices[0].tests[1].outcome == Outcome::crash);
  CHECK(back.devices[0].figures[0].peak == 20);
  CHECK(back.devices[0].figures[0].min == 9);
  CHECK(back.devices[0].figures[0].max == 11);
  CHECK(back.devices[0].figures[0].runs == 5);
  CHECK(back.devices[0].figures[0].peak_basis == "from the device");
  CHECK(back.devices[0].curves[0].points.size() == 2);

  std::string html = html_report(back);
  CHECK(html.find("data-verdict=\"fail\"") != std::string::npos);
  CHECK(html.find("Test &lt;CPU&gt; &amp; co") != std::string::npos);
  CHECK(html.find("<svg") != std::string::npos);
  CHECK(html.find("src=") == std::string::npos);  // self-contained
  std::string junit = junit_report(back);
  CHECK(junit.find("<error type=\"crash\"") != std::string::npos);
  CHECK(junit.find("failures=\"0\" errors=\"1\"") != std::string::npos);
}

TEST_CASE("sizes print in binary units") {
  CHECK(format_bytes(4096) == "4 KiB");
  CHECK(format_bytes(1 << 30) == "1 GiB");
  CHECK(format_bytes(1536) == "1.5 KiB");
}

TEST_CASE("times print in the unit that suits them") {
  CHECK(format_figure(25849, "ns") == "25.8 \u00b5s");
  CHECK(format_figure(25849, "\u00b5s") == "25.8 ms");
  CHECK(format_figure(0.296, "\u00b5s") == "296 ns");
  CHECK(format_figure(1.5e9, "ns") == "1.50 s");
  CHECK(format_figure(80, "ns") == "80.0 ns");
  CHECK(format_figure(12.34, "GB/s") == "12.3 GB/s");  // not a time: unchanged
}

TEST_CASE("software devices are told apart from hardware") {
  auto identity = [](const char* plugin, const char* name, const char* type) {
    Json j = Json::object();
    j.set("plugin", plugin);
    j.set("name", name);
    j.set("type", type);
    return j;
  };
  CHECK(software_note(identity("cpu", "AMD EPYC", "cpu")).empty());
  CHECK(software_note(identity("cuda", "NVIDIA H100", "gpu")).empty());
  CHECK(software_note(identity("vulkan", "llvmpipe (LLVM 15.0.6, 256 bits)", "cpu"))
            .find("lavapipe") != std::string::npos);
  CHECK(software_note(identity("opencl", "pthread-skylake-avx512-AMD EPYC", "cpu")).find("PoCL") !=
        std::string::npos);
  CHECK(software_note(identity("asic_sim", "ahal ASIC simulator", "asic")).find("simulated") !=
        std::string::npos);
}

TEST_CASE("plugins that gave no device are listed with their reasons") {
  Report r;
  r.plugins = Json::array();
  auto plugin = [&](const char* name, const char* state, unsigned devices, const char* reason) {
    Json p = Json::object();
    p.set("name", name);
    p.set("state", state);
    p.set("device_count", devices);
    p.set("reason", reason);
    r.plugins.push(p);
  };
  plugin("cpu", "loaded", 1, "");
  plugin("cuda", "loaded", 0, "libcuda.so.1: cannot open shared object file");
  plugin("vendor", "refused", 0, "plugin ABI 2.0, loader 1.1");
  const std::vector<Untested> u = untested_plugins(r);
  REQUIRE(u.size() == 2);
  CHECK(u[0].plugin == "cuda");
  CHECK(u[0].state == "no device");
  CHECK(u[0].reason.find("libcuda") != std::string::npos);
  CHECK(u[1].state == "refused");
  std::string html = html_report(r);
  CHECK(html.find("id=\"not-tested\"") < html.find("id=\"devices\""));
  CHECK(html.find("data-plugin=\"cuda\"") != std::string::npos);
  CHECK(html.find("libcuda.so.1") != std::string::npos);
}

TEST_CASE("skip reasons are counted, most common first") {
  DeviceReport d;
  d.tests.push_back({"a.x", "a", "core", "", Outcome::skip, 0, "no fp64"});
  d.tests.push_back({"a.y", "a", "core", "", Outcome::skip, 0, "no timestamps"});
  d.tests.push_back({"a.z", "a", "core", "", Outcome::skip, 0, "no timestamps"});
  d.tests.push_back({"a.w", "a", "core", "", Outcome::pass, 0, ""});
  const auto reasons = skip_reasons(d);
  REQUIRE(reasons.size() == 2);
  CHECK(reasons[0] == std::make_pair(std::string("no timestamps"), 2));
  CHECK(reasons[1] == std::make_pair(std::string("no fp64"), 1));
}

TEST_CASE("the workload section survives JSON and shows figures, skips and failures") {
  auto device = [](const char* selector, const char* status, const char* reason) {
    DeviceReport d;
    d.identity = Json::object();
    d.identity.set("selector", selector);
    d.identity.set("name", selector);
    std::string error;
    REQUIRE(Json::parse(std::string(R"({"model": "face_recognition", "status": ")") + status +
                            R"(", "reason": ")" + reason + R"(", "runs": [], "info": []})",
                        &d.workload, &error));
    return d;
  };
  DeviceReport measured = device("cpu:0", "measured", "");
  Json run;
  std::string error;
  REQUIRE(Json::parse(R"({"batch": 1, "layer_path": "cpu-so", "throughput": 150.25,
    "latency_ms": {"p50": 6.5, "p99": 9.25}, "max_rel_err": 8.7e-07, "tolerance": 0.0001,
    "accurate": true, "faces_checked": 20,
    "command_buffers": {"used": true, "throughput": 150.25, "max_rel_err": 8.7e-07},
    "streamed": {"throughput": 140.5, "latency_ms": {"p50": 7.0, "p99": 10.0},
                 "max_rel_err": 8.6e-07}, "command_buffer_speedup": 1.07})",
                      &run, &error));
  Json runs = Json::array();
  runs.push(run);
  measured.workload.set("runs", runs);
  Report r;
  r.devices = {measured, device("asic_sim:0", "skip", "no weights here"),
               device("vulkan:0", "fail", "batch 1: the outputs differ")};
  Report back;
  REQUIRE(from_json(to_json(r), &back, &error));
  REQUIRE(back.devices.size() == 3);
  CHECK(back.devices[0].workload["runs"][0]["throughput"].num() == 150.25);

  const std::string html = html_report(back);
  CHECK(html.find("id=\"workload-cpu:0\" data-workload=\"measured\"") != std::string::npos);
  CHECK(html.find("150.2") != std::string::npos);  // throughput with command buffers
  CHECK(html.find("140.5") != std::string::npos);  // streamed
  CHECK(html.find("6.50 / 9.25") != std::string::npos);
  CHECK(html.find("1.07x") != std::string::npos);
  CHECK(html.find("data-workload=\"skip\"") != std::string::npos);
  CHECK(html.find("Not measured: no weights here") != std::string::npos);
  CHECK(html.find("Failed: batch 1: the outputs differ") != std::string::npos);
  CHECK(html.find("<section class=\"box\" id=\"workload\">") != std::string::npos);

  const std::string text = workload_compare_text(back.devices[0], back.devices[1]);
  CHECK(text.find("B: skip: no weights here") != std::string::npos);
  CHECK(text.find("150.2") != std::string::npos);
  CHECK(workload_compare_text(DeviceReport{}, DeviceReport{}).empty());
}

// Unit tests of ahal-conform's own pieces: SHA-256, JSON, report round trip.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include "json.hpp"
#include "plots.hpp"
#include "reports.hpp"
#include "results.hpp"
#include "sha256.hpp"

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
  d.figures.push_back({"fma.fp32", "FMA fp32", "GFLOP/s", 10, 20, true});
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

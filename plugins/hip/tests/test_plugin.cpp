// The HIP plugin through its dispatch table (no loader), on a machine with
// or without a HIP runtime and GPU: a missing runtime, a broken one (a
// library of the right name without the entry points), the system's own
// runtime, what the plugin links, and the gfx target matching.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include "hip_target.hpp"
#include "hip_vendor_library.hpp"
#include "vendor_library_tests.hpp"

#include <string>

AHAL_VENDOR_LIBRARY_PLUGIN_TESTS(ahal_test::kHipRuntime, AHAL_HIP_PLUGIN_FILE,
                                 AHAL_BROKEN_HIP_RUNTIME, "libamdhip64.so.5")

TEST_CASE("gfx target ids parse") {
  ahal_hip::TargetId id;
  REQUIRE(ahal_hip::parse_target_id("gfx90a:sramecc+:xnack-", &id));
  REQUIRE(id.processor == "gfx90a");
  REQUIRE(id.features.size() == 2);
  REQUIRE(id.features[0] == std::make_pair(std::string("sramecc"), '+'));
  REQUIRE(id.features[1] == std::make_pair(std::string("xnack"), '-'));
  REQUIRE(ahal_hip::parse_target_id("amdgcn-amd-amdhsa--gfx1030", &id));
  REQUIRE(id.processor == "gfx1030");
  REQUIRE(id.features.empty());
  REQUIRE_FALSE(ahal_hip::parse_target_id("sm_90", &id));
  REQUIRE_FALSE(ahal_hip::parse_target_id("gfx90a:xnack", &id));
  REQUIRE_FALSE(ahal_hip::parse_target_id("gfx", &id));
}

TEST_CASE("hsaco images score by gfx target and features") {
  using ahal_hip::hsaco_score;
  const std::string device = "gfx90a:sramecc+:xnack-";
  REQUIRE(hsaco_score("gfx90a", device) == 90);         // features "any"
  REQUIRE(hsaco_score("gfx90a:xnack-", device) == 90);  // one fixed, matching
  REQUIRE(hsaco_score("gfx90a:sramecc+:xnack-", device) == 100);
  REQUIRE(hsaco_score("gfx90a:xnack+", device) == 0);  // xnack mismatch
  REQUIRE(hsaco_score("gfx908", device) == 0);
  REQUIRE(hsaco_score("gfx90", device) == 0);
  REQUIRE(hsaco_score("", device) == 1);  // unknown target: last resort
  REQUIRE(hsaco_score("gfx1030", "gfx1030") == 100);
  // A device that does not report a feature takes either setting.
  REQUIRE(hsaco_score("gfx906:xnack-", "gfx906") == 90);
}

TEST_CASE("hip-fatbin images score by the targets they list") {
  using ahal_hip::fatbin_score;
  REQUIRE(fatbin_score("", "gfx90a:xnack-") == 50);
  REQUIRE(fatbin_score("gfx908,gfx90a", "gfx90a:xnack-") == 85);
  REQUIRE(fatbin_score("gfx908,gfx1030", "gfx90a:xnack-") == 0);
  // A matching direct code object beats a bundle.
  REQUIRE(fatbin_score("gfx90a", "gfx90a") < ahal_hip::hsaco_score("gfx90a", "gfx90a"));
}

// AMD GPU target ids ("gfx90a:sramecc+:xnack-") and how well a code
// object's target fits a device. Pure functions, unit-tested without a GPU.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace ahal_hip {

struct TargetId {
  std::string processor;  // "gfx90a"
  // Feature settings given ("sramecc", '+'), in order; a feature not listed
  // means "any" (the code object runs with the feature on or off).
  std::vector<std::pair<std::string, char>> features;
};

// Parses "gfx90a", "gfx90a:xnack-", "gfx90a:sramecc+:xnack-". Also takes an
// "amdgcn-amd-amdhsa--" prefix as offload bundles write it. Returns false
// for anything that is not a gfx target id.
bool parse_target_id(const std::string& text, TargetId* out);

// Score of a code object built for `image` on a device whose
// gcnArchName is `device`: 0 = cannot run; 100 = exact features; 90 = the
// image leaves some feature as "any". An empty image target (unknown) gets 1.
int32_t hsaco_score(const std::string& image_target, const std::string& device_arch);

// Score of an offload bundle whose bundle target lists comma-separated
// target ids ("" = unknown: the runtime picks from the bundle at load time).
// Slightly below a matching hsaco so a direct code object wins.
int32_t fatbin_score(const std::string& image_target, const std::string& device_arch);

}  // namespace ahal_hip

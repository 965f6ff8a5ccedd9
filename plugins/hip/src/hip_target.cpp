#include "hip_target.hpp"

#include <algorithm>
#include <cctype>

namespace ahal_hip {

bool parse_target_id(const std::string& text, TargetId* out) {
  std::string rest = text;
  const std::string prefix = "amdgcn-amd-amdhsa--";
  if (rest.compare(0, prefix.size(), prefix) == 0) rest = rest.substr(prefix.size());
  TargetId id;
  size_t colon = rest.find(':');
  id.processor = rest.substr(0, colon);
  if (id.processor.size() < 4 || id.processor.compare(0, 3, "gfx") != 0) return false;
  for (size_t i = 3; i < id.processor.size(); ++i)
    if (!std::isalnum(static_cast<unsigned char>(id.processor[i]))) return false;
  while (colon != std::string::npos) {
    size_t next = rest.find(':', colon + 1);
    std::string feature =
        rest.substr(colon + 1, next == std::string::npos ? next : next - colon - 1);
    if (feature.size() < 2) return false;
    char setting = feature.back();
    if (setting != '+' && setting != '-') return false;
    id.features.emplace_back(feature.substr(0, feature.size() - 1), setting);
    colon = next;
  }
  *out = id;
  return true;
}

int32_t hsaco_score(const std::string& image_target, const std::string& device_arch) {
  if (image_target.empty()) return 1;
  TargetId image, device;
  if (!parse_target_id(image_target, &image) || !parse_target_id(device_arch, &device)) return 0;
  if (image.processor != device.processor) return 0;
  bool exact = image.features.size() == device.features.size();
  for (const auto& [name, setting] : image.features) {
    auto found = std::find_if(device.features.begin(), device.features.end(),
                              [&](const auto& f) { return f.first == name; });
    // A device that does not report the feature takes either setting.
    if (found == device.features.end()) {
      exact = false;
      continue;
    }
    if (found->second != setting) return 0;
  }
  return exact ? 100 : 90;
}

int32_t fatbin_score(const std::string& image_target, const std::string& device_arch) {
  if (image_target.empty()) return 50;
  int32_t best = 0;
  size_t start = 0;
  while (start <= image_target.size()) {
    size_t comma = image_target.find(',', start);
    std::string one =
        image_target.substr(start, comma == std::string::npos ? comma : comma - start);
    if (!one.empty()) best = std::max(best, hsaco_score(one, device_arch));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return best > 0 ? best - 5 : 0;
}

}  // namespace ahal_hip

#include "reference.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <stdexcept>

namespace ahal_face {

Reference load_reference(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open the reference outputs");
  Reference ref;
  try {
    nlohmann::json j = nlohmann::json::parse(in);
    ref.model = j.at("model").get<std::string>();
    for (const auto& i : j.at("images")) {
      ref.images.push_back({i.at("image").get<std::string>(), i.at("faces").get<uint32_t>()});
      if (ref.images.back().image.find('/') != std::string::npos) {
        throw std::runtime_error("image name '" + ref.images.back().image + "' has a folder");
      }
    }
    for (const auto& f : j.at("faces")) {
      ReferenceFace face;
      face.image = f.at("image").get<std::string>();
      const auto& b = f.at("box");
      face.box = {b.at(0).get<int32_t>(), b.at(1).get<int32_t>(), b.at(2).get<int32_t>(),
                  b.at(3).get<int32_t>()};
      face.score = f.at("score").get<double>();
      face.embedding = f.at("embedding").get<std::vector<float>>();
      if (face.image.find('/') != std::string::npos) {
        throw std::runtime_error("image name '" + face.image + "' has a folder");
      }
      ref.faces.push_back(std::move(face));
    }
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(path + ": malformed reference: " + e.what());
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
  if (ref.faces.empty()) throw std::runtime_error(path + ": no faces");
  return ref;
}

double relative_error(const float* a, const float* b, size_t n) {
  double diff = 0, norm = 0;
  for (size_t i = 0; i < n; ++i) {
    diff += (double(a[i]) - b[i]) * (double(a[i]) - b[i]);
    norm += double(b[i]) * b[i];
  }
  return norm > 0 ? std::sqrt(diff / norm) : std::sqrt(diff);
}

}  // namespace ahal_face

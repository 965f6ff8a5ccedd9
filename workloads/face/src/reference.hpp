// The committed PyTorch reference (reference/face_reference.json): the faces
// of the sample photos (box from the tiny face detector) and their embeddings.
#pragma once

#include "image.hpp"

#include <string>
#include <vector>

namespace ahal_face {

struct ReferenceFace {
  std::string image;  // file name under demo/
  Box box;
  double score = 0;  // the detector's
  std::vector<float> embedding;
};

struct ReferenceImage {
  std::string image;
  uint32_t faces = 0;  // detected in it
};

struct Reference {
  std::string model;
  std::vector<ReferenceImage> images;
  std::vector<ReferenceFace> faces;  // image by image, best score first
};

// Throws std::runtime_error naming the file and the problem.
Reference load_reference(const std::string& path);

// ||a - b|| / ||b|| in double.
double relative_error(const float* a, const float* b, size_t n);

}  // namespace ahal_face

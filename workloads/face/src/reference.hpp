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
  std::vector<float> embedding;
};

struct Reference {
  std::string model;
  std::vector<ReferenceFace> faces;
};

// Throws std::runtime_error naming the file and the problem.
Reference load_reference(const std::string& path);

// ||a - b|| / ||b|| in double.
double relative_error(const float* a, const float* b, size_t n);

}  // namespace ahal_face

#include "detector.hpp"

#include <algorithm>
#include <cmath>

namespace ahal_face {
namespace {

// src/tinyFaceDetector/const.ts
constexpr double kAnchors[5][2] = {{1.603231, 2.094468},
                                   {6.041143, 7.080126},
                                   {2.882459, 3.518061},
                                   {4.266906, 5.178857},
                                   {9.041765, 10.66308}};

double sigmoid(double v) { return 1.0 / (1.0 + std::exp(-v)); }

struct Candidate {
  double score, x, y, w, h;  // relative to the image
};

double iou(const Candidate& a, const Candidate& b) {
  const double iw = std::max(0.0, std::min(a.x + a.w, b.x + b.w) - std::max(a.x, b.x));
  const double ih = std::max(0.0, std::min(a.y + a.h, b.y + b.h) - std::max(a.y, b.y));
  const double inter = iw * ih;
  return inter / (a.w * a.h + b.w * b.h - inter);
}

}  // namespace

std::vector<Detection> decode_detections(const float* out, uint32_t cells, uint32_t stride,
                                         uint32_t image_width, uint32_t image_height,
                                         const DetectorOptions& o) {
  // The image was scaled so its long side fills the input, the rest padded
  // after it (computeReshapedDimensions, Math.round).
  const double scale = double(o.input_size) / std::max(image_width, image_height);
  const double rw = std::floor(image_width * scale + 0.5);
  const double rh = std::floor(image_height * scale + 0.5);
  const double side = std::max(rw, rh);
  const double fx = side / rw, fy = side / rh;
  std::vector<Candidate> found;
  for (uint32_t row = 0; row < cells; ++row) {
    for (uint32_t col = 0; col < cells; ++col) {
      const float* cell = out + (size_t{row} * cells + col) * stride;
      for (int a = 0; a < 5; ++a) {
        const float* v = cell + a * 5;
        const double score = sigmoid(v[4]);
        if (score <= o.score_threshold) continue;
        const double cx = (col + sigmoid(v[0])) / cells * fx;
        const double cy = (row + sigmoid(v[1])) / cells * fy;
        const double w = std::exp(double(v[2])) * kAnchors[a][0] / cells * fx;
        const double h = std::exp(double(v[3])) * kAnchors[a][1] / cells * fy;
        found.push_back({score, cx - w / 2, cy - h / 2, w, h});
      }
    }
  }
  // nonMaxSuppression: a stable sort by score, best last; take the best,
  // drop what overlaps it by more than the threshold, repeat.
  std::stable_sort(found.begin(), found.end(),
                   [](const Candidate& a, const Candidate& b) { return a.score < b.score; });
  std::vector<Detection> picked;
  while (!found.empty()) {
    const Candidate best = found.back();
    found.pop_back();
    std::vector<Candidate> rest;
    for (const Candidate& c : found) {
      if (iou(best, c) <= o.iou_threshold) rest.push_back(c);
    }
    found.swap(rest);
    // Box.clipAtImageBorders(...).floor() in image pixels.
    const double x = best.x * image_width, y = best.y * image_height;
    const double w = best.w * image_width, h = best.h * image_height;
    const double cx = std::max(x, 0.0), cy = std::max(y, 0.0);
    const double cw = std::min(x + w - cx, image_width - cx);
    const double ch = std::min(y + h - cy, image_height - cy);
    Detection d;
    d.box = {int32_t(std::floor(cx)), int32_t(std::floor(cy)), int32_t(std::floor(cw)),
             int32_t(std::floor(ch))};
    d.score = best.score;
    if (d.box.width > 0 && d.box.height > 0) picked.push_back(d);
  }
  return picked;
}

}  // namespace ahal_face

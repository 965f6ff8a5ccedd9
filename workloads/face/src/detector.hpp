// The tiny face detector's output turned into face boxes, as face-api's
// TinyYolov2Base.detect + extractFaceTensors do it: sigmoid scores over the
// threshold, anchor-scaled boxes, non-maximum suppression, boxes in image
// pixels clipped to the image and floored.
#pragma once

#include "image.hpp"

#include <cstdint>
#include <vector>

namespace ahal_face {

struct Detection {
  Box box;       // image pixels
  double score;  // sigmoid of the cell's score
};

struct DetectorOptions {
  uint32_t input_size = 416;  // the network's input side
  double score_threshold = 0.5;
  double iou_threshold = 0.4;
};

// `out` is the network's cells x cells grid, `stride` floats per cell of
// which the first 25 are 5 anchors x (x, y, w, h, score). Highest score first.
std::vector<Detection> decode_detections(const float* out, uint32_t cells, uint32_t stride,
                                         uint32_t image_width, uint32_t image_height,
                                         const DetectorOptions& options = {});

}  // namespace ahal_face

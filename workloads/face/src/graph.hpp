// A network as a list of layers over NHWC tensors: what every device runs.
// Five layer kinds cover the face networks: convolution (bias, optional
// residual add, activation), depthwise convolution, pooling, add + ReLU,
// matrix product.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ahal_face {

class WeightMap;

// One image's tensor: h x w x c, inside a zero frame of `border` pixels
// (so a convolution with pad <= border reads its padding from memory).
struct TensorInfo {
  std::string name;
  uint32_t h = 0, w = 0, c = 0, border = 0;
  uint64_t floats() const { return uint64_t(h + 2 * border) * (w + 2 * border) * c; }
};

// A convolution's weights with everything per-channel folded in:
// filter [r][s][c][k] (TF's HWIO), bias [k]. A depthwise one has k == c
// and filter [r][s][c].
struct ConvWeights {
  uint32_t r = 0, s = 0, c = 0, k = 0;
  std::vector<float> filter, bias;
};

enum class LayerKind { kConv, kDepthwise, kPool, kAddRelu, kGemm };

// "conv", "depthwise", "pool", "add_relu", "gemm".
const char* layer_kind_name(LayerKind kind);

struct Layer {
  LayerKind kind = LayerKind::kConv;
  std::string name;
  int in = -1;       // tensor
  int in2 = -1;      // conv: residual tensor or -1; add: second operand
  int out = -1;      // tensor
  int weights = -1;  // conv, depthwise: index into Graph::convs; gemm: Graph::matrices
  uint32_t stride = 1, pad = 0, window = 0;
  uint32_t flags = 0;             // conv: FACE_RELU | FACE_RESIDUAL | FACE_LEAKY
  uint32_t mode = 0;              // pool: 0 max, 1 average
  uint32_t ext_h = 0, ext_w = 0;  // conv/pool: the computed part of `out`
};

struct Matrix {
  uint32_t rows = 0, cols = 0;
  std::vector<float> values;  // row-major
};

struct Graph {
  std::string model;
  std::vector<TensorInfo> tensors;  // tensors[input] is what the host fills
  std::vector<ConvWeights> convs;
  std::vector<Matrix> matrices;
  std::vector<Layer> layers;
  int input = 0;
  int output = -1;
  uint32_t input_size = 0;  // the input is input_size x input_size x 3
  float mean_rgb[3] = {0, 0, 0};
  uint32_t output_channels = 0;  // of tensors[output] that carry results (the rest pad)

  // Multiply-adds x 2 of one image, counting only the computed extents.
  uint64_t flops_per_image() const;
  uint64_t weight_floats() const;
};

// src/faceRecognitionNet of face-api: 150x150x3 -> 128 floats.
// Throws WeightError when a weight is missing or has the wrong shape.
Graph face_recognition_graph(const WeightMap& weights);

// src/tinyFaceDetector of face-api at its default input size: 416x416x3 ->
// 13x13 cells x 5 anchors x (x, y, w, h, score), 25 of 32 channels.
Graph tiny_face_detector_graph(const WeightMap& weights);

}  // namespace ahal_face

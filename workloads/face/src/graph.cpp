#include "graph.hpp"

#include "layer_constants.h"
#include "tfjs_weights.hpp"

#include <algorithm>

namespace ahal_face {

const char* layer_kind_name(LayerKind kind) {
  static const char* names[] = {"conv", "depthwise", "pool", "add_relu", "gemm"};
  return names[static_cast<int>(kind)];
}

uint64_t Graph::flops_per_image() const {
  uint64_t flops = 0;
  for (const Layer& l : layers) {
    if (l.kind == LayerKind::kConv) {
      const ConvWeights& w = convs[l.weights];
      flops += 2ull * l.ext_h * l.ext_w * w.r * w.s * w.c * w.k;
    } else if (l.kind == LayerKind::kDepthwise) {
      const ConvWeights& w = convs[l.weights];
      flops += 2ull * l.ext_h * l.ext_w * w.r * w.s * w.c;
    } else if (l.kind == LayerKind::kGemm) {
      flops += 2ull * matrices[l.weights].rows * matrices[l.weights].cols;
    }
  }
  return flops;
}

uint64_t Graph::weight_floats() const {
  uint64_t n = 0;
  for (const ConvWeights& w : convs) n += w.filter.size() + w.bias.size();
  for (const Matrix& m : matrices) n += m.values.size();
  return n;
}

namespace {

uint32_t valid_extent(uint32_t in, uint32_t window, uint32_t stride, uint32_t pad,
                      const std::string& where) {
  if (in + 2 * pad < window || stride == 0) {
    throw WeightError(where + ": window " + std::to_string(window) + " does not fit input " +
                      std::to_string(in));
  }
  return (in + 2 * pad - window) / stride + 1;
}

// TF's 'same' pooling: ceil(in / stride) windows, the padding after.
uint32_t same_extent(uint32_t in, uint32_t stride) { return (in + stride - 1) / stride; }

// Builds a graph layer by layer, in the order of face-api's forwardInput.
class Builder {
 public:
  Builder(const WeightMap& weights, Graph& g) : w_(weights), g_(g) {}

  int tensor(const std::string& name, uint32_t h, uint32_t w, uint32_t c) {
    g_.tensors.push_back({name, h, w, c, 0});
    return int(g_.tensors.size()) - 1;
  }

  // A convolution with `filter` [r,s,c,k] and `bias` [k], per-channel
  // `scale` (may be null) folded into both: face-api's conv + bias, then its
  // scale layer x * scale + shift. `pad_k` rounds the output channels up
  // with zero filters (the kernels take multiples of 16). An `out_hw` larger
  // than the extent leaves zero rows and columns after it.
  int conv(const std::string& name, int in, const Tensor& filter, const std::vector<float>& bias,
           const Tensor* scale, const Tensor* shift, uint32_t stride, uint32_t pad, uint32_t flags,
           int residual = -1, uint32_t out_hw = 0, uint32_t pad_k = 0) {
    if (filter.shape.size() != 4) {
      throw WeightError(w_.path() + ": " + name + " filter has shape " +
                        shape_string(filter.shape) + ", expected [r,s,c,k]");
    }
    const TensorInfo x = g_.tensors[in];
    ConvWeights cw;
    cw.r = filter.shape[0];
    cw.s = filter.shape[1];
    cw.c = filter.shape[2];
    const uint32_t k = filter.shape[3];
    cw.k = std::max(k, pad_k);
    if (cw.c != x.c || bias.size() != k) {
      throw WeightError(w_.path() + ": " + name + " takes " + std::to_string(cw.c) +
                        " channels and " + std::to_string(bias.size()) + " biases; its input has " +
                        std::to_string(x.c) + " channels and it makes " + std::to_string(k));
    }
    cw.filter.assign(size_t{cw.r} * cw.s * cw.c * cw.k, 0.0f);
    cw.bias.assign(cw.k, 0.0f);
    for (size_t rsc = 0; rsc < size_t{cw.r} * cw.s * cw.c; ++rsc) {
      for (uint32_t o = 0; o < k; ++o) {
        cw.filter[rsc * cw.k + o] = filter.values[rsc * k + o] * (scale ? scale->values[o] : 1.0f);
      }
    }
    for (uint32_t o = 0; o < k; ++o) {
      cw.bias[o] = scale ? bias[o] * scale->values[o] + shift->values[o] : bias[o];
    }
    return add_conv_layer(LayerKind::kConv, name, in, std::move(cw), stride, pad, flags, residual,
                          out_hw);
  }

  // face-api's convLayer(): conv2d + bias, then the scale layer.
  int scaled_conv(const std::string& prefix, int in, uint32_t stride, uint32_t pad, uint32_t flags,
                  int residual = -1, uint32_t out_hw = 0) {
    const Tensor& filter = w_.at(prefix + "/conv/filters");
    const uint32_t k = filter.shape.empty() ? 0 : filter.shape.back();
    return conv(prefix, in, filter, w_.get(prefix + "/conv/bias", {k}).values,
                &w_.get(prefix + "/scale/weights", {k}), &w_.get(prefix + "/scale/biases", {k}),
                stride, pad, flags, residual, out_hw);
  }

  // A depthwise 3x3 convolution, filter [r,s,c,1], no bias.
  int depthwise(const std::string& name, int in, const Tensor& filter, uint32_t pad) {
    const TensorInfo x = g_.tensors[in];
    if (filter.shape.size() != 4 || filter.shape[2] != x.c || filter.shape[3] != 1) {
      throw WeightError(w_.path() + ": " + name + " has shape " + shape_string(filter.shape) +
                        ", expected [r,s," + std::to_string(x.c) + ",1]");
    }
    ConvWeights cw;
    cw.r = filter.shape[0];
    cw.s = filter.shape[1];
    cw.c = cw.k = x.c;
    cw.filter = filter.values;
    cw.bias.assign(cw.k, 0.0f);
    return add_conv_layer(LayerKind::kDepthwise, name, in, std::move(cw), 1, pad, 0, -1, 0);
  }

  int add_conv_layer(LayerKind kind, const std::string& name, int in, ConvWeights cw,
                     uint32_t stride, uint32_t pad, uint32_t flags, int residual, uint32_t out_hw) {
    const TensorInfo x = g_.tensors[in];
    Layer l;
    l.kind = kind;
    l.name = name;
    l.in = in;
    l.in2 = residual;
    l.stride = stride;
    l.pad = pad;
    l.flags = flags | (residual >= 0 ? FACE_RESIDUAL : 0u);
    l.ext_h = valid_extent(x.h, cw.r, stride, pad, name);
    l.ext_w = valid_extent(x.w, cw.s, stride, pad, name);
    const uint32_t k = cw.k;
    g_.convs.push_back(std::move(cw));
    l.weights = int(g_.convs.size()) - 1;
    l.out = tensor(name, std::max(l.ext_h, out_hw), std::max(l.ext_w, out_hw), k);
    g_.layers.push_back(l);
    return l.out;
  }

  // Pooling without padding (or TF's 'same', padding after); out_c /
  // out_hw larger than the result give zero channels / rows and columns.
  int pool(const std::string& name, int in, uint32_t mode, uint32_t window, uint32_t stride,
           uint32_t out_c = 0, uint32_t out_hw = 0, bool same = false) {
    const TensorInfo x = g_.tensors[in];
    Layer l;
    l.kind = LayerKind::kPool;
    l.name = name;
    l.in = in;
    l.mode = mode;
    l.window = window;
    l.stride = stride;
    l.ext_h = same ? same_extent(x.h, stride) : valid_extent(x.h, window, stride, 0, name);
    l.ext_w = same ? same_extent(x.w, stride) : valid_extent(x.w, window, stride, 0, name);
    l.out =
        tensor(name, std::max(l.ext_h, out_hw), std::max(l.ext_w, out_hw), std::max(x.c, out_c));
    g_.layers.push_back(l);
    return l.out;
  }

  int add_relu(const std::string& name, int a, int b) {
    const TensorInfo& x = g_.tensors[a];
    Layer l;
    l.kind = LayerKind::kAddRelu;
    l.name = name;
    l.in = a;
    l.in2 = b;
    l.out = tensor(name, x.h, x.w, x.c);
    g_.layers.push_back(l);
    return l.out;
  }

  int gemm(const std::string& name, int in, const Tensor& matrix) {
    const TensorInfo& x = g_.tensors[in];
    if (matrix.shape.size() != 2 || x.h != 1 || x.w != 1 || matrix.shape[0] != x.c) {
      throw WeightError(w_.path() + ": " + name + " has shape " + shape_string(matrix.shape) +
                        ", expected [" + std::to_string(x.c) + ",n]");
    }
    g_.matrices.push_back({matrix.shape[0], matrix.shape[1], matrix.values});
    Layer l;
    l.kind = LayerKind::kGemm;
    l.name = name;
    l.in = in;
    l.weights = int(g_.matrices.size()) - 1;
    l.out = tensor(name, 1, 1, matrix.shape[1]);
    g_.layers.push_back(l);
    return l.out;
  }

  // residual(): conv -> conv, + x, relu (the add and relu fused in the conv).
  int residual(const std::string& prefix, int x) {
    int t = scaled_conv(prefix + "/conv1", x, 1, 1, FACE_RELU);
    return scaled_conv(prefix + "/conv2", t, 1, 1, FACE_RELU, x);
  }

  // residualDown(): strided conv -> conv, plus the 2x2 average of x with
  // zero channels appended; when the shapes differ by one, face-api appends
  // a zero row and column to the conv's output.
  int residual_down(const std::string& prefix, int x) {
    const TensorInfo in = g_.tensors[x];
    const uint32_t pooled = valid_extent(in.h, 2, 2, 0, prefix);
    int t = scaled_conv(prefix + "/conv1", x, 2, 0, FACE_RELU);
    int u = scaled_conv(prefix + "/conv2", t, 1, 1, 0, -1, pooled);
    const TensorInfo& ut = g_.tensors[u];
    if (ut.h != pooled || ut.h > g_.tensors[t].h + 1) {
      throw WeightError(prefix + ": shortcut of " + std::to_string(pooled) +
                        " rows does not fit the conv's " + std::to_string(ut.h));
    }
    int s = pool(prefix + "/shortcut", x, 1, 2, 2, ut.c, pooled);
    return add_relu(prefix, u, s);
  }

 private:
  const WeightMap& w_;
  Graph& g_;
};

// Frames: a tensor read by a padded conv gets a frame as wide as the
// padding; the three tensors of an add share one layout.
void assign_borders(Graph& g) {
  for (const Layer& l : g.layers) {
    if (l.kind == LayerKind::kConv || l.kind == LayerKind::kDepthwise) {
      g.tensors[l.in].border = std::max(g.tensors[l.in].border, l.pad);
    }
  }
  for (bool changed = true; changed;) {
    changed = false;
    for (const Layer& l : g.layers) {
      if (l.kind != LayerKind::kAddRelu) continue;
      uint32_t b =
          std::max({g.tensors[l.in].border, g.tensors[l.in2].border, g.tensors[l.out].border});
      for (int t : {l.in, l.in2, l.out}) {
        if (g.tensors[t].border != b) {
          g.tensors[t].border = b;
          changed = true;
        }
      }
    }
  }
}

}  // namespace

Graph face_recognition_graph(const WeightMap& weights) {
  Graph g;
  g.model = "face_recognition";
  g.input_size = 150;
  g.mean_rgb[0] = 122.782f;
  g.mean_rgb[1] = 117.001f;
  g.mean_rgb[2] = 104.298f;
  Builder b(weights, g);
  int x = b.tensor("input", 150, 150, 3);
  g.input = x;
  x = b.scaled_conv("conv32_down", x, 2, 0, FACE_RELU);
  x = b.pool("maxpool", x, 0, 3, 2);
  for (const char* name : {"conv32_1", "conv32_2", "conv32_3"}) x = b.residual(name, x);
  x = b.residual_down("conv64_down", x);
  for (const char* name : {"conv64_1", "conv64_2", "conv64_3"}) x = b.residual(name, x);
  x = b.residual_down("conv128_down", x);
  for (const char* name : {"conv128_1", "conv128_2"}) x = b.residual(name, x);
  x = b.residual_down("conv256_down", x);
  for (const char* name : {"conv256_1", "conv256_2"}) x = b.residual(name, x);
  x = b.residual_down("conv256_down_out", x);
  // mean over the 2x2 map, then the fully connected layer.
  x = b.pool("mean", x, 1, g.tensors[x].h, 1);
  const Tensor& fc = weights.at("fc");
  g.output = b.gemm("fc", x, fc);
  g.output_channels = g.tensors[g.output].c;
  assign_borders(g);
  return g;
}

Graph tiny_face_detector_graph(const WeightMap& weights) {
  Graph g;
  g.model = "tiny_face_detector";
  g.input_size = 416;
  g.mean_rgb[0] = 117.001f;
  g.mean_rgb[1] = 114.697f;
  g.mean_rgb[2] = 97.404f;
  Builder b(weights, g);
  int x = b.tensor("input", 416, 416, 3);
  g.input = x;
  // runMobilenet with isFirstLayerConv2d: a 'valid' conv, leaky, then five
  // depthwise-separable convs (pad 1, leaky), each followed by 2x2 'same'
  // max pooling (stride 1 after the last), then a 1x1 conv.
  const Tensor& f0 = weights.at("conv0/filters");
  x = b.conv("conv0", x, f0, weights.get("conv0/bias", {f0.shape.back()}).values, nullptr, nullptr,
             1, 0, FACE_LEAKY);
  x = b.pool("conv0/maxpool", x, 0, 2, 2, 0, 0, true);
  for (int i = 1; i <= 5; ++i) {
    const std::string p = "conv" + std::to_string(i);
    x = b.depthwise(p + "/depthwise", x, weights.at(p + "/depthwise_filter"), 1);
    const Tensor& pw = weights.at(p + "/pointwise_filter");
    x = b.conv(p + "/pointwise", x, pw, weights.get(p + "/bias", {pw.shape.back()}).values, nullptr,
               nullptr, 1, 0, FACE_LEAKY);
    x = b.pool(p + "/maxpool", x, 0, 2, i < 5 ? 2 : 1, 0, 0, true);
  }
  const Tensor& f8 = weights.at("conv8/filters");
  const uint32_t boxes = f8.shape.empty() ? 0 : f8.shape.back();
  g.output = b.conv("conv8", x, f8, weights.get("conv8/bias", {boxes}).values, nullptr, nullptr, 1,
                    0, 0, -1, 0, (boxes + 15) / 16 * 16);
  g.output_channels = boxes;
  assign_borders(g);
  return g;
}

}  // namespace ahal_face

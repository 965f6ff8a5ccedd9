// The constants of every built-in operator, laid out as docs/builtins.md
// gives them: the operators read them, the tests write them.
#pragma once

#include "builtin_nhwc_ops.hpp"

#include <cstdint>

namespace asic_sim {

struct AddConstants {
  uint32_t n;
};
struct GemmConstants {
  uint32_t M, N, K;
  float alpha, beta;
};
struct Conv2dConstants {
  uint32_t N, C, H, W, K, R, S, stride_h, stride_w, pad_h, pad_w;
};
struct SoftmaxConstants {
  uint32_t rows, cols;
};

// conv2d_nhwc_f32 and depthwise_conv2d_nhwc_f32; `flags` of kConv*.
struct Conv2dNhwcConstants {
  uint32_t batch;
  uint32_t in_h, in_w, in_c, in_border;
  uint32_t out_h, out_w, out_c, out_border;
  uint32_t res_border;
  uint32_t ext_h, ext_w;
  uint32_t filter_h, filter_w, stride, pad;
  uint32_t flags;
  uint32_t reserved;
};
static_assert(sizeof(Conv2dNhwcConstants) == kConv2dNhwcConstantsSize, "docs/builtins.md");
constexpr uint32_t kConvRelu = 1, kConvResidual = 2, kConvLeaky = 4;

struct Pool2dNhwcConstants {
  uint32_t batch;
  uint32_t in_h, in_w, in_c, in_border;
  uint32_t out_h, out_w, out_c, out_border;
  uint32_t ext_h, ext_w;
  uint32_t window, stride;
  uint32_t mode;
};
static_assert(sizeof(Pool2dNhwcConstants) == kPool2dNhwcConstantsSize, "docs/builtins.md");

struct AddReluConstants {
  uint32_t n;
};
static_assert(sizeof(AddReluConstants) == kAddReluConstantsSize, "docs/builtins.md");

}  // namespace asic_sim

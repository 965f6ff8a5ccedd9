#include "builtin_nhwc_ops.hpp"

#include "builtin_checks.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace asic_sim {
namespace {

constexpr uint32_t kRelu = 1, kResidual = 2, kLeaky = 4;

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

// Floats of a framed NHWC tensor.
uint64_t framed_bytes(uint32_t batch, uint32_t h, uint32_t w, uint32_t c, uint32_t border) {
  return tensor_bytes({batch, uint64_t{h} + 2 * border, uint64_t{w} + 2 * border, c});
}

void fail(const std::string& op, const std::string& what) {
  throw Failure(AHAL_ERROR_INVALID_ARGUMENT, op + ": " + what);
}

// Offset (floats) of pixel (n, y, x) of a framed tensor, y and x interior.
inline uint64_t at(uint64_t n, uint64_t y, uint64_t x, uint32_t h, uint32_t w, uint32_t c,
                   uint32_t border) {
  const uint64_t pitch = uint64_t{w} + 2 * border, rows = uint64_t{h} + 2 * border;
  return ((n * rows + y + border) * pitch + x + border) * c;
}

// What conv2d and depthwise conv check alike; `filter_k` is the filter's
// last dimension (out_c, or 1 for depthwise).
void check_conv_common(const Conv2dNhwcConstants& c, const std::string& op,
                       const uint64_t* binding_bytes, uint32_t filter_k) {
  if (c.stride == 0 || c.filter_h == 0 || c.filter_w == 0)
    fail(op, "stride and filter must be > 0");
  if (c.flags & ~(kRelu | kResidual | kLeaky)) fail(op, "unknown flags " + std::to_string(c.flags));
  if (c.reserved != 0) fail(op, "reserved must be 0");
  const uint64_t padded_h = uint64_t{c.in_h} + 2 * uint64_t{c.pad};
  const uint64_t padded_w = uint64_t{c.in_w} + 2 * uint64_t{c.pad};
  if (c.filter_h > padded_h || c.filter_w > padded_w) fail(op, "filter larger than padded input");
  const uint64_t max_h = (padded_h - c.filter_h) / c.stride + 1;
  const uint64_t max_w = (padded_w - c.filter_w) / c.stride + 1;
  if (c.ext_h > max_h || c.ext_w > max_w || c.ext_h > c.out_h || c.ext_w > c.out_w) {
    fail(op, "extent " + std::to_string(c.ext_h) + "x" + std::to_string(c.ext_w) +
                 " exceeds the convolution's " + std::to_string(max_h) + "x" +
                 std::to_string(max_w) + " or the output's " + std::to_string(c.out_h) + "x" +
                 std::to_string(c.out_w));
  }
  const std::string shape = op + " with batch=" + std::to_string(c.batch) +
                            " in=" + std::to_string(c.in_h) + "x" + std::to_string(c.in_w) + "x" +
                            std::to_string(c.in_c) + " out=" + std::to_string(c.out_h) + "x" +
                            std::to_string(c.out_w) + "x" + std::to_string(c.out_c);
  require_binding(binding_bytes, 0, "in",
                  framed_bytes(c.batch, c.in_h, c.in_w, c.in_c, c.in_border), shape);
  require_binding(binding_bytes, 1, "filter",
                  tensor_bytes({c.filter_h, c.filter_w, c.in_c, filter_k}), shape);
  require_binding(binding_bytes, 2, "bias", tensor_bytes({c.out_c}), shape);
  if (c.flags & kResidual) {
    require_binding(binding_bytes, 3, "residual",
                    framed_bytes(c.batch, c.out_h, c.out_w, c.out_c, c.res_border), shape);
  }
  require_binding(binding_bytes, 4, "out",
                  framed_bytes(c.batch, c.out_h, c.out_w, c.out_c, c.out_border), shape);
}

// Residual and activation of one output pixel whose out_c sums (bias
// included) are in `acc`; writes them to `out`.
void finish_pixel(const Conv2dNhwcConstants& c, const float* acc, const float* residual, uint64_t n,
                  uint64_t p, uint64_t q, float* out) {
  const uint32_t K = c.out_c;
  float* o = out + at(n, p, q, c.out_h, c.out_w, K, c.out_border);
  const float* res =
      (c.flags & kResidual) ? residual + at(n, p, q, c.out_h, c.out_w, K, c.res_border) : nullptr;
  for (uint32_t k = 0; k < K; ++k) {
    float v = acc[k] + (res ? res[k] : 0.0f);
    if (c.flags & kRelu) v = std::max(v, 0.0f);
    if (c.flags & kLeaky) {
      const float t = v * 0.1f;
      v = std::max(v - t, 0.0f) + t;
    }
    o[k] = v;
  }
}

// Calls body(n, p, q, acc) for every output pixel of the extent, spread over
// the compute engines; acc holds `channels` floats, zeroed.
template <class Body>
void for_each_pixel(const Conv2dNhwcConstants& c, uint32_t channels, WorkerPool& compute,
                    Body&& body) {
  const uint64_t extent = uint64_t{c.ext_h} * c.ext_w;
  compute.parallel_for(uint64_t{c.batch} * extent, [&](uint64_t begin, uint64_t end) {
    std::vector<float> acc(channels);
    for (uint64_t m = begin; m < end; ++m) {
      std::fill(acc.begin(), acc.end(), 0.0f);
      body(m / extent, (m % extent) / c.ext_w, m % c.ext_w, acc.data());
    }
  });
}

}  // namespace

// ---------------------------------------------------------- conv2d_nhwc_f32

void check_conv2d_nhwc(const void* constants, const uint64_t* binding_bytes) {
  const auto c = read_constants<Conv2dNhwcConstants>(constants);
  check_conv_common(c, "conv2d_nhwc_f32", binding_bytes, c.out_c);
}

void run_conv2d_nhwc(const void* constants, float* const* bindings, WorkerPool& compute) {
  const auto c = read_constants<Conv2dNhwcConstants>(constants);
  const float* in = bindings[0];
  const float* filter = bindings[1];
  const float* bias = bindings[2];
  const uint32_t K = c.out_c;
  // Each pixel's K outputs accumulate together, so the inner loop runs
  // along contiguous filter rows.
  for_each_pixel(c, K, compute, [&](uint64_t n, uint64_t p, uint64_t q, float* acc) {
    std::copy(bias, bias + K, acc);
    for (uint32_t r = 0; r < c.filter_h; ++r) {
      const int64_t y = int64_t(p * c.stride + r) - c.pad;
      if (y < 0 || y >= int64_t{c.in_h}) continue;  // zero padding
      for (uint32_t s = 0; s < c.filter_w; ++s) {
        const int64_t x = int64_t(q * c.stride + s) - c.pad;
        if (x < 0 || x >= int64_t{c.in_w}) continue;
        const float* pixel = in + at(n, y, x, c.in_h, c.in_w, c.in_c, c.in_border);
        const float* w = filter + (uint64_t{r} * c.filter_w + s) * c.in_c * K;
        for (uint32_t ch = 0; ch < c.in_c; ++ch) {
          const float v = pixel[ch];
          const float* wk = w + uint64_t{ch} * K;
          for (uint32_t k = 0; k < K; ++k) acc[k] += v * wk[k];
        }
      }
    }
    finish_pixel(c, acc, bindings[3], n, p, q, bindings[4]);
  });
}

// ------------------------------------------------ depthwise_conv2d_nhwc_f32

void check_depthwise_conv2d_nhwc(const void* constants, const uint64_t* binding_bytes) {
  const auto c = read_constants<Conv2dNhwcConstants>(constants);
  if (c.in_c != c.out_c) {
    fail("depthwise_conv2d_nhwc_f32",
         "in_c " + std::to_string(c.in_c) + " and out_c " + std::to_string(c.out_c) + " differ");
  }
  check_conv_common(c, "depthwise_conv2d_nhwc_f32", binding_bytes, 1);
}

void run_depthwise_conv2d_nhwc(const void* constants, float* const* bindings, WorkerPool& compute) {
  const auto c = read_constants<Conv2dNhwcConstants>(constants);
  const float* in = bindings[0];
  const float* filter = bindings[1];
  const float* bias = bindings[2];
  const uint32_t C = c.in_c;
  for_each_pixel(c, C, compute, [&](uint64_t n, uint64_t p, uint64_t q, float* acc) {
    for (uint32_t r = 0; r < c.filter_h; ++r) {
      const int64_t y = int64_t(p * c.stride + r) - c.pad;
      if (y < 0 || y >= int64_t{c.in_h}) continue;
      for (uint32_t s = 0; s < c.filter_w; ++s) {
        const int64_t x = int64_t(q * c.stride + s) - c.pad;
        if (x < 0 || x >= int64_t{c.in_w}) continue;
        const float* pixel = in + at(n, y, x, c.in_h, c.in_w, C, c.in_border);
        const float* w = filter + (uint64_t{r} * c.filter_w + s) * C;
        for (uint32_t ch = 0; ch < C; ++ch) acc[ch] += pixel[ch] * w[ch];
      }
    }
    for (uint32_t ch = 0; ch < C; ++ch) acc[ch] += bias[ch];
    finish_pixel(c, acc, bindings[3], n, p, q, bindings[4]);
  });
}

// ---------------------------------------------------------- pool2d_nhwc_f32

void check_pool2d_nhwc(const void* constants, const uint64_t* binding_bytes) {
  const auto c = read_constants<Pool2dNhwcConstants>(constants);
  const std::string op = "pool2d_nhwc_f32";
  if (c.mode > 1)
    fail(op, "mode " + std::to_string(c.mode) + " is neither 0 (max) nor 1 (average)");
  if (c.window == 0 || c.stride == 0) fail(op, "window and stride must be > 0");
  if (c.out_c < c.in_c || c.ext_h > c.out_h || c.ext_w > c.out_w) {
    fail(op, "the output must hold the extent and every input channel");
  }
  // Every window starts inside the input (TF's 'same' pads only after).
  if ((c.ext_h && uint64_t{c.ext_h - 1} * c.stride >= c.in_h) ||
      (c.ext_w && uint64_t{c.ext_w - 1} * c.stride >= c.in_w)) {
    fail(op, "extent " + std::to_string(c.ext_h) + "x" + std::to_string(c.ext_w) +
                 " starts windows outside the " + std::to_string(c.in_h) + "x" +
                 std::to_string(c.in_w) + " input");
  }
  const std::string shape = op + " with batch=" + std::to_string(c.batch);
  require_binding(binding_bytes, 0, "in",
                  framed_bytes(c.batch, c.in_h, c.in_w, c.in_c, c.in_border), shape);
  require_binding(binding_bytes, 1, "out",
                  framed_bytes(c.batch, c.out_h, c.out_w, c.out_c, c.out_border), shape);
}

void run_pool2d_nhwc(const void* constants, float* const* bindings, WorkerPool& compute) {
  const auto c = read_constants<Pool2dNhwcConstants>(constants);
  const float* in = bindings[0];
  float* out = bindings[1];
  const uint64_t extent = uint64_t{c.ext_h} * c.ext_w;
  compute.parallel_for(uint64_t{c.batch} * extent, [&](uint64_t begin, uint64_t end) {
    for (uint64_t m = begin; m < end; ++m) {
      const uint64_t n = m / extent, p = (m % extent) / c.ext_w, q = m % c.ext_w;
      const uint64_t rows = std::min<uint64_t>(c.window, c.in_h - p * c.stride);
      const uint64_t cols = std::min<uint64_t>(c.window, c.in_w - q * c.stride);
      float* o = out + at(n, p, q, c.out_h, c.out_w, c.out_c, c.out_border);
      for (uint32_t ch = 0; ch < c.in_c; ++ch) {
        float acc = c.mode == 0 ? -std::numeric_limits<float>::infinity() : 0.0f;
        for (uint64_t r = 0; r < rows; ++r) {
          for (uint64_t s = 0; s < cols; ++s) {
            const float v =
                in[at(n, p * c.stride + r, q * c.stride + s, c.in_h, c.in_w, c.in_c, c.in_border) +
                   ch];
            acc = c.mode == 0 ? std::max(acc, v) : acc + v;
          }
        }
        o[ch] = c.mode == 0 ? acc : acc / float(rows * cols);
      }
      // Channels past in_c (zero extension) are written as zeros.
      std::fill(o + c.in_c, o + c.out_c, 0.0f);
    }
  });
}

// ------------------------------------------------------------- add_relu_f32

void check_add_relu(const void* constants, const uint64_t* binding_bytes) {
  const auto c = read_constants<AddReluConstants>(constants);
  const uint64_t bytes = tensor_bytes({c.n});
  const std::string shape = "add_relu_f32 with n=" + std::to_string(c.n);
  require_binding(binding_bytes, 0, "a", bytes, shape);
  require_binding(binding_bytes, 1, "b", bytes, shape);
  require_binding(binding_bytes, 2, "c", bytes, shape);
}

void run_add_relu(const void* constants, float* const* bindings, WorkerPool& compute) {
  const auto c = read_constants<AddReluConstants>(constants);
  const float* a = bindings[0];
  const float* b = bindings[1];
  float* out = bindings[2];
  compute.parallel_for(c.n, [&](uint64_t begin, uint64_t end) {
    for (uint64_t i = begin; i < end; ++i) out[i] = std::max(a[i] + b[i], 0.0f);
  });
}

}  // namespace asic_sim

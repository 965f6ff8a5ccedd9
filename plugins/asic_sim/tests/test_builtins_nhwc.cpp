// The NHWC operators (conv2d_nhwc_f32, pool2d_nhwc_f32, add_relu_f32)
// through the public API, against host references computed in double.
#include "sim_fixture.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace {

struct ConvConstants {
  uint32_t batch;
  uint32_t in_h, in_w, in_c, in_border;
  uint32_t out_h, out_w, out_c, out_border;
  uint32_t res_border;
  uint32_t ext_h, ext_w;
  uint32_t filter_h, filter_w, stride, pad;
  uint32_t flags;
  uint32_t reserved;
};
static_assert(sizeof(ConvConstants) == 72, "docs/builtins.md");

struct PoolConstants {
  uint32_t batch;
  uint32_t in_h, in_w, in_c, in_border;
  uint32_t out_h, out_w, out_c, out_border;
  uint32_t ext_h, ext_w;
  uint32_t window, stride;
  uint32_t mode;
};

constexpr uint32_t kRelu = 1, kResidual = 2, kLeaky = 4;

size_t framed(uint32_t batch, uint32_t h, uint32_t w, uint32_t c, uint32_t border) {
  return size_t{batch} * (h + 2 * border) * (w + 2 * border) * c;
}
size_t at(uint32_t n, uint32_t y, uint32_t x, uint32_t h, uint32_t w, uint32_t c, uint32_t border) {
  return ((size_t{n} * (h + 2 * border) + y + border) * (w + 2 * border) + x + border) * c;
}

// A framed tensor: random interior, zero frame.
std::vector<float> framed_random(uint32_t batch, uint32_t h, uint32_t w, uint32_t c,
                                 uint32_t border, uint32_t seed) {
  std::vector<float> t(framed(batch, h, w, c, border), 0.0f);
  auto values = pseudo_random(size_t{batch} * h * w * c, seed);
  size_t i = 0;
  for (uint32_t n = 0; n < batch; ++n)
    for (uint32_t y = 0; y < h; ++y)
      for (uint32_t x = 0; x < w; ++x)
        for (uint32_t ch = 0; ch < c; ++ch) t[at(n, y, x, h, w, c, border) + ch] = values[i++];
  return t;
}

void check_close(const std::vector<float>& got, const std::vector<double>& want, double tolerance) {
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    INFO("element " << i);
    REQUIRE(std::abs(got[i] - want[i]) <= tolerance * (1.0 + std::abs(want[i])));
  }
}

}  // namespace

TEST_CASE("conv2d_nhwc_f32: framed NHWC, stride, padding, bias, residual, activations",
          "[builtin]") {
  Sim sim;
  // batch, in h/w/c/border, out c/border, res border, filter, stride, pad, flags
  struct Case {
    uint32_t batch, h, w, c, in_border, k, out_border, res_border, r, s, stride, pad, flags;
  };
  for (Case t : {Case{1, 5, 5, 3, 0, 4, 0, 0, 3, 3, 1, 0, 0},
                 Case{2, 7, 6, 5, 1, 8, 1, 1, 3, 3, 1, 1, kRelu | kResidual},
                 Case{1, 9, 9, 4, 0, 16, 0, 0, 7, 7, 2, 0, kRelu},
                 Case{3, 8, 8, 6, 1, 3, 2, 0, 3, 3, 2, 0, kLeaky | kResidual},
                 Case{1, 4, 4, 2, 0, 5, 1, 1, 3, 3, 1, 2, 0}}) {
    const uint32_t P = (t.h + 2 * t.pad - t.r) / t.stride + 1;
    const uint32_t Q = (t.w + 2 * t.pad - t.s) / t.stride + 1;
    // One extra output row and column the operator must leave alone.
    const uint32_t out_h = P + 1, out_w = Q + 1;
    INFO("case h=" << t.h << " c=" << t.c << " k=" << t.k << " r=" << t.r << " stride=" << t.stride
                   << " pad=" << t.pad << " flags=" << t.flags);
    auto in = framed_random(t.batch, t.h, t.w, t.c, t.in_border, 11);
    auto filter = pseudo_random(size_t{t.r} * t.s * t.c * t.k, 12);
    auto bias = pseudo_random(t.k, 13);
    auto res = framed_random(t.batch, out_h, out_w, t.k, t.res_border, 14);
    const size_t out_n = framed(t.batch, out_h, out_w, t.k, t.out_border);
    ahal_buffer_t In = sim.upload(in), F = sim.upload(filter), B = sim.upload(bias),
                  R = sim.upload(res), Out = sim.upload(std::vector<float>(out_n, 7.0f));
    ConvConstants k = {t.batch, t.h, t.w,          t.c,          t.in_border, out_h,
                       out_w,   t.k, t.out_border, t.res_border, P,           Q,
                       t.r,     t.s, t.stride,     t.pad,        t.flags,     0};
    AHAL_REQUIRE(sim.launch("ahal.builtin.conv2d_nhwc_f32",
                            {whole(In), whole(F), whole(B), whole(R), whole(Out)}, k));
    std::vector<double> want(out_n, 7.0);
    for (uint32_t n = 0; n < t.batch; ++n)
      for (uint32_t p = 0; p < P; ++p)
        for (uint32_t q = 0; q < Q; ++q)
          for (uint32_t kk = 0; kk < t.k; ++kk) {
            double sum = bias[kk];
            for (uint32_t r = 0; r < t.r; ++r)
              for (uint32_t s = 0; s < t.s; ++s) {
                int y = int(p * t.stride + r) - int(t.pad);
                int x = int(q * t.stride + s) - int(t.pad);
                if (y < 0 || y >= int(t.h) || x < 0 || x >= int(t.w)) continue;
                for (uint32_t ch = 0; ch < t.c; ++ch) {
                  sum += double(in[at(n, y, x, t.h, t.w, t.c, t.in_border) + ch]) *
                         filter[((size_t{r} * t.s + s) * t.c + ch) * t.k + kk];
                }
              }
            if (t.flags & kResidual) sum += res[at(n, p, q, out_h, out_w, t.k, t.res_border) + kk];
            if (t.flags & kRelu) sum = std::max(sum, 0.0);
            if (t.flags & kLeaky) sum = sum > 0 ? sum : 0.1 * sum;
            want[at(n, p, q, out_h, out_w, t.k, t.out_border) + kk] = sum;
          }
    check_close(sim.download(Out, out_n), want, 1e-5);
  }
}

TEST_CASE("depthwise_conv2d_nhwc_f32: per-channel 3x3 with frames, bias, leaky ReLU", "[builtin]") {
  Sim sim;
  for (uint32_t stride : {1u, 2u}) {
    const uint32_t batch = 2, h = 7, w = 6, c = 5, pad = 1, border = 1, out_border = 1;
    const uint32_t P = (h + 2 * pad - 3) / stride + 1, Q = (w + 2 * pad - 3) / stride + 1;
    INFO("stride " << stride);
    auto in = framed_random(batch, h, w, c, border, 41);
    auto filter = pseudo_random(3 * 3 * c, 42);
    auto bias = pseudo_random(c, 43);
    const size_t out_n = framed(batch, P, Q, c, out_border);
    ahal_buffer_t In = sim.upload(in), F = sim.upload(filter), B = sim.upload(bias),
                  Out = sim.upload(std::vector<float>(out_n, 3.0f));
    ConvConstants k = {batch, h, w, c, border, P,      Q,   c,      out_border,
                       0,     P, Q, 3, 3,      stride, pad, kLeaky, 0};
    AHAL_REQUIRE(sim.launch("ahal.builtin.depthwise_conv2d_nhwc_f32",
                            {whole(In), whole(F), whole(B), whole(Out), whole(Out)}, k));
    std::vector<double> want(out_n, 3.0);
    for (uint32_t n = 0; n < batch; ++n)
      for (uint32_t p = 0; p < P; ++p)
        for (uint32_t q = 0; q < Q; ++q)
          for (uint32_t ch = 0; ch < c; ++ch) {
            double sum = bias[ch];
            for (uint32_t r = 0; r < 3; ++r)
              for (uint32_t s = 0; s < 3; ++s) {
                int y = int(p * stride + r) - int(pad), x = int(q * stride + s) - int(pad);
                if (y < 0 || y >= int(h) || x < 0 || x >= int(w)) continue;
                sum += double(in[at(n, y, x, h, w, c, border) + ch]) * filter[(r * 3 + s) * c + ch];
              }
            want[at(n, p, q, P, Q, c, out_border) + ch] = sum > 0 ? sum : 0.1 * sum;
          }
    check_close(sim.download(Out, out_n), want, 1e-5);
  }
  // Depthwise keeps the channel count.
  std::vector<float> small(64, 1.0f);
  ahal_buffer_t A = sim.upload(small);
  ConvConstants bad = {1, 2, 2, 2, 0, 2, 2, 4, 0, 0, 2, 2, 1, 1, 1, 0, 0, 0};
  CHECK(sim.launch("ahal.builtin.depthwise_conv2d_nhwc_f32",
                   {whole(A), whole(A), whole(A), whole(A), whole(A)},
                   bad) == AHAL_ERROR_INVALID_ARGUMENT);
  CHECK(std::string(ahal_last_error_message()).find("differ") != std::string::npos);
}

TEST_CASE("pool2d_nhwc_f32: max and average, windows past the edge, zero channels", "[builtin]") {
  Sim sim;
  struct Case {
    uint32_t h, c, border, window, stride, mode, ext, out_c;
  };
  // 'valid' 3x3/2 max; 'same' 2x2/2 max on an odd size (last window cut);
  // 2x2/2 average into twice the channels; 'same' 2x2/1 max.
  for (Case t : {Case{9, 3, 1, 3, 2, 0, 4, 3}, Case{7, 2, 0, 2, 2, 0, 4, 2},
                 Case{8, 3, 1, 2, 2, 1, 4, 6}, Case{5, 4, 0, 2, 1, 0, 5, 4}}) {
    INFO("h=" << t.h << " window=" << t.window << " stride=" << t.stride << " mode=" << t.mode);
    const uint32_t batch = 2, out_border = 1;
    auto in = framed_random(batch, t.h, t.h, t.c, t.border, 21);
    const size_t out_n = framed(batch, t.ext, t.ext, t.out_c, out_border);
    ahal_buffer_t In = sim.upload(in), Out = sim.upload(std::vector<float>(out_n, 5.0f));
    PoolConstants k = {batch,   t.h,        t.h,   t.c,   t.border, t.ext,    t.ext,
                       t.out_c, out_border, t.ext, t.ext, t.window, t.stride, t.mode};
    AHAL_REQUIRE(sim.launch("ahal.builtin.pool2d_nhwc_f32", {whole(In), whole(Out)}, k));
    std::vector<double> want(out_n, 5.0);
    for (uint32_t n = 0; n < batch; ++n)
      for (uint32_t p = 0; p < t.ext; ++p)
        for (uint32_t q = 0; q < t.ext; ++q)
          for (uint32_t ch = 0; ch < t.out_c; ++ch) {
            double acc = t.mode == 0 ? -std::numeric_limits<double>::infinity() : 0.0;
            int count = 0;
            for (uint32_t r = 0; r < t.window; ++r)
              for (uint32_t s = 0; s < t.window; ++s) {
                uint32_t y = p * t.stride + r, x = q * t.stride + s;
                if (y >= t.h || x >= t.h || ch >= t.c) continue;
                double v = in[at(n, y, x, t.h, t.h, t.c, t.border) + ch];
                acc = t.mode == 0 ? std::max(acc, v) : acc + v;
                ++count;
              }
            want[at(n, p, q, t.ext, t.ext, t.out_c, out_border) + ch] = ch >= t.c     ? 0.0
                                                                        : t.mode == 0 ? acc
                                                                                      : acc / count;
          }
    check_close(sim.download(Out, out_n), want, 1e-6);
  }
}

TEST_CASE("add_relu_f32 adds and clamps at zero", "[builtin]") {
  Sim sim;
  const uint32_t n = 1000;
  auto a = pseudo_random(n, 31), b = pseudo_random(n, 32);
  ahal_buffer_t A = sim.upload(a), B = sim.upload(b), C = sim.buffer(n * 4);
  AHAL_REQUIRE(sim.launch("ahal.builtin.add_relu_f32", {whole(A), whole(B), whole(C)}, n));
  std::vector<double> want(n);
  for (uint32_t i = 0; i < n; ++i) want[i] = std::max(0.0, double(a[i] + b[i]));
  check_close(sim.download(C, n), want, 1e-6);
}

TEST_CASE("NHWC built-ins refuse bad shapes before anything runs", "[builtin]") {
  Sim sim;
  std::vector<float> small(64, 1.0f);
  ahal_buffer_t A = sim.upload(small), B = sim.upload(small), C = sim.upload(small);
  const ConvConstants good = {1, 4, 4, 2, 0, 2, 2, 2, 0, 0, 2, 2, 3, 3, 1, 0, kRelu, 0};
  auto conv = [&](ConvConstants k) {
    return sim.launch("ahal.builtin.conv2d_nhwc_f32",
                      {whole(A), whole(B), whole(B), whole(C), whole(C)}, k);
  };
  AHAL_REQUIRE(conv(good));
  ConvConstants k = good;
  k.ext_h = 3;  // a 4x4 input and a 3x3 filter give 2 rows
  CHECK(conv(k) == AHAL_ERROR_INVALID_ARGUMENT);
  CHECK(std::string(ahal_last_error_message()).find("extent") != std::string::npos);
  k = good;
  k.stride = 0;
  CHECK(conv(k) == AHAL_ERROR_INVALID_ARGUMENT);
  k = good;
  k.flags = 8;
  CHECK(conv(k) == AHAL_ERROR_INVALID_ARGUMENT);
  k = good;
  k.in_c = 8;  // 4x4x8 input needs 512 bytes, the binding holds 256
  CHECK(conv(k) == AHAL_ERROR_OUT_OF_RANGE);
  CHECK(std::string(ahal_last_error_message()).find("binding 0") != std::string::npos);

  PoolConstants p = {1, 4, 4, 2, 0, 2, 2, 2, 0, 2, 2, 2, 2, 0};
  AHAL_REQUIRE(sim.launch("ahal.builtin.pool2d_nhwc_f32", {whole(A), whole(C)}, p));
  p.mode = 2;
  CHECK(sim.launch("ahal.builtin.pool2d_nhwc_f32", {whole(A), whole(C)}, p) ==
        AHAL_ERROR_INVALID_ARGUMENT);
  p.mode = 0;
  p.ext_h = 3;  // the third window would start at row 4 of 4
  CHECK(sim.launch("ahal.builtin.pool2d_nhwc_f32", {whole(A), whole(C)}, p) ==
        AHAL_ERROR_INVALID_ARGUMENT);
  CHECK(sim.launch("ahal.builtin.add_relu_f32", {whole(A), whole(B), whole(C)}, uint32_t{65}) ==
        AHAL_ERROR_OUT_OF_RANGE);
  AHAL_REQUIRE(ahal_stream_synchronize(sim.stream));

  for (const char* name : {"ahal.builtin.conv2d_nhwc_f32", "ahal.builtin.depthwise_conv2d_nhwc_f32",
                           "ahal.builtin.pool2d_nhwc_f32", "ahal.builtin.add_relu_f32"}) {
    INFO(name);
    ahal_kernel_attributes_t attributes{};
    attributes.struct_size = sizeof(attributes);
    AHAL_REQUIRE(ahal_kernel_get_attributes(sim.builtin(name), &attributes));
    CHECK(attributes.has_metadata == 1);
  }
}

// The built-in operators, through the public API, against host references
// computed in double.
#include "sim_fixture.hpp"

#include <cmath>
#include <cstring>
#include <limits>

namespace {

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

void check_close(const std::vector<float>& got, const std::vector<double>& want, double tolerance) {
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    INFO("element " << i);
    REQUIRE(std::abs(got[i] - want[i]) <= tolerance * (1.0 + std::abs(want[i])));
  }
}

}  // namespace

TEST_CASE("elementwise_add_f32 adds", "[builtin]") {
  Sim sim;
  for (uint32_t n : {1u, 1000u, 1u << 18}) {
    auto a = pseudo_random(n, 1), b = pseudo_random(n, 2);
    ahal_buffer_t A = sim.upload(a), B = sim.upload(b), C = sim.buffer(n * 4);
    AHAL_REQUIRE(sim.launch("ahal.builtin.elementwise_add_f32", {whole(A), whole(B), whole(C)},
                            AddConstants{n}));
    std::vector<double> want(n);
    for (uint32_t i = 0; i < n; ++i) want[i] = double(a[i]) + b[i];
    check_close(sim.download(C, n), want, 1e-6);
  }
}

TEST_CASE("gemm_f32 computes alpha*A*B + beta*C", "[builtin]") {
  Sim sim;
  struct Shape {
    uint32_t M, N, K;
    float alpha, beta;
  };
  for (Shape s : {Shape{1, 1, 1, 1.0f, 0.0f}, Shape{17, 5, 33, 1.0f, 0.0f},
                  Shape{5, 64, 3, 0.5f, 2.0f}, Shape{64, 48, 128, -1.5f, 0.25f}}) {
    INFO("M=" << s.M << " N=" << s.N << " K=" << s.K);
    auto a = pseudo_random(size_t{s.M} * s.K, 3), b = pseudo_random(size_t{s.K} * s.N, 4),
         c = pseudo_random(size_t{s.M} * s.N, 5);
    ahal_buffer_t A = sim.upload(a), B = sim.upload(b), C = sim.upload(c);
    AHAL_REQUIRE(sim.launch("ahal.builtin.gemm_f32", {whole(A), whole(B), whole(C)},
                            GemmConstants{s.M, s.N, s.K, s.alpha, s.beta}));
    std::vector<double> want(size_t{s.M} * s.N);
    for (uint32_t i = 0; i < s.M; ++i) {
      for (uint32_t j = 0; j < s.N; ++j) {
        double sum = 0;
        for (uint32_t k = 0; k < s.K; ++k) sum += double(a[i * s.K + k]) * b[k * s.N + j];
        want[i * s.N + j] = s.alpha * sum + s.beta * double(c[i * s.N + j]);
      }
    }
    check_close(sim.download(C, want.size()), want, 1e-4);
  }
}

TEST_CASE("gemm_f32 with beta = 0 does not read C", "[builtin]") {
  Sim sim;
  auto a = pseudo_random(4 * 3, 6), b = pseudo_random(3 * 2, 7);
  ahal_buffer_t A = sim.upload(a), B = sim.upload(b), C = sim.buffer(4 * 2 * 4);
  uint32_t nan_bits = 0x7fc00000;  // C holds NaNs: stale device memory
  AHAL_REQUIRE(ahal_stream_fill(sim.stream, C, 0, 4 * 2 * 4, &nan_bits, 4));
  AHAL_REQUIRE(sim.launch("ahal.builtin.gemm_f32", {whole(A), whole(B), whole(C)},
                          GemmConstants{4, 2, 3, 1.0f, 0.0f}));
  for (float v : sim.download(C, 8)) CHECK(std::isfinite(v));
}

TEST_CASE("conv2d_f32 is an NCHW cross-correlation with stride and zero padding", "[builtin]") {
  Sim sim;
  for (Conv2dConstants c : {Conv2dConstants{1, 1, 5, 5, 1, 3, 3, 1, 1, 0, 0},
                            Conv2dConstants{2, 3, 9, 7, 4, 3, 3, 2, 2, 1, 1},
                            Conv2dConstants{1, 2, 8, 11, 3, 5, 2, 3, 1, 2, 0},
                            Conv2dConstants{3, 4, 6, 6, 2, 1, 1, 1, 2, 0, 1}}) {
    uint32_t P = (c.H + 2 * c.pad_h - c.R) / c.stride_h + 1;
    uint32_t Q = (c.W + 2 * c.pad_w - c.S) / c.stride_w + 1;
    INFO("N=" << c.N << " C=" << c.C << " H=" << c.H << " W=" << c.W << " K=" << c.K << " R=" << c.R
              << " S=" << c.S << " stride=" << c.stride_h << "," << c.stride_w << " pad=" << c.pad_h
              << "," << c.pad_w);
    auto in = pseudo_random(size_t{c.N} * c.C * c.H * c.W, 8);
    auto filter = pseudo_random(size_t{c.K} * c.C * c.R * c.S, 9);
    size_t out_count = size_t{c.N} * c.K * P * Q;
    ahal_buffer_t In = sim.upload(in), F = sim.upload(filter), Out = sim.buffer(out_count * 4);
    AHAL_REQUIRE(sim.launch("ahal.builtin.conv2d_f32", {whole(In), whole(F), whole(Out)}, c));

    std::vector<double> want(out_count, 0.0);
    for (uint32_t n = 0; n < c.N; ++n)
      for (uint32_t k = 0; k < c.K; ++k)
        for (uint32_t p = 0; p < P; ++p)
          for (uint32_t q = 0; q < Q; ++q) {
            double sum = 0;
            for (uint32_t ch = 0; ch < c.C; ++ch)
              for (uint32_t r = 0; r < c.R; ++r)
                for (uint32_t s = 0; s < c.S; ++s) {
                  int y = int(p * c.stride_h + r) - int(c.pad_h);
                  int x = int(q * c.stride_w + s) - int(c.pad_w);
                  if (y < 0 || y >= int(c.H) || x < 0 || x >= int(c.W)) continue;
                  sum += double(in[((n * c.C + ch) * c.H + y) * c.W + x]) *
                         filter[((k * c.C + ch) * c.R + r) * c.S + s];
                }
            want[((n * c.K + k) * P + p) * Q + q] = sum;
          }
    check_close(sim.download(Out, out_count), want, 1e-5);
  }
}

TEST_CASE("softmax_f32 normalizes each row, stably", "[builtin]") {
  Sim sim;
  for (SoftmaxConstants c :
       {SoftmaxConstants{1, 1}, SoftmaxConstants{7, 10}, SoftmaxConstants{3, 1000}}) {
    auto in = pseudo_random(size_t{c.rows} * c.cols, 10);
    for (float& v : in) v *= 100.0f;  // exp() of these overflows without the max shift
    ahal_buffer_t In = sim.upload(in), Out = sim.buffer(in.size() * 4);
    AHAL_REQUIRE(sim.launch("ahal.builtin.softmax_f32", {whole(In), whole(Out)}, c));
    std::vector<double> want(in.size());
    for (uint32_t r = 0; r < c.rows; ++r) {
      double max = -std::numeric_limits<double>::infinity(), sum = 0;
      for (uint32_t j = 0; j < c.cols; ++j) max = std::max(max, double(in[r * c.cols + j]));
      for (uint32_t j = 0; j < c.cols; ++j) sum += std::exp(in[r * c.cols + j] - max);
      for (uint32_t j = 0; j < c.cols; ++j)
        want[r * c.cols + j] = std::exp(in[r * c.cols + j] - max) / sum;
    }
    check_close(sim.download(Out, in.size()), want, 1e-5);
  }
}

TEST_CASE("a binding too small for the shapes is OUT_OF_RANGE and nothing runs", "[builtin]") {
  Sim sim;
  std::vector<float> a(16, 1.0f), b(16, 2.0f);
  ahal_buffer_t A = sim.upload(a), B = sim.upload(b), C = sim.buffer(16 * 4);
  uint32_t marker = 0x12345678;
  AHAL_REQUIRE(ahal_stream_fill(sim.stream, C, 0, 16 * 4, &marker, 4));

  CHECK(sim.launch("ahal.builtin.elementwise_add_f32", {whole(A), whole(B), whole(C)},
                   AddConstants{17}) == AHAL_ERROR_OUT_OF_RANGE);
  CHECK(std::string(ahal_last_error_message()).find("binding") != std::string::npos);
  // gemm 4x4x4 needs 64 bytes per binding; the view of C holds 32.
  CHECK(sim.launch("ahal.builtin.gemm_f32", {whole(A), whole(B), {C, 0, 32}},
                   GemmConstants{4, 4, 4, 1.0f, 0.0f}) == AHAL_ERROR_OUT_OF_RANGE);
  // conv 1x1x5x5 with a 3x3 filter needs 9 floats of filter.
  CHECK(sim.launch("ahal.builtin.conv2d_f32", {whole(A), {B, 0, 32}, whole(C)},
                   Conv2dConstants{1, 1, 4, 4, 1, 3, 3, 1, 1, 0, 0}) == AHAL_ERROR_OUT_OF_RANGE);
  CHECK(sim.launch("ahal.builtin.softmax_f32", {{A, 0, 60}, whole(C)}, SoftmaxConstants{4, 4}) ==
        AHAL_ERROR_OUT_OF_RANGE);

  uint32_t words[16];
  AHAL_REQUIRE(ahal_stream_copy_d2h(sim.stream, C, 0, words, sizeof(words)));
  AHAL_REQUIRE(ahal_stream_synchronize(sim.stream));
  for (uint32_t w : words) REQUIRE(w == marker);
}

TEST_CASE("built-ins: metadata, unknown names, no general modules", "[builtin]") {
  Sim sim;
  struct Expected {
    const char* name;
    uint32_t bindings, constants;
  };
  for (Expected e :
       {Expected{"ahal.builtin.elementwise_add_f32", 3, 4},
        Expected{"ahal.builtin.gemm_f32", 3, 20}, Expected{"ahal.builtin.conv2d_f32", 3, 44},
        Expected{"ahal.builtin.softmax_f32", 2, 8}}) {
    INFO(e.name);
    ahal_kernel_attributes_t attributes{};
    attributes.struct_size = sizeof(attributes);
    AHAL_REQUIRE(ahal_kernel_get_attributes(sim.builtin(e.name), &attributes));
    CHECK(attributes.has_metadata == 1);
    CHECK(attributes.binding_count == e.bindings);
    CHECK(attributes.constants_size == e.constants);
    ahal_kernel_t again = nullptr;
    AHAL_REQUIRE(ahal_kernel_get_builtin(sim.device, e.name, &again));
    CHECK(again == sim.builtin(e.name));
  }
  ahal_kernel_t kernel = nullptr;
  CHECK(ahal_kernel_get_builtin(sim.device, "ahal.builtin.relu_f32", &kernel) ==
        AHAL_ERROR_NOT_FOUND);
  CHECK(std::string(ahal_last_error_message()).find("gemm_f32") != std::string::npos);

  const char source[] = "__kernel void k() {}";
  ahal_module_args_t args{};
  args.struct_size = sizeof(args);
  args.format = AHAL_MODULE_FORMAT_OPENCL_C;
  args.data = source;
  args.data_size = sizeof(source);
  ahal_module_t module = nullptr;
  CHECK(ahal_module_create(sim.device, &args, &module) == AHAL_ERROR_UNSUPPORTED);
}

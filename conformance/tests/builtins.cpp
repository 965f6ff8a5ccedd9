// builtins: the built-in kernels of docs/builtins.md against host
// references. A device that lacks one answers NOT_FOUND or UNSUPPORTED and
// that test is skipped.
#include "harness.hpp"

#include <algorithm>
#include <cmath>

namespace {

using namespace conform;

const uint64_t kNeeds = AHAL_FEATURE_BUILTIN_KERNELS;

ahal_kernel_t builtin(Context& ctx, const char* name, uint32_t bindings, uint32_t constants) {
  ahal_kernel_t k = nullptr;
  ahal_status_t s = ahal_kernel_get_builtin(ctx.device(), name, &k);
  if (s == AHAL_ERROR_NOT_FOUND || s == AHAL_ERROR_UNSUPPORTED)
    skip("the device does not offer %s (%s)", name, ahal_status_string(s));
  CHECK_OK(s);
  ahal_kernel_attributes_t a{};
  a.struct_size = sizeof(a);
  CHECK_OK(ahal_kernel_get_attributes(k, &a));
  REQUIRE(a.has_metadata == 1 && a.binding_count == bindings && a.constants_size == constants,
          "%s: has_metadata %u, bindings %u, constants %u; docs/builtins.md says %u, %u", name,
          a.has_metadata, a.binding_count, a.constants_size, bindings, constants);
  ahal_kernel_t again = nullptr;
  CHECK_OK(ahal_kernel_get_builtin(ctx.device(), name, &again));
  REQUIRE(again == k, "%s: two lookups gave different handles", name);
  return k;
}

// Launches a built-in (grid and workgroup {1,1,1}, docs/builtins.md).
ahal_status_t run(ahal_stream_t s, ahal_kernel_t k, std::initializer_list<ahal_binding_t> b,
                  const void* c, uint32_t size) {
  return launch(s, k, {1}, {1}, b, c, size);
}

void expect_all_near(const std::vector<float>& got, const std::vector<float>& want, double tol,
                     const char* what) {
  for (size_t i = 0; i < want.size(); ++i) expect_near(got[i], want[i], tol, what, i);
}

// A too-small output binding is refused with OUT_OF_RANGE and runs nothing.
void check_small_output(Context& ctx, ahal_stream_t s, ahal_kernel_t k,
                        std::vector<ahal_binding_t> bindings, uint64_t out_bytes, const void* c,
                        uint32_t size) {
  Buffer small = ctx.buffer(out_bytes - 4);
  ctx.fill_bytes(small, 0, out_bytes - 4, 0x5a);
  bindings.back() = bind(small);
  ahal_launch_args_t args{};
  args.struct_size = sizeof(args);
  args.grid[0] = args.grid[1] = args.grid[2] = 1;
  args.workgroup_size[0] = args.workgroup_size[1] = args.workgroup_size[2] = 1;
  args.binding_count = static_cast<uint32_t>(bindings.size());
  args.bindings = bindings.data();
  args.constants = c;
  args.constants_size = size;
  CHECK_STATUS(ahal_stream_launch(s, k, &args), AHAL_ERROR_OUT_OF_RANGE);
  CHECK_OK(ahal_stream_synchronize(s));
  std::vector<uint8_t> want(out_bytes - 4, 0x5a);
  expect_bytes(ctx.read(small, 0, out_bytes - 4).data(), want.data(), want.size(),
               "too-small output after a refused launch");
}

CONFORM_TEST(elementwise_add, "builtins.elementwise_add_f32", core, kNeeds) {
  ahal_kernel_t k = builtin(ctx, "ahal.builtin.elementwise_add_f32", 3, 4);
  Rng rng(ctx.seed());
  const uint32_t n = 10000;
  std::vector<float> a = rng.floats(n, -3, 3), b = rng.floats(n, -3, 3), want(n);
  for (uint32_t i = 0; i < n; ++i) want[i] = a[i] + b[i];
  Buffer ba = ctx.buffer(n * 4), bb = ctx.buffer(n * 4), bc = ctx.buffer(n * 4);
  ctx.write(ba, a);
  ctx.write(bb, b);
  Stream s = ctx.stream();
  CHECK_OK(run(s, k, {bind(ba), bind(bb), bind(bc)}, &n, 4));
  CHECK_OK(ahal_stream_synchronize(s));
  expect_all_near(ctx.read_as<float>(bc, n), want, 1e-6, "c");
  check_small_output(ctx, s, k, {bind(ba), bind(bb), bind(bc)}, n * 4, &n, 4);
}

CONFORM_TEST(gemm, "builtins.gemm_f32", core, kNeeds) {
  ahal_kernel_t k = builtin(ctx, "ahal.builtin.gemm_f32", 3, 20);
  struct {
    uint32_t M, N, K;
    float alpha, beta;
  } c{37, 29, 53, 1.5f, -0.5f};
  Rng rng(ctx.seed());
  std::vector<float> A = rng.floats(c.M * c.K, -1, 1), B = rng.floats(c.K * c.N, -1, 1),
                     C = rng.floats(c.M * c.N, -1, 1), want(c.M * c.N);
  for (uint32_t i = 0; i < c.M; ++i)
    for (uint32_t j = 0; j < c.N; ++j) {
      double acc = 0;
      for (uint32_t p = 0; p < c.K; ++p) acc += double{A[i * c.K + p]} * B[p * c.N + j];
      want[i * c.N + j] = static_cast<float>(c.alpha * acc + c.beta * C[i * c.N + j]);
    }
  Buffer ba = ctx.buffer(A.size() * 4), bb = ctx.buffer(B.size() * 4),
         bc = ctx.buffer(C.size() * 4);
  ctx.write(ba, A);
  ctx.write(bb, B);
  ctx.write(bc, C);
  Stream s = ctx.stream();
  CHECK_OK(run(s, k, {bind(ba), bind(bb), bind(bc)}, &c, sizeof(c)));
  CHECK_OK(ahal_stream_synchronize(s));
  expect_all_near(ctx.read_as<float>(bc, C.size()), want, 1e-4, "C");
  check_small_output(ctx, s, k, {bind(ba), bind(bb), bind(bc)}, C.size() * 4, &c, sizeof(c));
}

CONFORM_TEST(conv2d, "builtins.conv2d_f32", core, kNeeds) {
  ahal_kernel_t k = builtin(ctx, "ahal.builtin.conv2d_f32", 3, 44);
  struct {
    uint32_t N, C, H, W, K, R, S, stride_h, stride_w, pad_h, pad_w;
  } c{2, 3, 11, 13, 4, 3, 3, 2, 1, 1, 0};
  const uint32_t P = (c.H + 2 * c.pad_h - c.R) / c.stride_h + 1;
  const uint32_t Q = (c.W + 2 * c.pad_w - c.S) / c.stride_w + 1;
  Rng rng(ctx.seed());
  std::vector<float> in = rng.floats(c.N * c.C * c.H * c.W, -1, 1),
                     filter = rng.floats(c.K * c.C * c.R * c.S, -1, 1), want(c.N * c.K * P * Q);
  for (uint32_t n = 0; n < c.N; ++n)
    for (uint32_t kk = 0; kk < c.K; ++kk)
      for (uint32_t p = 0; p < P; ++p)
        for (uint32_t q = 0; q < Q; ++q) {
          double acc = 0;
          for (uint32_t ch = 0; ch < c.C; ++ch)
            for (uint32_t r = 0; r < c.R; ++r)
              for (uint32_t s = 0; s < c.S; ++s) {
                int y = static_cast<int>(p * c.stride_h + r) - static_cast<int>(c.pad_h);
                int x = static_cast<int>(q * c.stride_w + s) - static_cast<int>(c.pad_w);
                if (y < 0 || x < 0 || y >= static_cast<int>(c.H) || x >= static_cast<int>(c.W))
                  continue;
                acc += double{in[((n * c.C + ch) * c.H + y) * c.W + x]} *
                       filter[((kk * c.C + ch) * c.R + r) * c.S + s];
              }
          want[((n * c.K + kk) * P + p) * Q + q] = static_cast<float>(acc);
        }
  Buffer bi = ctx.buffer(in.size() * 4), bf = ctx.buffer(filter.size() * 4),
         bo = ctx.buffer(want.size() * 4);
  ctx.write(bi, in);
  ctx.write(bf, filter);
  Stream s = ctx.stream();
  CHECK_OK(run(s, k, {bind(bi), bind(bf), bind(bo)}, &c, sizeof(c)));
  CHECK_OK(ahal_stream_synchronize(s));
  expect_all_near(ctx.read_as<float>(bo, want.size()), want, 1e-4, "out");
  check_small_output(ctx, s, k, {bind(bi), bind(bf), bind(bo)}, want.size() * 4, &c, sizeof(c));
}

CONFORM_TEST(softmax, "builtins.softmax_f32", core, kNeeds) {
  ahal_kernel_t k = builtin(ctx, "ahal.builtin.softmax_f32", 2, 8);
  struct {
    uint32_t rows, cols;
  } c{7, 100};
  Rng rng(ctx.seed());
  // Large values: a softmax without the max shift overflows.
  std::vector<float> in = rng.floats(c.rows * c.cols, -50, 100), want(in.size());
  for (uint32_t r = 0; r < c.rows; ++r) {
    const float* row = &in[r * c.cols];
    double m = *std::max_element(row, row + c.cols), sum = 0;
    for (uint32_t j = 0; j < c.cols; ++j) sum += std::exp(row[j] - m);
    for (uint32_t j = 0; j < c.cols; ++j)
      want[r * c.cols + j] = static_cast<float>(std::exp(row[j] - m) / sum);
  }
  Buffer bi = ctx.buffer(in.size() * 4), bo = ctx.buffer(in.size() * 4);
  ctx.write(bi, in);
  Stream s = ctx.stream();
  CHECK_OK(run(s, k, {bind(bi), bind(bo)}, &c, sizeof(c)));
  CHECK_OK(ahal_stream_synchronize(s));
  expect_all_near(ctx.read_as<float>(bo, in.size()), want, 1e-5, "out");
  check_small_output(ctx, s, k, {bind(bi), bind(bo)}, in.size() * 4, &c, sizeof(c));
}

CONFORM_TEST(unknown, "builtins.unknown", core, kNeeds) {
  ahal_kernel_t k = nullptr;
  CHECK_STATUS(ahal_kernel_get_builtin(ctx.device(), "ahal.builtin.no_such_operator", &k),
               AHAL_ERROR_NOT_FOUND);
}

CONFORM_TEST(not_offered, "builtins.not_offered", core, 0) {
  if (ctx.has(AHAL_FEATURE_BUILTIN_KERNELS)) skip("the device claims AHAL_FEATURE_BUILTIN_KERNELS");
  ahal_kernel_t k = nullptr;
  CHECK_STATUS(ahal_kernel_get_builtin(ctx.device(), "ahal.builtin.gemm_f32", &k),
               AHAL_ERROR_UNSUPPORTED, AHAL_ERROR_NOT_FOUND);
}

}  // namespace

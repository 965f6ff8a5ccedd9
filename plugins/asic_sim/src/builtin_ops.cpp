#include "builtin_ops.hpp"

#include "builtin_checks.hpp"
#include "builtin_nhwc_ops.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

namespace asic_sim {
namespace {

// Constants, laid out as docs/builtins.md gives them.
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

// ------------------------------------------------------ elementwise_add_f32

void check_add(const void* constants, const uint64_t* binding_bytes) {
  auto c = read_constants<AddConstants>(constants);
  uint64_t bytes = tensor_bytes({c.n});
  std::string shape = "elementwise_add_f32 with n=" + std::to_string(c.n);
  require_binding(binding_bytes, 0, "a", bytes, shape);
  require_binding(binding_bytes, 1, "b", bytes, shape);
  require_binding(binding_bytes, 2, "c", bytes, shape);
}

void run_add(const void* constants, float* const* bindings, WorkerPool& compute) {
  auto c = read_constants<AddConstants>(constants);
  const float* a = bindings[0];
  const float* b = bindings[1];
  float* out = bindings[2];
  compute.parallel_for(c.n, [&](uint64_t begin, uint64_t end) {
    for (uint64_t i = begin; i < end; ++i) out[i] = a[i] + b[i];
  });
}

// ------------------------------------------------------------------ gemm_f32

void check_gemm(const void* constants, const uint64_t* binding_bytes) {
  auto c = read_constants<GemmConstants>(constants);
  std::string shape = "gemm_f32 with M=" + std::to_string(c.M) + " N=" + std::to_string(c.N) +
                      " K=" + std::to_string(c.K);
  require_binding(binding_bytes, 0, "A, M*K floats", tensor_bytes({c.M, c.K}), shape);
  require_binding(binding_bytes, 1, "B, K*N floats", tensor_bytes({c.K, c.N}), shape);
  require_binding(binding_bytes, 2, "C, M*N floats", tensor_bytes({c.M, c.N}), shape);
}

void run_gemm(const void* constants, float* const* bindings, WorkerPool& compute) {
  auto c = read_constants<GemmConstants>(constants);
  const float* A = bindings[0];
  const float* B = bindings[1];
  float* C = bindings[2];
  // Each part computes whole rows of C; the i-k-j order streams rows of B.
  compute.parallel_for(c.M, [&](uint64_t row_begin, uint64_t row_end) {
    std::vector<float> acc(c.N);
    for (uint64_t i = row_begin; i < row_end; ++i) {
      std::fill(acc.begin(), acc.end(), 0.0f);
      for (uint64_t k = 0; k < c.K; ++k) {
        float a = A[i * c.K + k];
        const float* b_row = B + k * c.N;
        for (uint64_t j = 0; j < c.N; ++j) acc[j] += a * b_row[j];
      }
      float* c_row = C + i * c.N;
      // As in BLAS, beta == 0 does not read C, so stale NaNs do not leak in.
      for (uint64_t j = 0; j < c.N; ++j) {
        c_row[j] = c.beta == 0.0f ? c.alpha * acc[j] : c.alpha * acc[j] + c.beta * c_row[j];
      }
    }
  });
}

// ---------------------------------------------------------------- conv2d_f32

// Output height or width: (in + 2*pad - filter) / stride + 1.
uint64_t conv_output_extent(const char* axis, uint32_t in, uint32_t pad, uint32_t filter,
                            uint32_t stride) {
  if (stride == 0) {
    throw Failure(AHAL_ERROR_INVALID_ARGUMENT, std::string("conv2d_f32: stride_") + axis + " is 0");
  }
  uint64_t padded = uint64_t{in} + 2 * uint64_t{pad};
  if (filter == 0 || filter > padded) {
    throw Failure(AHAL_ERROR_INVALID_ARGUMENT,
                  std::string("conv2d_f32: filter extent ") + std::to_string(filter) + " along " +
                      axis + " must be 1.." + std::to_string(padded) + " (the padded input)");
  }
  return (padded - filter) / stride + 1;
}

void check_conv2d(const void* constants, const uint64_t* binding_bytes) {
  auto c = read_constants<Conv2dConstants>(constants);
  uint64_t P = conv_output_extent("h", c.H, c.pad_h, c.R, c.stride_h);
  uint64_t Q = conv_output_extent("w", c.W, c.pad_w, c.S, c.stride_w);
  std::string shape = "conv2d_f32 with N=" + std::to_string(c.N) + " C=" + std::to_string(c.C) +
                      " H=" + std::to_string(c.H) + " W=" + std::to_string(c.W) +
                      " K=" + std::to_string(c.K) + " R=" + std::to_string(c.R) +
                      " S=" + std::to_string(c.S);
  require_binding(binding_bytes, 0, "in, N*C*H*W floats", tensor_bytes({c.N, c.C, c.H, c.W}),
                  shape);
  require_binding(binding_bytes, 1, "filter, K*C*R*S floats", tensor_bytes({c.K, c.C, c.R, c.S}),
                  shape);
  require_binding(binding_bytes, 2, "out, N*K*P*Q floats", tensor_bytes({c.N, c.K, P, Q}), shape);
}

void run_conv2d(const void* constants, float* const* bindings, WorkerPool& compute) {
  auto c = read_constants<Conv2dConstants>(constants);
  const float* in = bindings[0];
  const float* filter = bindings[1];
  float* out = bindings[2];
  const int64_t H = c.H, W = c.W, R = c.R, S = c.S;
  const int64_t P = (H + 2 * int64_t{c.pad_h} - R) / c.stride_h + 1;
  const int64_t Q = (W + 2 * int64_t{c.pad_w} - S) / c.stride_w + 1;
  // One part per range of (image, output channel) planes.
  compute.parallel_for(uint64_t{c.N} * c.K, [&](uint64_t plane_begin, uint64_t plane_end) {
    for (uint64_t plane = plane_begin; plane < plane_end; ++plane) {
      uint64_t n = plane / c.K;
      uint64_t k = plane % c.K;
      float* out_plane = out + plane * P * Q;
      for (int64_t p = 0; p < P; ++p) {
        for (int64_t q = 0; q < Q; ++q) {
          float sum = 0.0f;
          for (uint64_t ch = 0; ch < c.C; ++ch) {
            const float* in_plane = in + (n * c.C + ch) * H * W;
            const float* f = filter + (k * c.C + ch) * R * S;
            for (int64_t r = 0; r < R; ++r) {
              int64_t y = p * c.stride_h + r - c.pad_h;
              if (y < 0 || y >= H) continue;  // zero padding
              for (int64_t s = 0; s < S; ++s) {
                int64_t x = q * c.stride_w + s - c.pad_w;
                if (x < 0 || x >= W) continue;
                sum += in_plane[y * W + x] * f[r * S + s];
              }
            }
          }
          out_plane[p * Q + q] = sum;
        }
      }
    }
  });
}

// --------------------------------------------------------------- softmax_f32

void check_softmax(const void* constants, const uint64_t* binding_bytes) {
  auto c = read_constants<SoftmaxConstants>(constants);
  uint64_t bytes = tensor_bytes({c.rows, c.cols});
  std::string shape =
      "softmax_f32 with rows=" + std::to_string(c.rows) + " cols=" + std::to_string(c.cols);
  require_binding(binding_bytes, 0, "in, rows*cols floats", bytes, shape);
  require_binding(binding_bytes, 1, "out, rows*cols floats", bytes, shape);
}

void run_softmax(const void* constants, float* const* bindings, WorkerPool& compute) {
  auto c = read_constants<SoftmaxConstants>(constants);
  const float* in = bindings[0];
  float* out = bindings[1];
  compute.parallel_for(c.rows, [&](uint64_t row_begin, uint64_t row_end) {
    for (uint64_t row = row_begin; row < row_end; ++row) {
      const float* x = in + row * c.cols;
      float* y = out + row * c.cols;
      float max = -std::numeric_limits<float>::infinity();
      for (uint32_t j = 0; j < c.cols; ++j) max = std::max(max, x[j]);
      float sum = 0.0f;
      for (uint32_t j = 0; j < c.cols; ++j) {
        y[j] = std::exp(x[j] - max);  // in place (y == x) works too
        sum += y[j];
      }
      for (uint32_t j = 0; j < c.cols; ++j) y[j] /= sum;
    }
  });
}

const BuiltinOperator kOperators[kBuiltinOperatorCount] = {
    {"ahal.builtin.elementwise_add_f32", 3, sizeof(AddConstants), check_add, run_add},
    {"ahal.builtin.gemm_f32", 3, sizeof(GemmConstants), check_gemm, run_gemm},
    {"ahal.builtin.conv2d_f32", 3, sizeof(Conv2dConstants), check_conv2d, run_conv2d},
    {"ahal.builtin.softmax_f32", 2, sizeof(SoftmaxConstants), check_softmax, run_softmax},
    {"ahal.builtin.conv2d_nhwc_f32", 5, kConv2dNhwcConstantsSize, check_conv2d_nhwc,
     run_conv2d_nhwc},
    {"ahal.builtin.depthwise_conv2d_nhwc_f32", 5, kConv2dNhwcConstantsSize,
     check_depthwise_conv2d_nhwc, run_depthwise_conv2d_nhwc},
    {"ahal.builtin.pool2d_nhwc_f32", 2, kPool2dNhwcConstantsSize, check_pool2d_nhwc,
     run_pool2d_nhwc},
    {"ahal.builtin.add_relu_f32", 3, kAddReluConstantsSize, check_add_relu, run_add_relu},
};

}  // namespace

const BuiltinOperator* builtin_operators() { return kOperators; }

}  // namespace asic_sim

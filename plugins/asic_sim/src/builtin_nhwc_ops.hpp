// The NHWC operators of a convolutional network, as an inference NPU offers
// them fixed-function (docs/builtins.md): convolution and depthwise
// convolution with bias, residual add and activation fused; max/average
// pooling; add + ReLU. Tensors are
// NHWC floats inside a zero frame of `border` pixels per image.
#pragma once

#include "worker_pool.hpp"

#include <cstdint>

namespace asic_sim {

void check_conv2d_nhwc(const void* constants, const uint64_t* binding_bytes);
void run_conv2d_nhwc(const void* constants, float* const* bindings, WorkerPool& compute);
void check_depthwise_conv2d_nhwc(const void* constants, const uint64_t* binding_bytes);
void run_depthwise_conv2d_nhwc(const void* constants, float* const* bindings, WorkerPool& compute);
void check_pool2d_nhwc(const void* constants, const uint64_t* binding_bytes);
void run_pool2d_nhwc(const void* constants, float* const* bindings, WorkerPool& compute);
void check_add_relu(const void* constants, const uint64_t* binding_bytes);
void run_add_relu(const void* constants, float* const* bindings, WorkerPool& compute);

// Constants sizes (docs/builtins.md gives the fields).
constexpr uint32_t kConv2dNhwcConstantsSize = 72;
constexpr uint32_t kPool2dNhwcConstantsSize = 56;
constexpr uint32_t kAddReluConstantsSize = 4;

}  // namespace asic_sim

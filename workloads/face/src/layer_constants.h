/* Constants of the face layers, laid out as kernels/face.cl, the GLSL
 * shaders (kernels/conv2d.comp, ...) and asic_sim's built-in operators
 * (docs/builtins.md) read them: 4-byte fields, no padding. */
#ifndef AHAL_FACE_LAYER_CONSTANTS_H_
#define AHAL_FACE_LAYER_CONSTANTS_H_

#include <stdint.h>

#define FACE_RELU 1u
#define FACE_RESIDUAL 2u
#define FACE_LEAKY 4u

/* NHWC tensors with a zero frame of `border` pixels around each image. */
typedef struct face_conv_constants {
  uint32_t batch;
  uint32_t in_h, in_w, in_c, in_border;
  uint32_t out_h, out_w, out_c, out_border;
  uint32_t res_border;
  uint32_t ext_h, ext_w; /* the computed part of the output */
  uint32_t filter_h, filter_w, stride, pad;
  uint32_t flags;
  uint32_t reserved;
} face_conv_constants;

typedef struct face_pool_constants {
  uint32_t batch;
  uint32_t in_h, in_w, in_c, in_border;
  uint32_t out_h, out_w, out_c, out_border;
  uint32_t ext_h, ext_w;
  uint32_t window, stride;
  uint32_t mode; /* 0 max, 1 average */
} face_pool_constants;

typedef struct face_add_constants {
  uint32_t n;
} face_add_constants;

typedef struct face_gemm_constants {
  uint32_t m, n, k;
} face_gemm_constants;

#ifdef __cplusplus
static_assert(sizeof(face_conv_constants) == 72, "layout shared with the kernels");
static_assert(sizeof(face_pool_constants) == 56, "layout shared with the kernels");
#endif

#endif /* AHAL_FACE_LAYER_CONSTANTS_H_ */

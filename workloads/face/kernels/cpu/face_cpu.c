/* INTERIM, until the single-source toolchain (issue 15, ahal-kernelc and
 * ahal_add_kernel_bundle) lands: ../face.cl compiled for the host as C, so
 * that cpu:0 runs the same kernel source as every other device. The prelude
 * below gives the few OpenCL C built-ins face.cl uses; each kernel loops
 * over its workgroup's work-items (face.cl has no barriers). This file is
 * compiled once per instruction set (FACE_VARIANT names the functions:
 * face_conv2d_v4, ...); face_cpu_dispatch.c exports the kernels and calls
 * the best variant the CPU runs. Delete this folder once the kernels
 * bundle comes from ahal_add_kernel_bundle. */
#include <ahal/cpu_kernel.h>

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef uint32_t uint;
typedef float float16 __attribute__((ext_vector_type(16)));
typedef float float16_unaligned __attribute__((ext_vector_type(16), aligned(4)));

#define __kernel static
#define __global
#define OVERLOAD static inline __attribute__((overloadable, always_inline))

/* The work-item being run: set by the wrappers, read by get_global_id. */
static __thread size_t face_global_id[3];
#define get_global_id(d) face_global_id[d]

OVERLOAD float16 vload16(size_t o, const float* p) {
  return *(const float16_unaligned*)(p + 16 * o);
}
OVERLOAD void vstore16(float16 v, size_t o, float* p) { *(float16_unaligned*)(p + 16 * o) = v; }
/* Contracted into one FMA instruction where the variant's target has one. */
OVERLOAD float16 fma(float16 a, float16 b, float16 c) { return a * b + c; }
OVERLOAD float fma(float a, float b, float c) { return __builtin_fmaf(a, b, c); }
OVERLOAD float16 fmax(float16 a, float16 b) { return __builtin_elementwise_max(a, b); }
OVERLOAD float fmax(float a, float b) { return __builtin_fmaxf(a, b); }
OVERLOAD uint min(uint a, uint b) { return a < b ? a : b; }

/* face.cl's kernels, renamed: the variant entries below take the names. */
#define face_conv2d cl_face_conv2d
#define face_depthwise2d cl_face_depthwise2d
#define face_pool2d cl_face_pool2d
#define face_add_relu cl_face_add_relu
#define face_gemm cl_face_gemm
#include "../face.cl"
#undef face_conv2d
#undef face_depthwise2d
#undef face_pool2d
#undef face_add_relu
#undef face_gemm

/* Runs body once per work-item of the dispatch's workgroup. */
#define FACE_FOR_ITEMS(d, body)                                                        \
  for (uint z = 0; z < (d)->workgroup_size[2]; ++z)                                    \
    for (uint y = 0; y < (d)->workgroup_size[1]; ++y)                                  \
      for (uint x = 0; x < (d)->workgroup_size[0]; ++x) {                              \
        face_global_id[0] = (size_t)(d)->workgroup_id[0] * (d)->workgroup_size[0] + x; \
        face_global_id[1] = (size_t)(d)->workgroup_id[1] * (d)->workgroup_size[1] + y; \
        face_global_id[2] = (size_t)(d)->workgroup_id[2] * (d)->workgroup_size[2] + z; \
        body;                                                                          \
      }

#define FACE_BINDING(d, i) ((float*)(d)->bindings[i])

#define FACE_CONSTANTS(type, d, k) \
  type k;                          \
  memcpy(&k, (d)->constants, sizeof(k))

#define FACE_JOIN2(a, b) a##b
#define FACE_JOIN(a, b) FACE_JOIN2(a, b)
/* One variant's entry, e.g. face_conv2d_v4; hidden, face_cpu_dispatch.c
 * exports the kernel itself. */
#define FACE_VARIANT_KERNEL(name) void FACE_JOIN(name, FACE_VARIANT)(const ahal_cpu_dispatch_t* d)

FACE_VARIANT_KERNEL(face_conv2d) {
  FACE_CONSTANTS(face_conv_constants, d, k);
  FACE_FOR_ITEMS(d, cl_face_conv2d(FACE_BINDING(d, 0), FACE_BINDING(d, 1), FACE_BINDING(d, 2),
                                   FACE_BINDING(d, 3), FACE_BINDING(d, 4), k))
}

FACE_VARIANT_KERNEL(face_depthwise2d) {
  FACE_CONSTANTS(face_conv_constants, d, k);
  FACE_FOR_ITEMS(d, cl_face_depthwise2d(FACE_BINDING(d, 0), FACE_BINDING(d, 1), FACE_BINDING(d, 2),
                                        FACE_BINDING(d, 3), FACE_BINDING(d, 4), k))
}

FACE_VARIANT_KERNEL(face_pool2d) {
  FACE_CONSTANTS(face_pool_constants, d, k);
  FACE_FOR_ITEMS(d, cl_face_pool2d(FACE_BINDING(d, 0), FACE_BINDING(d, 1), k))
}

FACE_VARIANT_KERNEL(face_add_relu) {
  FACE_CONSTANTS(face_add_constants, d, k);
  FACE_FOR_ITEMS(d, cl_face_add_relu(FACE_BINDING(d, 0), FACE_BINDING(d, 1), FACE_BINDING(d, 2), k))
}

FACE_VARIANT_KERNEL(face_gemm) {
  FACE_CONSTANTS(face_gemm_constants, d, k);
  FACE_FOR_ITEMS(d, cl_face_gemm(FACE_BINDING(d, 0), FACE_BINDING(d, 1), FACE_BINDING(d, 2), k))
}

/* INTERIM (see face_cpu.c): exports the face kernels of the cpu-so ABI and
 * calls the variant of face_cpu.c built for the best instruction set this
 * CPU has: x86-64-v4 (AVX-512), x86-64-v3 (AVX2, FMA), or the baseline. */
#include <ahal/cpu_kernel.h>

#define FACE_KERNELS(X) \
  X(face_conv2d) X(face_depthwise2d) X(face_pool2d) X(face_add_relu) X(face_gemm)

#define FACE_DECLARE(name)                      \
  void name##_v4(const ahal_cpu_dispatch_t* d); \
  void name##_v3(const ahal_cpu_dispatch_t* d); \
  void name##_v1(const ahal_cpu_dispatch_t* d);
FACE_KERNELS(FACE_DECLARE)

/* 4, 3 or 1: the x86-64 level the kernels run at. */
static int face_level(void) {
  static int level = 0;
  if (level == 0) {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
        __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq")) {
      level = 4;
    } else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
      level = 3;
    } else {
      level = 1;
    }
  }
  return level;
}

#define FACE_EXPORT(name)                                             \
  AHAL_CPU_KERNEL(name) {                                             \
    const int level = face_level();                                   \
    (level == 4 ? name##_v4 : level == 3 ? name##_v3 : name##_v1)(d); \
  }
FACE_KERNELS(FACE_EXPORT)

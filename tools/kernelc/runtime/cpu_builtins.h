// cpu-so runtime: macros shared by the OpenCL C built-in libraries
// (cpu_math.cl, cpu_integer.cl, cpu_memory.cl). Each library defines
// built-ins that opencl-c.h declares, so clang gives the definitions the
// same mangled names as the kernels' calls. Vector forms are built from
// scalar ones half by half; once inlined, LLVM's SLP vectorizer turns the
// pieces back into vector instructions where the CPU has them.
#pragma once

#define AHAL_OVLD __attribute__((overloadable))

// M(T) for a scalar type and each of its vector types.
#define AHAL_ALL_WIDTHS(M, T) M(T) M(T##2) M(T##3) M(T##4) M(T##8) M(T##16)
// M(V, T) for each vector type V of the scalar type T.
#define AHAL_VEC_WIDTHS(M, T) M(T##2, T) M(T##3, T) M(T##4, T) M(T##8, T) M(T##16, T)

#define AHAL_FLOAT_TYPES(M) M(float) M(double)
#define AHAL_INT_TYPES(M) M(char) M(uchar) M(short) M(ushort) M(int) M(uint) M(long) M(ulong)

// Vector versions of a scalar function F with result element type R and
// argument element type T: unary, binary, ternary, and binary with an
// int second argument.
#define AHAL_VEC1(F, R, T)                                               \
  R##2 AHAL_OVLD F(T##2 x) { return (R##2)(F(x.s0), F(x.s1)); }          \
  R##3 AHAL_OVLD F(T##3 x) { return (R##3)(F(x.s0), F(x.s1), F(x.s2)); } \
  R##4 AHAL_OVLD F(T##4 x) { return (R##4)(F(x.lo), F(x.hi)); }          \
  R##8 AHAL_OVLD F(T##8 x) { return (R##8)(F(x.lo), F(x.hi)); }          \
  R##16 AHAL_OVLD F(T##16 x) { return (R##16)(F(x.lo), F(x.hi)); }

#define AHAL_VEC2(F, T)                                                                            \
  T##2 AHAL_OVLD F(T##2 x, T##2 y) { return (T##2)(F(x.s0, y.s0), F(x.s1, y.s1)); }                \
  T##3 AHAL_OVLD F(T##3 x, T##3 y) { return (T##3)(F(x.s0, y.s0), F(x.s1, y.s1), F(x.s2, y.s2)); } \
  T##4 AHAL_OVLD F(T##4 x, T##4 y) { return (T##4)(F(x.lo, y.lo), F(x.hi, y.hi)); }                \
  T##8 AHAL_OVLD F(T##8 x, T##8 y) { return (T##8)(F(x.lo, y.lo), F(x.hi, y.hi)); }                \
  T##16 AHAL_OVLD F(T##16 x, T##16 y) { return (T##16)(F(x.lo, y.lo), F(x.hi, y.hi)); }

#define AHAL_VEC2I(F, T)                                                                           \
  T##2 AHAL_OVLD F(T##2 x, int2 y) { return (T##2)(F(x.s0, y.s0), F(x.s1, y.s1)); }                \
  T##3 AHAL_OVLD F(T##3 x, int3 y) { return (T##3)(F(x.s0, y.s0), F(x.s1, y.s1), F(x.s2, y.s2)); } \
  T##4 AHAL_OVLD F(T##4 x, int4 y) { return (T##4)(F(x.lo, y.lo), F(x.hi, y.hi)); }                \
  T##8 AHAL_OVLD F(T##8 x, int8 y) { return (T##8)(F(x.lo, y.lo), F(x.hi, y.hi)); }                \
  T##16 AHAL_OVLD F(T##16 x, int16 y) { return (T##16)(F(x.lo, y.lo), F(x.hi, y.hi)); }

#define AHAL_VEC3(F, T)                                                           \
  T##2 AHAL_OVLD F(T##2 x, T##2 y, T##2 z) {                                      \
    return (T##2)(F(x.s0, y.s0, z.s0), F(x.s1, y.s1, z.s1));                      \
  }                                                                               \
  T##3 AHAL_OVLD F(T##3 x, T##3 y, T##3 z) {                                      \
    return (T##3)(F(x.s0, y.s0, z.s0), F(x.s1, y.s1, z.s1), F(x.s2, y.s2, z.s2)); \
  }                                                                               \
  T##4 AHAL_OVLD F(T##4 x, T##4 y, T##4 z) {                                      \
    return (T##4)(F(x.lo, y.lo, z.lo), F(x.hi, y.hi, z.hi));                      \
  }                                                                               \
  T##8 AHAL_OVLD F(T##8 x, T##8 y, T##8 z) {                                      \
    return (T##8)(F(x.lo, y.lo, z.lo), F(x.hi, y.hi, z.hi));                      \
  }                                                                               \
  T##16 AHAL_OVLD F(T##16 x, T##16 y, T##16 z) {                                  \
    return (T##16)(F(x.lo, y.lo, z.lo), F(x.hi, y.hi, z.hi));                     \
  }

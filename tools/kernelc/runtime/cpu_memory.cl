// cpu-so runtime: vload/vstore and the OpenCL 1.x atomic functions
// (docs/kernels.md lists them). On the host every address space is plain
// memory; the overloads differ only in their mangled names.
#include "cpu_builtins.h"

#pragma OPENCL EXTENSION cl_khr_fp64 : enable
#pragma OPENCL EXTENSION cl_khr_int64_base_atomics : enable
#pragma OPENCL EXTENSION cl_khr_int64_extended_atomics : enable

// ---------------------------------------------------------------- vload/vstore

// Element by element, so an unaligned pointer is fine; the SLP vectorizer
// makes one vector load or store of them.
#define AHAL_VLOAD(T, AS)                                                                      \
  T##2 AHAL_OVLD vload2(size_t o, const AS T* p) { p += o * 2; return (T##2)(p[0], p[1]); }   \
  T##3 AHAL_OVLD vload3(size_t o, const AS T* p) {                                             \
    p += o * 3;                                                                                \
    return (T##3)(p[0], p[1], p[2]);                                                           \
  }                                                                                            \
  T##4 AHAL_OVLD vload4(size_t o, const AS T* p) {                                             \
    p += o * 4;                                                                                \
    return (T##4)(p[0], p[1], p[2], p[3]);                                                     \
  }                                                                                            \
  T##8 AHAL_OVLD vload8(size_t o, const AS T* p) {                                             \
    p += o * 8;                                                                                \
    return (T##8)(vload4(0, p), vload4(1, p));                                                 \
  }                                                                                            \
  T##16 AHAL_OVLD vload16(size_t o, const AS T* p) {                                           \
    p += o * 16;                                                                               \
    return (T##16)(vload8(0, p), vload8(1, p));                                                \
  }
#define AHAL_VSTORE(T, AS)                                                                     \
  void AHAL_OVLD vstore2(T##2 v, size_t o, AS T* p) {                                          \
    p += o * 2;                                                                                \
    p[0] = v.s0;                                                                               \
    p[1] = v.s1;                                                                               \
  }                                                                                            \
  void AHAL_OVLD vstore3(T##3 v, size_t o, AS T* p) {                                          \
    p += o * 3;                                                                                \
    p[0] = v.s0;                                                                               \
    p[1] = v.s1;                                                                               \
    p[2] = v.s2;                                                                               \
  }                                                                                            \
  void AHAL_OVLD vstore4(T##4 v, size_t o, AS T* p) {                                          \
    p += o * 4;                                                                                \
    p[0] = v.s0;                                                                               \
    p[1] = v.s1;                                                                               \
    p[2] = v.s2;                                                                               \
    p[3] = v.s3;                                                                               \
  }                                                                                            \
  void AHAL_OVLD vstore8(T##8 v, size_t o, AS T* p) {                                          \
    p += o * 8;                                                                                \
    vstore4(v.lo, 0, p);                                                                       \
    vstore4(v.hi, 1, p);                                                                       \
  }                                                                                            \
  void AHAL_OVLD vstore16(T##16 v, size_t o, AS T* p) {                                        \
    p += o * 16;                                                                               \
    vstore8(v.lo, 0, p);                                                                       \
    vstore8(v.hi, 1, p);                                                                       \
  }
#define AHAL_VDATA(T)                                                                      \
  AHAL_VLOAD(T, __global)                                                                  \
  AHAL_VLOAD(T, __local) AHAL_VLOAD(T, __constant) AHAL_VLOAD(T, __private)                \
      AHAL_VSTORE(T, __global) AHAL_VSTORE(T, __local) AHAL_VSTORE(T, __private)
AHAL_INT_TYPES(AHAL_VDATA)
AHAL_FLOAT_TYPES(AHAL_VDATA)

// ---------------------------------------------------------------- atomics

// OpenCL 1.x atomics are relaxed; barrier() and mem_fence() order them.
#define AHAL_ATOMIC_RMW(name, builtin, T, AS)                                                  \
  T AHAL_OVLD name(volatile AS T* p, T v) { return builtin(p, v, __ATOMIC_RELAXED); }
#define AHAL_ATOMICS(prefix, T, AS)                                                            \
  AHAL_ATOMIC_RMW(prefix##add, __atomic_fetch_add, T, AS)                                      \
  AHAL_ATOMIC_RMW(prefix##sub, __atomic_fetch_sub, T, AS)                                      \
  AHAL_ATOMIC_RMW(prefix##xchg, __atomic_exchange_n, T, AS)                                    \
  AHAL_ATOMIC_RMW(prefix##min, __atomic_fetch_min, T, AS)                                      \
  AHAL_ATOMIC_RMW(prefix##max, __atomic_fetch_max, T, AS)                                      \
  AHAL_ATOMIC_RMW(prefix##and, __atomic_fetch_and, T, AS)                                      \
  AHAL_ATOMIC_RMW(prefix##or, __atomic_fetch_or, T, AS)                                        \
  AHAL_ATOMIC_RMW(prefix##xor, __atomic_fetch_xor, T, AS)                                      \
  T AHAL_OVLD prefix##inc(volatile AS T* p) { return __atomic_fetch_add(p, 1, __ATOMIC_RELAXED); } \
  T AHAL_OVLD prefix##dec(volatile AS T* p) { return __atomic_fetch_sub(p, 1, __ATOMIC_RELAXED); } \
  T AHAL_OVLD prefix##cmpxchg(volatile AS T* p, T cmp, T v) {                                  \
    __atomic_compare_exchange_n(p, &cmp, v, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED);            \
    return cmp;                                                                                \
  }
AHAL_ATOMICS(atomic_, int, __global)
AHAL_ATOMICS(atomic_, uint, __global)
AHAL_ATOMICS(atomic_, int, __local)
AHAL_ATOMICS(atomic_, uint, __local)
AHAL_ATOMICS(atom_, int, __global)
AHAL_ATOMICS(atom_, uint, __global)
AHAL_ATOMICS(atom_, int, __local)
AHAL_ATOMICS(atom_, uint, __local)
AHAL_ATOMICS(atom_, long, __global)
AHAL_ATOMICS(atom_, ulong, __global)
AHAL_ATOMICS(atom_, long, __local)
AHAL_ATOMICS(atom_, ulong, __local)

#define AHAL_ATOMIC_XCHG_FLOAT(AS)                                                  \
  float AHAL_OVLD atomic_xchg(volatile AS float* p, float v) {                      \
    return as_float(__atomic_exchange_n((volatile AS uint*)p, as_uint(v), __ATOMIC_RELAXED)); \
  }
AHAL_ATOMIC_XCHG_FLOAT(__global)
AHAL_ATOMIC_XCHG_FLOAT(__local)

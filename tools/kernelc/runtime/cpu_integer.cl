// cpu-so runtime: OpenCL C integer built-ins, select/bitselect and
// any/all, scalar and vector (docs/kernels.md lists them).
#include "cpu_builtins.h"

#pragma OPENCL EXTENSION cl_khr_fp64 : enable

// max/min/clamp; vector comparisons and ?: work per component.
#define AHAL_INT_MINMAX(T)                                               \
  T AHAL_OVLD max(T x, T y) { return x < y ? y : x; }                    \
  T AHAL_OVLD min(T x, T y) { return y < x ? y : x; }                    \
  T AHAL_OVLD clamp(T x, T lo, T hi) { return min(max(x, lo), hi); }
#define AHAL_INT_MINMAX_ALL(T) AHAL_ALL_WIDTHS(AHAL_INT_MINMAX, T)
AHAL_INT_TYPES(AHAL_INT_MINMAX_ALL)

#define AHAL_INT_MINMAX_SCALAR(V, T)                                          \
  V AHAL_OVLD max(V x, T y) { return max(x, (V)(y)); }                        \
  V AHAL_OVLD min(V x, T y) { return min(x, (V)(y)); }                        \
  V AHAL_OVLD clamp(V x, T lo, T hi) { return clamp(x, (V)(lo), (V)(hi)); }
#define AHAL_INT_MINMAX_SCALAR_ALL(T) AHAL_VEC_WIDTHS(AHAL_INT_MINMAX_SCALAR, T)
AHAL_INT_TYPES(AHAL_INT_MINMAX_SCALAR_ALL)

// abs and abs_diff give the unsigned type.
#define AHAL_ABS(S, U)                                                         \
  U AHAL_OVLD abs(S x) { return x < 0 ? (U)0 - (U)x : (U)x; }                  \
  U AHAL_OVLD abs(U x) { return x; }                                           \
  U AHAL_OVLD abs_diff(S x, S y) { return x > y ? (U)x - (U)y : (U)y - (U)x; } \
  U AHAL_OVLD abs_diff(U x, U y) { return x > y ? x - y : y - x; }             \
  AHAL_VEC1(abs, U, S)                                                         \
  AHAL_VEC1(abs, U, U)
AHAL_ABS(char, uchar)
AHAL_ABS(short, ushort)
AHAL_ABS(int, uint)
AHAL_ABS(long, ulong)

// Saturating add/sub, halving add, mul_hi, rotate, clz, popcount.
#define AHAL_INT_SMALL(T, W)                                                          \
  T AHAL_OVLD add_sat(T x, T y) { return (T)clamp((W)x + (W)y, (W)T##_MIN_, (W)T##_MAX_); } \
  T AHAL_OVLD sub_sat(T x, T y) { return (T)clamp((W)x - (W)y, (W)T##_MIN_, (W)T##_MAX_); } \
  T AHAL_OVLD hadd(T x, T y) { return (T)(((W)x + (W)y) >> 1); }                    \
  T AHAL_OVLD rhadd(T x, T y) { return (T)(((W)x + (W)y + 1) >> 1); }               \
  T AHAL_OVLD mul_hi(T x, T y) { return (T)(((W)x * (W)y) >> (8 * sizeof(T))); }    \
  T AHAL_OVLD mad_hi(T a, T b, T c) { return mul_hi(a, b) + c; }                    \
  AHAL_VEC2(add_sat, T) AHAL_VEC2(sub_sat, T) AHAL_VEC2(hadd, T) AHAL_VEC2(rhadd, T) \
  AHAL_VEC2(mul_hi, T) AHAL_VEC3(mad_hi, T)
#define char_MIN_ CHAR_MIN
#define char_MAX_ CHAR_MAX
#define uchar_MIN_ 0
#define uchar_MAX_ UCHAR_MAX
#define short_MIN_ SHRT_MIN
#define short_MAX_ SHRT_MAX
#define ushort_MIN_ 0
#define ushort_MAX_ USHRT_MAX
#define int_MIN_ INT_MIN
#define int_MAX_ INT_MAX
#define uint_MIN_ 0
#define uint_MAX_ UINT_MAX
AHAL_INT_SMALL(char, int)
AHAL_INT_SMALL(uchar, int)
AHAL_INT_SMALL(short, int)
AHAL_INT_SMALL(ushort, int)
AHAL_INT_SMALL(int, long)
AHAL_INT_SMALL(uint, long)

// 64-bit: overflow checks instead of a wider type.
long AHAL_OVLD add_sat(long x, long y) {
  long r;
  return __builtin_add_overflow(x, y, &r) ? (x < 0 ? LONG_MIN : LONG_MAX) : r;
}
long AHAL_OVLD sub_sat(long x, long y) {
  long r;
  return __builtin_sub_overflow(x, y, &r) ? (x < 0 ? LONG_MIN : LONG_MAX) : r;
}
ulong AHAL_OVLD add_sat(ulong x, ulong y) { return x + y < x ? ULONG_MAX : x + y; }
ulong AHAL_OVLD sub_sat(ulong x, ulong y) { return x < y ? 0 : x - y; }
long AHAL_OVLD hadd(long x, long y) { return (x >> 1) + (y >> 1) + (x & y & 1); }
ulong AHAL_OVLD hadd(ulong x, ulong y) { return (x >> 1) + (y >> 1) + (x & y & 1); }
long AHAL_OVLD rhadd(long x, long y) { return (x >> 1) + (y >> 1) + ((x | y) & 1); }
ulong AHAL_OVLD rhadd(ulong x, ulong y) { return (x >> 1) + (y >> 1) + ((x | y) & 1); }
long AHAL_OVLD mul_hi(long x, long y) { return (long)(((__int128)x * (__int128)y) >> 64); }
ulong AHAL_OVLD mul_hi(ulong x, ulong y) {
  return (ulong)(((unsigned __int128)x * (unsigned __int128)y) >> 64);
}
long AHAL_OVLD mad_hi(long a, long b, long c) { return mul_hi(a, b) + c; }
ulong AHAL_OVLD mad_hi(ulong a, ulong b, ulong c) { return mul_hi(a, b) + c; }
#define AHAL_INT_LONG_VEC(T) \
  AHAL_VEC2(add_sat, T) AHAL_VEC2(sub_sat, T) AHAL_VEC2(hadd, T) AHAL_VEC2(rhadd, T) \
  AHAL_VEC2(mul_hi, T) AHAL_VEC3(mad_hi, T)
AHAL_INT_LONG_VEC(long)
AHAL_INT_LONG_VEC(ulong)

// OpenCL C's long long is 128 bits: the 64-bit clang builtins are the "l" ones.
#define AHAL_BITS(T, U)                                                                     \
  T AHAL_OVLD rotate(T v, T i) {                                                            \
    const uint bits = 8 * sizeof(T);                                                        \
    const uint s = (uint)((U)i % bits);                                                     \
    return s == 0 ? v : (T)(((U)v << s) | ((U)v >> (bits - s)));                            \
  }                                                                                         \
  T AHAL_OVLD clz(T x) {                                                                    \
    return x == 0 ? (T)(8 * sizeof(T))                                                      \
                  : (T)(__builtin_clzl((ulong)(U)x) - (64 - 8 * sizeof(T)));               \
  }                                                                                         \
  T AHAL_OVLD popcount(T x) { return (T)__builtin_popcountl((ulong)(U)x); }                \
  AHAL_VEC2(rotate, T) AHAL_VEC1(clz, T, T) AHAL_VEC1(popcount, T, T)
AHAL_BITS(char, uchar)
AHAL_BITS(uchar, uchar)
AHAL_BITS(short, ushort)
AHAL_BITS(ushort, ushort)
AHAL_BITS(int, uint)
AHAL_BITS(uint, uint)
AHAL_BITS(long, ulong)
AHAL_BITS(ulong, ulong)

// 24-bit multiplies: exact for operands that fit 24 bits, as the spec asks.
#define AHAL_MUL24(T)                                                  \
  T AHAL_OVLD mul24(T x, T y) { return x * y; }                        \
  T AHAL_OVLD mad24(T x, T y, T z) { return x * y + z; }
AHAL_ALL_WIDTHS(AHAL_MUL24, int)
AHAL_ALL_WIDTHS(AHAL_MUL24, uint)

// any/all: the most significant bit of any/all components.
#define AHAL_ANY_ALL(T)                                             \
  int AHAL_OVLD any(T x) { return x < 0; }                          \
  int AHAL_OVLD all(T x) { return x < 0; }                          \
  int AHAL_OVLD any(T##2 x) { return (x.s0 | x.s1) < 0; }           \
  int AHAL_OVLD all(T##2 x) { return (x.s0 & x.s1) < 0; }           \
  int AHAL_OVLD any(T##3 x) { return (x.s0 | x.s1 | x.s2) < 0; }    \
  int AHAL_OVLD all(T##3 x) { return (x.s0 & x.s1 & x.s2) < 0; }    \
  int AHAL_OVLD any(T##4 x) { return any(x.lo | x.hi); }            \
  int AHAL_OVLD all(T##4 x) { return all(x.lo & x.hi); }            \
  int AHAL_OVLD any(T##8 x) { return any(x.lo | x.hi); }            \
  int AHAL_OVLD all(T##8 x) { return all(x.lo & x.hi); }            \
  int AHAL_OVLD any(T##16 x) { return any(x.lo | x.hi); }           \
  int AHAL_OVLD all(T##16 x) { return all(x.lo & x.hi); }
AHAL_ANY_ALL(char)
AHAL_ANY_ALL(short)
AHAL_ANY_ALL(int)
AHAL_ANY_ALL(long)

// select(a, b, c): b where c (its MSB for vectors), else a. bitselect per bit.
#define AHAL_SELECT_SCALAR(T, S, U)                                            \
  T AHAL_OVLD select(T a, T b, S c) { return c ? b : a; }                      \
  T AHAL_OVLD select(T a, T b, U c) { return c ? b : a; }
#define AHAL_SELECT_VECTOR(T, S, U)                                            \
  T AHAL_OVLD select(T a, T b, S c) { return c < (S)(0) ? b : a; }             \
  T AHAL_OVLD select(T a, T b, U c) { return as_##S(c) < (S)(0) ? b : a; }
#define AHAL_SELECT_ALL(T, S, U)                      \
  AHAL_SELECT_SCALAR(T, S, U)                         \
  AHAL_SELECT_VECTOR(T##2, S##2, U##2)                \
  AHAL_SELECT_VECTOR(T##3, S##3, U##3)                \
  AHAL_SELECT_VECTOR(T##4, S##4, U##4)                \
  AHAL_SELECT_VECTOR(T##8, S##8, U##8) AHAL_SELECT_VECTOR(T##16, S##16, U##16)
AHAL_SELECT_ALL(char, char, uchar)
AHAL_SELECT_ALL(uchar, char, uchar)
AHAL_SELECT_ALL(short, short, ushort)
AHAL_SELECT_ALL(ushort, short, ushort)
AHAL_SELECT_ALL(int, int, uint)
AHAL_SELECT_ALL(uint, int, uint)
AHAL_SELECT_ALL(long, long, ulong)
AHAL_SELECT_ALL(ulong, long, ulong)
AHAL_SELECT_ALL(float, int, uint)
AHAL_SELECT_ALL(double, long, ulong)

#define AHAL_BITSELECT_INT(T) \
  T AHAL_OVLD bitselect(T a, T b, T c) { return (a & ~c) | (b & c); }
#define AHAL_BITSELECT_INT_ALL(T) AHAL_ALL_WIDTHS(AHAL_BITSELECT_INT, T)
AHAL_INT_TYPES(AHAL_BITSELECT_INT_ALL)
#define AHAL_BITSELECT_FLOAT(T, I)                                       \
  T AHAL_OVLD bitselect(T a, T b, T c) {                                 \
    return as_##T((as_##I(a) & ~as_##I(c)) | (as_##I(b) & as_##I(c)));  \
  }
AHAL_BITSELECT_FLOAT(float, int)
AHAL_BITSELECT_FLOAT(float2, int2)
AHAL_BITSELECT_FLOAT(float3, int3)
AHAL_BITSELECT_FLOAT(float4, int4)
AHAL_BITSELECT_FLOAT(float8, int8)
AHAL_BITSELECT_FLOAT(float16, int16)
AHAL_BITSELECT_FLOAT(double, long)
AHAL_BITSELECT_FLOAT(double2, long2)
AHAL_BITSELECT_FLOAT(double3, long3)
AHAL_BITSELECT_FLOAT(double4, long4)
AHAL_BITSELECT_FLOAT(double8, long8)
AHAL_BITSELECT_FLOAT(double16, long16)

// cpu-so runtime: OpenCL C math, common, geometric and relational
// built-ins for float and double, scalar and vector (docs/kernels.md lists
// them). Compiled by ahal-kernelc for the host with opencl-c.h; the
// clang builtins below become LLVM intrinsics or libm calls.
#include "cpu_builtins.h"

#pragma OPENCL EXTENSION cl_khr_fp64 : enable

// ---------------------------------------------------------------- math

#define AHAL_MATH1(name, fimpl, dimpl)                        \
  float AHAL_OVLD name(float x) { return fimpl(x); }          \
  double AHAL_OVLD name(double x) { return dimpl(x); }        \
  AHAL_VEC1(name, float, float)                               \
  AHAL_VEC1(name, double, double)

#define AHAL_MATH2(name, fimpl, dimpl)                                  \
  float AHAL_OVLD name(float x, float y) { return fimpl(x, y); }        \
  double AHAL_OVLD name(double x, double y) { return dimpl(x, y); }     \
  AHAL_VEC2(name, float)                                                \
  AHAL_VEC2(name, double)

AHAL_MATH1(acos, __builtin_acosf, __builtin_acos)
AHAL_MATH1(acosh, __builtin_acoshf, __builtin_acosh)
AHAL_MATH1(asin, __builtin_asinf, __builtin_asin)
AHAL_MATH1(asinh, __builtin_asinhf, __builtin_asinh)
AHAL_MATH1(atan, __builtin_atanf, __builtin_atan)
AHAL_MATH1(atanh, __builtin_atanhf, __builtin_atanh)
AHAL_MATH1(cbrt, __builtin_cbrtf, __builtin_cbrt)
AHAL_MATH1(ceil, __builtin_ceilf, __builtin_ceil)
AHAL_MATH1(cos, __builtin_cosf, __builtin_cos)
AHAL_MATH1(cosh, __builtin_coshf, __builtin_cosh)
AHAL_MATH1(erf, __builtin_erff, __builtin_erf)
AHAL_MATH1(erfc, __builtin_erfcf, __builtin_erfc)
AHAL_MATH1(exp, __builtin_expf, __builtin_exp)
AHAL_MATH1(exp2, __builtin_exp2f, __builtin_exp2)
AHAL_MATH1(expm1, __builtin_expm1f, __builtin_expm1)
AHAL_MATH1(fabs, __builtin_fabsf, __builtin_fabs)
AHAL_MATH1(floor, __builtin_floorf, __builtin_floor)
AHAL_MATH1(lgamma, __builtin_lgammaf, __builtin_lgamma)
AHAL_MATH1(log, __builtin_logf, __builtin_log)
AHAL_MATH1(log10, __builtin_log10f, __builtin_log10)
AHAL_MATH1(log1p, __builtin_log1pf, __builtin_log1p)
AHAL_MATH1(log2, __builtin_log2f, __builtin_log2)
AHAL_MATH1(logb, __builtin_logbf, __builtin_logb)
AHAL_MATH1(rint, __builtin_rintf, __builtin_rint)
AHAL_MATH1(round, __builtin_roundf, __builtin_round)
AHAL_MATH1(sin, __builtin_sinf, __builtin_sin)
AHAL_MATH1(sinh, __builtin_sinhf, __builtin_sinh)
AHAL_MATH1(sqrt, __builtin_sqrtf, __builtin_sqrt)
AHAL_MATH1(tan, __builtin_tanf, __builtin_tan)
AHAL_MATH1(tanh, __builtin_tanhf, __builtin_tanh)
AHAL_MATH1(tgamma, __builtin_tgammaf, __builtin_tgamma)
AHAL_MATH1(trunc, __builtin_truncf, __builtin_trunc)

static float ahal_exp10f(float x) { return __builtin_powf(10.0f, x); }
static double ahal_exp10(double x) { return __builtin_pow(10.0, x); }
static float ahal_rsqrtf(float x) { return 1.0f / __builtin_sqrtf(x); }
static double ahal_rsqrt(double x) { return 1.0 / __builtin_sqrt(x); }
AHAL_MATH1(exp10, ahal_exp10f, ahal_exp10)
AHAL_MATH1(rsqrt, ahal_rsqrtf, ahal_rsqrt)

AHAL_MATH2(atan2, __builtin_atan2f, __builtin_atan2)
AHAL_MATH2(copysign, __builtin_copysignf, __builtin_copysign)
AHAL_MATH2(fdim, __builtin_fdimf, __builtin_fdim)
AHAL_MATH2(fmod, __builtin_fmodf, __builtin_fmod)
AHAL_MATH2(hypot, __builtin_hypotf, __builtin_hypot)
AHAL_MATH2(nextafter, __builtin_nextafterf, __builtin_nextafter)
AHAL_MATH2(pow, __builtin_powf, __builtin_pow)
AHAL_MATH2(powr, __builtin_powf, __builtin_pow)
AHAL_MATH2(remainder, __builtin_remainderf, __builtin_remainder)
AHAL_MATH2(fmax, __builtin_fmaxf, __builtin_fmax)
AHAL_MATH2(fmin, __builtin_fminf, __builtin_fmin)

float AHAL_OVLD pown(float x, int n) { return __builtin_powif(x, n); }
double AHAL_OVLD pown(double x, int n) { return __builtin_powi(x, n); }
float AHAL_OVLD rootn(float x, int n) { return __builtin_powf(x, 1.0f / (float)n); }
double AHAL_OVLD rootn(double x, int n) { return __builtin_pow(x, 1.0 / (double)n); }
float AHAL_OVLD ldexp(float x, int n) { return __builtin_ldexpf(x, n); }
double AHAL_OVLD ldexp(double x, int n) { return __builtin_ldexp(x, n); }
AHAL_VEC2I(pown, float)
AHAL_VEC2I(pown, double)
AHAL_VEC2I(rootn, float)
AHAL_VEC2I(rootn, double)
AHAL_VEC2I(ldexp, float)
AHAL_VEC2I(ldexp, double)

float AHAL_OVLD fma(float a, float b, float c) { return __builtin_fmaf(a, b, c); }
double AHAL_OVLD fma(double a, double b, double c) { return __builtin_fma(a, b, c); }
AHAL_VEC3(fma, float)
AHAL_VEC3(fma, double)

// mad: a * b + c, contracted into an FMA where the CPU has one.
#pragma OPENCL FP_CONTRACT ON
#define AHAL_MAD(T) \
  T AHAL_OVLD mad(T a, T b, T c) { return a * b + c; }
AHAL_ALL_WIDTHS(AHAL_MAD, float)
AHAL_ALL_WIDTHS(AHAL_MAD, double)

// fmax/fmin with a scalar second argument.
#define AHAL_FMAXMIN_SCALAR(V, T)                                 \
  V AHAL_OVLD fmax(V x, T y) { return fmax(x, (V)(y)); }          \
  V AHAL_OVLD fmin(V x, T y) { return fmin(x, (V)(y)); }
AHAL_VEC_WIDTHS(AHAL_FMAXMIN_SCALAR, float)
AHAL_VEC_WIDTHS(AHAL_FMAXMIN_SCALAR, double)

// native_* and half_* (float only): the full-precision functions.
#define AHAL_NATIVE1(name, impl)                               \
  float AHAL_OVLD native_##name(float x) { return impl(x); }   \
  float AHAL_OVLD half_##name(float x) { return impl(x); }     \
  AHAL_VEC1(native_##name, float, float)                       \
  AHAL_VEC1(half_##name, float, float)
static float ahal_recipf(float x) { return 1.0f / x; }
AHAL_NATIVE1(cos, __builtin_cosf)
AHAL_NATIVE1(exp, __builtin_expf)
AHAL_NATIVE1(exp2, __builtin_exp2f)
AHAL_NATIVE1(exp10, ahal_exp10f)
AHAL_NATIVE1(log, __builtin_logf)
AHAL_NATIVE1(log2, __builtin_log2f)
AHAL_NATIVE1(log10, __builtin_log10f)
AHAL_NATIVE1(recip, ahal_recipf)
AHAL_NATIVE1(rsqrt, ahal_rsqrtf)
AHAL_NATIVE1(sin, __builtin_sinf)
AHAL_NATIVE1(sqrt, __builtin_sqrtf)
AHAL_NATIVE1(tan, __builtin_tanf)
static float ahal_dividef(float x, float y) { return x / y; }
float AHAL_OVLD native_divide(float x, float y) { return x / y; }
float AHAL_OVLD half_divide(float x, float y) { return x / y; }
float AHAL_OVLD native_powr(float x, float y) { return __builtin_powf(x, y); }
float AHAL_OVLD half_powr(float x, float y) { return __builtin_powf(x, y); }
AHAL_VEC2(native_divide, float)
AHAL_VEC2(half_divide, float)
AHAL_VEC2(native_powr, float)
AHAL_VEC2(half_powr, float)

// ---------------------------------------------------------------- common

#define AHAL_COMMON(T)                                                                    \
  T AHAL_OVLD max(T x, T y) { return x < y ? y : x; }                                     \
  T AHAL_OVLD min(T x, T y) { return y < x ? y : x; }                                     \
  T AHAL_OVLD clamp(T x, T lo, T hi) { return min(max(x, lo), hi); }                      \
  T AHAL_OVLD mix(T x, T y, T a) { return x + (y - x) * a; }                              \
  T AHAL_OVLD step(T edge, T x) { return x < edge ? (T)(0) : (T)(1); }                    \
  T AHAL_OVLD smoothstep(T e0, T e1, T x) {                                               \
    T t = clamp((x - e0) / (e1 - e0), (T)(0), (T)(1));                                    \
    return t * t * ((T)(3) - (T)(2) * t);                                                 \
  }                                                                                       \
  T AHAL_OVLD degrees(T r) { return r * (T)(57.295779513082320876798154814105); }         \
  T AHAL_OVLD radians(T d) { return d * (T)(0.017453292519943295769236907684886); }       \
  T AHAL_OVLD sign(T x) {                                                                 \
    return x > (T)(0) ? (T)(1) : x < (T)(0) ? (T)(-1) : x != x ? (T)(0) : x * (T)(0);     \
  }
AHAL_ALL_WIDTHS(AHAL_COMMON, float)
AHAL_ALL_WIDTHS(AHAL_COMMON, double)

#define AHAL_COMMON_SCALAR(V, T)                                                      \
  V AHAL_OVLD max(V x, T y) { return max(x, (V)(y)); }                                \
  V AHAL_OVLD min(V x, T y) { return min(x, (V)(y)); }                                \
  V AHAL_OVLD clamp(V x, T lo, T hi) { return clamp(x, (V)(lo), (V)(hi)); }           \
  V AHAL_OVLD mix(V x, V y, T a) { return mix(x, y, (V)(a)); }                        \
  V AHAL_OVLD step(T edge, V x) { return step((V)(edge), x); }                        \
  V AHAL_OVLD smoothstep(T e0, T e1, V x) { return smoothstep((V)(e0), (V)(e1), x); }
AHAL_VEC_WIDTHS(AHAL_COMMON_SCALAR, float)
AHAL_VEC_WIDTHS(AHAL_COMMON_SCALAR, double)

// ---------------------------------------------------------------- geometric

#define AHAL_GEOMETRIC(T)                                                               \
  T AHAL_OVLD dot(T a, T b) { return a * b; }                                           \
  T AHAL_OVLD dot(T##2 a, T##2 b) { return a.x * b.x + a.y * b.y; }                     \
  T AHAL_OVLD dot(T##3 a, T##3 b) { return a.x * b.x + a.y * b.y + a.z * b.z; }         \
  T AHAL_OVLD dot(T##4 a, T##4 b) {                                                     \
    return a.x * b.x + a.y * b.y + a.z * b.z + a.w * b.w;                               \
  }                                                                                     \
  T##3 AHAL_OVLD cross(T##3 a, T##3 b) {                                                \
    return (T##3)(a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x); \
  }                                                                                     \
  T##4 AHAL_OVLD cross(T##4 a, T##4 b) {                                                \
    return (T##4)(cross(a.xyz, b.xyz), (T)(0));                                         \
  }
AHAL_FLOAT_TYPES(AHAL_GEOMETRIC)

#define AHAL_LENGTH(V)                                                  \
  AHAL_OVLD __typeof__(dot((V)(0), (V)(0))) length(V p) { return sqrt(dot(p, p)); }   \
  AHAL_OVLD __typeof__(dot((V)(0), (V)(0))) fast_length(V p) { return sqrt(dot(p, p)); } \
  AHAL_OVLD __typeof__(dot((V)(0), (V)(0))) distance(V a, V b) { return length(a - b); } \
  AHAL_OVLD __typeof__(dot((V)(0), (V)(0))) fast_distance(V a, V b) { return length(a - b); } \
  V AHAL_OVLD normalize(V p) { return p / length(p); }                  \
  V AHAL_OVLD fast_normalize(V p) { return p / length(p); }
AHAL_LENGTH(float)
AHAL_LENGTH(float2)
AHAL_LENGTH(float3)
AHAL_LENGTH(float4)
AHAL_LENGTH(double)
AHAL_LENGTH(double2)
AHAL_LENGTH(double3)
AHAL_LENGTH(double4)

// ---------------------------------------------------------------- relational

// Scalars give 1 or 0 (int); vectors give -1 or 0 per component (intn for
// float, longn for double), which is what vector comparisons give.
#define AHAL_RELATIONAL_SCALAR(T, I)                                          \
  int AHAL_OVLD isnan(T x) { return x != x; }                                 \
  int AHAL_OVLD isinf(T x) { return __builtin_fabs(x) == (T)INFINITY; }       \
  int AHAL_OVLD isfinite(T x) { return __builtin_fabs(x) < (T)INFINITY; }     \
  int AHAL_OVLD signbit(T x) { return as_##I(x) < 0; }                        \
  int AHAL_OVLD isequal(T x, T y) { return x == y; }                          \
  int AHAL_OVLD isnotequal(T x, T y) { return x != y; }                       \
  int AHAL_OVLD isgreater(T x, T y) { return x > y; }                         \
  int AHAL_OVLD isgreaterequal(T x, T y) { return x >= y; }                   \
  int AHAL_OVLD isless(T x, T y) { return x < y; }                            \
  int AHAL_OVLD islessequal(T x, T y) { return x <= y; }
AHAL_RELATIONAL_SCALAR(float, int)
AHAL_RELATIONAL_SCALAR(double, long)
int AHAL_OVLD isnormal(float x) {
  return __builtin_fabsf(x) >= FLT_MIN && __builtin_fabsf(x) < INFINITY;
}
int AHAL_OVLD isnormal(double x) {
  return __builtin_fabs(x) >= DBL_MIN && __builtin_fabs(x) < INFINITY;
}

#define AHAL_RELATIONAL_VECTOR(V, I)                                         \
  I AHAL_OVLD isnan(V x) { return x != x; }                                  \
  I AHAL_OVLD isinf(V x) { return fabs(x) == (V)(INFINITY); }                \
  I AHAL_OVLD isfinite(V x) { return fabs(x) < (V)(INFINITY); }              \
  I AHAL_OVLD signbit(V x) { return as_##I(x) < (I)(0); }                    \
  I AHAL_OVLD isequal(V x, V y) { return x == y; }                           \
  I AHAL_OVLD isnotequal(V x, V y) { return x != y; }                        \
  I AHAL_OVLD isgreater(V x, V y) { return x > y; }                          \
  I AHAL_OVLD isgreaterequal(V x, V y) { return x >= y; }                    \
  I AHAL_OVLD isless(V x, V y) { return x < y; }                             \
  I AHAL_OVLD islessequal(V x, V y) { return x <= y; }
#define AHAL_RELATIONAL_VECTORS(F, I)                                                       \
  AHAL_RELATIONAL_VECTOR(F##2, I##2)                                                        \
  AHAL_RELATIONAL_VECTOR(F##3, I##3)                                                        \
  AHAL_RELATIONAL_VECTOR(F##4, I##4)                                                        \
  AHAL_RELATIONAL_VECTOR(F##8, I##8) AHAL_RELATIONAL_VECTOR(F##16, I##16)
AHAL_RELATIONAL_VECTORS(float, int)
AHAL_RELATIONAL_VECTORS(double, long)

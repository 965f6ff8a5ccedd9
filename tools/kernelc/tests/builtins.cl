// Built-in functions and work-item behaviour, for the cpu-so runtime test:
// tools/kernelc/tests/builtins_test.cpp runs every kernel here on cpu:0
// (cpu-so) and on opencl:0 (the OpenCL driver's own built-ins) and compares.
// Each work-item i writes R results at out[i * R].
#pragma OPENCL EXTENSION cl_khr_fp64 : enable

typedef struct {
  uint n;
} count_t;

#define R_F32 48
__kernel void math_f32(__global const float* in, __global float* out, count_t c) {
  size_t i = get_global_id(0);
  if (i >= c.n) return;
  float x = in[i], y = in[(i + 7) % c.n], a = fabs(x) + 0.5f;
  __global float* o = out + i * R_F32;
  o[0] = sin(x); o[1] = cos(x); o[2] = tan(x * 0.25f); o[3] = exp(x * 0.5f);
  o[4] = log(a); o[5] = log2(a); o[6] = log10(a); o[7] = sqrt(a);
  o[8] = rsqrt(a); o[9] = pow(a, 1.5f); o[10] = pown(a, 3); o[11] = cbrt(x);
  o[12] = floor(x); o[13] = ceil(x); o[14] = rint(x); o[15] = round(x);
  o[16] = trunc(x); o[17] = fabs(x); o[18] = tanh(x); o[19] = atan2(x, y);
  o[20] = hypot(x, y); o[21] = fma(x, y, 1.0f); o[22] = mad(x, y, 2.0f); o[23] = fmax(x, y);
  o[24] = fmin(x, y); o[25] = max(x, y); o[26] = min(x, 0.25f); o[27] = clamp(x, -0.5f, 0.75f);
  o[28] = mix(x, y, 0.25f); o[29] = step(0.1f, x); o[30] = smoothstep(-1.0f, 1.0f, x);
  o[31] = sign(x); o[32] = exp2(x); o[33] = expm1(x * 0.1f); o[34] = log1p(a);
  o[35] = erf(x); o[36] = native_exp(x * 0.5f); o[37] = native_recip(a); o[38] = half_sqrt(a);
  o[39] = native_divide(x, a); o[40] = fmod(x, 0.75f); o[41] = copysign(a, y);
  o[42] = asin(clamp(x, -1.0f, 1.0f)); o[43] = atan(x); o[44] = sinh(x * 0.5f);
  o[45] = degrees(x); o[46] = fdim(x, y); o[47] = ldexp(x, 3);
}

#define R_F32V 32
__kernel void math_f32_vector(__global const float* in, __global float* out, count_t c) {
  size_t i = get_global_id(0);
  if (i * 4 + 5 > c.n) return;
  float4 x = vload4(i, in), y = vload4(i, in + 1);
  float8 w = (float8)(x, y);
  __global float* o = out + i * R_F32V;
  vstore4(sin(x) + exp(y * 0.25f), 0, o);
  vstore4(sqrt(fabs(x)) * rsqrt(fabs(y) + 1.0f), 1, o);
  vstore4(fma(x, y, (float4)(1.0f)) + mad(x, x, y), 2, o);
  vstore4(clamp(x, -0.5f, 0.5f) + max(x, y) - min(y, 0.0f), 3, o);
  vstore8(floor(w) + tanh(w) + fmax(w, 0.0f), 2, o);
  float16 v = (float16)(w, w * 2.0f);
  float16 r = log(fabs(v) + 1.0f) + pow(fabs(v) + 0.5f, (float16)(0.5f));
  vstore8(r.lo + r.hi, 3, o);
}

#define R_F64 16
__kernel void math_f64(__global const double* in, __global double* out, count_t c) {
  size_t i = get_global_id(0);
  if (i >= c.n) return;
  double x = in[i], y = in[(i + 3) % c.n], a = fabs(x) + 0.5;
  __global double* o = out + i * R_F64;
  o[0] = sin(x); o[1] = exp(x * 0.5); o[2] = log(a); o[3] = sqrt(a);
  o[4] = pow(a, 1.25); o[5] = floor(x); o[6] = fma(x, y, 1.0); o[7] = fmax(x, y);
  o[8] = clamp(x, -0.5, 0.5); o[9] = tanh(x); o[10] = rint(x); o[11] = mad(x, y, a);
  double2 v = (double2)(x, y);
  double2 s = sqrt(fabs(v)) + exp(v * 0.25);
  o[12] = s.x; o[13] = s.y; o[14] = dot(v, v); o[15] = length(v);
}

#define R_INT 32
__kernel void integers(__global const int* in, __global int* out, count_t c) {
  size_t i = get_global_id(0);
  if (i >= c.n) return;
  int x = in[i], y = in[(i + 5) % c.n];
  uint ux = (uint)x, uy = (uint)y;
  __global int* o = out + i * R_INT;
  o[0] = add_sat(x, y); o[1] = sub_sat(x, y); o[2] = hadd(x, y); o[3] = rhadd(x, y);
  o[4] = mul_hi(x, y); o[5] = (int)mul_hi(ux, uy); o[6] = clz(x); o[7] = popcount(x);
  o[8] = rotate(x, y); o[9] = (int)abs(x); o[10] = (int)abs_diff(x, y); o[11] = min(x, y);
  o[12] = max(ux, uy); o[13] = clamp(x, -100, 100); o[14] = mad24(x & 0xffff, y & 0xffff, 3);
  o[15] = mul24(x & 0x7fff, y & 0x7fff);
  char4 cx = as_char4(x), cy = as_char4(y);
  char4 cs = add_sat(cx, cy);
  o[16] = as_int(cs);
  o[17] = as_int(sub_sat(as_uchar4(x), as_uchar4(y)));
  short2 sx = as_short2(x), sy = as_short2(y);
  o[18] = as_int(hadd(sx, sy));
  o[19] = as_int(clz(sx));
  long lx = (long)x * 100003, ly = (long)y * 7;
  long m = mul_hi(lx << 20, ly << 30);
  o[20] = (int)m; o[21] = (int)(m >> 32);
  long ls = add_sat(lx << 40, ly << 40);
  o[22] = (int)(ls >> 32);
  int4 v = (int4)(x, y, x ^ y, x + y);
  int4 w = max(v, (int4)(0)) + popcount(v) + rotate(v, (int4)(3));
  o[23] = w.x; o[24] = w.y; o[25] = w.z; o[26] = w.w;
  o[27] = any(v); o[28] = all(v); o[29] = select(x, y, x < y);
  o[30] = as_int(select((int4)(1, 2, 3, 4), (int4)(5, 6, 7, 8), v).w);
  o[31] = bitselect(x, y, 0x0f0f0f0f);
}

#define R_CONV 32
__kernel void conversions(__global const float* in, __global int* out, count_t c) {
  size_t i = get_global_id(0);
  if (i >= c.n) return;
  float x = in[i] * 1.0e3f, y = in[(i + 1) % c.n] * 3.0e9f;
  __global int* o = out + i * R_CONV;
  o[0] = convert_int(x); o[1] = convert_int_rte(x); o[2] = convert_int_rtp(x);
  o[3] = convert_int_rtn(x); o[4] = convert_int_sat(y); o[5] = (int)convert_uint_sat(y);
  o[6] = convert_char_sat(x); o[7] = convert_uchar_sat_rte(x); o[8] = convert_short_sat(y);
  o[9] = (int)convert_ushort_sat(x);
  int4 v = convert_int4_sat_rte((float4)(x, y, -x, x * 0.5f));
  o[10] = v.x; o[11] = v.y; o[12] = v.z; o[13] = v.w;
  uchar4 u = convert_uchar4_sat(v);
  o[14] = as_int(u);
  float4 f = convert_float4(v);
  o[15] = as_int(f.x); o[16] = as_int(f.w);
  double d = convert_double(x);
  o[17] = convert_int_sat(d * 1.0e7);
  long l = convert_long_sat(y * 1.0e12f);
  o[18] = (int)(l >> 32);
  short8 s = convert_short8_sat((int8)(v, v * 1000));
  o[19] = s.s0; o[20] = s.s5; o[21] = s.s7;
  o[22] = convert_int(isnan(x)); o[23] = isinf(y * 1.0e30f); o[24] = isfinite(x);
  o[25] = signbit(x); o[26] = isnan((float4)(x, NAN, 1.0f, INFINITY)).y;
  o[27] = isless((float2)(x, y), (float2)(y, x)).x;
  o[28] = convert_int(dot((float4)(x, 1, 2, 3), (float4)(1, 2, 3, 4)));
  o[29] = convert_int(length((float3)(x, 3.0f, 4.0f)) * 100.0f);
  float3 cr = cross((float3)(1, 2, 3), (float3)(x, 5, 6));
  o[30] = convert_int(cr.x + cr.y * 10 + cr.z * 100);
  o[31] = convert_int(normalize((float2)(x, 1.0f)).y * 1000.0f);
}

// Work-item functions on a 3D launch: 12 values per work-item.
__kernel void workitems(__global uint* out) {
  size_t lin = get_global_id(0) +
               get_global_size(0) * (get_global_id(1) + get_global_size(1) * get_global_id(2));
  __global uint* o = out + lin * 12;
  for (uint d = 0; d < 3; ++d) {
    o[d] = (uint)get_local_id(d);
    o[3 + d] = (uint)get_group_id(d);
    o[6 + d] = (uint)(get_local_size(d) * 100 + get_num_groups(d));
  }
  o[9] = get_work_dim();
  o[10] = (uint)get_global_offset(0);
  o[11] = (uint)get_global_size(2);
}

// Barriers, __local memory (static and dynamic), __local atomics on a 2D
// workgroup: each group transposes its 8x8 tile through __local memory,
// counts its items with a __local atomic, reduces with barriers in a loop.
__kernel void local_memory(__global const uint* in, __global uint* out, __local uint* scratch) {
  __local uint tile[8][8];
  __local uint count;
  __local uint sums[64];
  const size_t lx = get_local_id(0), ly = get_local_id(1);
  const size_t l = ly * 8 + lx;
  const size_t group = get_group_id(0) + get_num_groups(0) * get_group_id(1);
  const uint v = in[group * 64 + l];
  if (l == 0) count = 0;
  tile[ly][lx] = v;
  scratch[l] = v * 3;
  barrier(CLK_LOCAL_MEM_FENCE);
  atomic_inc(&count);
  atomic_max(&scratch[0], v);
  sums[l] = tile[lx][ly] + scratch[(l + 1) % 64];
  barrier(CLK_LOCAL_MEM_FENCE);
  for (uint s = 32; s > 0; s /= 2) {
    if (l < s) sums[l] += sums[l + s];
    barrier(CLK_LOCAL_MEM_FENCE);
  }
  __global uint* o = out + group * 67;
  o[l] = tile[lx][ly];
  if (l == 0) {
    o[64] = count;
    o[65] = sums[0];
    o[66] = scratch[0];
  }
}

// __global atomics across workgroups.
__kernel void global_atomics(__global int* counters, __global const int* in, count_t c) {
  size_t i = get_global_id(0);
  if (i >= c.n) return;
  int v = in[i];
  atomic_add(&counters[0], v);
  atomic_sub(&counters[1], 1);
  atomic_min(&counters[2], v);
  atomic_max(&counters[3], v);
  atomic_or(&counters[4], 1 << (i % 31));
  atomic_xor(&counters[5], v);
  atomic_inc((volatile __global uint*)&counters[6]);
  if (i == 0) {
    counters[8] = atomic_cmpxchg(&counters[7], 0, 42);
    counters[9] = atomic_cmpxchg(&counters[7], 5, 7);
    counters[10] = atomic_xchg(&counters[7], 9) + atomic_and(&counters[7], 3);
  }
}

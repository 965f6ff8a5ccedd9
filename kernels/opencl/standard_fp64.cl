// The standard kernels of docs/kernel-abi.md that need fp64, in OpenCL C
// 1.2. A separate image, so a device without fp64 still loads standard.cl.

#ifndef cl_khr_fp64
#error "this device has no cl_khr_fp64: the fp64 standard kernels cannot be built"
#endif
#pragma OPENCL EXTENSION cl_khr_fp64 : enable

// Linear global id: x.x + G.x * (x.y + G.y * x.z). A macro, as C99 inline
// rules differ between OpenCL C compilers.
#define AHAL_LIN() \
  (get_global_id(0) + get_global_size(0) * (get_global_id(1) + get_global_size(1) * get_global_id(2)))

// The largest linear id of this workgroup (the linear id grows with each
// coordinate, so its last work-item has it). The same for the whole
// workgroup: `AHAL_GROUP_LAST_LIN() < n || i < n` lets compilers that loop
// over a workgroup's work-items (PoCL, ahal's cpu-so) move the test out of
// that loop, and vectorize a full workgroup's loop without masked stores.
#define AHAL_GROUP_LAST_LIN()                                                   \
  ((get_group_id(0) + 1) * get_local_size(0) - 1 +                              \
   get_global_size(0) * ((get_group_id(1) + 1) * get_local_size(1) - 1 +        \
                         get_global_size(1) * ((get_group_id(2) + 1) * get_local_size(2) - 1)))

typedef struct {
  double s;
  uint n;
  uint pad;
} stream_constants;

// The constants are read once into locals: a by-value struct may live in
// memory that the compiler cannot tell apart from the arrays.
__kernel void stream_copy(__global const double* a, __global double* c, stream_constants k) {
  const size_t n = k.n, i = AHAL_LIN();
  if (AHAL_GROUP_LAST_LIN() < n || i < n) c[i] = a[i];
}

__kernel void stream_scale(__global const double* c, __global double* b, stream_constants k) {
  const double s = k.s;
  const size_t n = k.n, i = AHAL_LIN();
  if (AHAL_GROUP_LAST_LIN() < n || i < n) b[i] = s * c[i];
}

__kernel void stream_add(__global const double* a, __global const double* b, __global double* c,
                         stream_constants k) {
  const size_t n = k.n, i = AHAL_LIN();
  if (AHAL_GROUP_LAST_LIN() < n || i < n) c[i] = a[i] + b[i];
}

__kernel void stream_triad(__global double* a, __global const double* b, __global const double* c,
                           stream_constants k) {
  const double s = k.s;
  const size_t n = k.n, i = AHAL_LIN();
  if (AHAL_GROUP_LAST_LIN() < n || i < n) a[i] = b[i] + s * c[i];
}

// 1D; the workgroup size is a power of two <= 256.
__kernel void stream_dot(__global const double* a, __global const double* b,
                         __global double* partial, stream_constants k) {
  __local double sums[256];
  size_t l = get_local_id(0);
  size_t stride = get_global_size(0);
  double acc = 0.0;
  for (size_t j = get_global_id(0); j < k.n; j += stride) acc += a[j] * b[j];
  sums[l] = acc;
  barrier(CLK_LOCAL_MEM_FENCE);
  for (size_t s = get_local_size(0) / 2; s > 0; s /= 2) {
    if (l < s) sums[l] += sums[l + s];
    barrier(CLK_LOCAL_MEM_FENCE);
  }
  if (l == 0) partial[get_group_id(0)] = sums[0];
}

typedef struct {
  double a;
  double b;
  uint iters;
  uint pad;
} fma_f64_constants;

__kernel void fma_f64(__global double* out, fma_f64_constants k) {
  size_t i = AHAL_LIN();
  double x0 = (double)(i % 1024) * 1e-3;
  double x1 = x0 + 1.0, x2 = x0 + 2.0, x3 = x0 + 3.0;
  double x4 = x0 + 4.0, x5 = x0 + 5.0, x6 = x0 + 6.0, x7 = x0 + 7.0;
  for (uint it = 0; it < k.iters; ++it) {
    x0 = x0 * k.a + k.b;
    x1 = x1 * k.a + k.b;
    x2 = x2 * k.a + k.b;
    x3 = x3 * k.a + k.b;
    x4 = x4 * k.a + k.b;
    x5 = x5 * k.a + k.b;
    x6 = x6 * k.a + k.b;
    x7 = x7 * k.a + k.b;
  }
  out[i] = x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7;
}

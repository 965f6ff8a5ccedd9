// The standard kernels of docs/kernel-abi.md that need no fp64, in OpenCL C
// 1.2. Arguments: buffers (offset applied), then the constants struct by
// value if the kernel has constants, then a __local pointer if it uses
// dynamic shared memory. Level Zero compiles this file to SPIR-V too, so it
// stays portable OpenCL C without vendor extensions.

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

__kernel void empty(void) {}

typedef struct {
  uint n;
} vector_add_constants;

__kernel void vector_add(__global const float* a, __global const float* b, __global float* c,
                         vector_add_constants k) {
  const size_t n = k.n, i = AHAL_LIN();
  if (AHAL_GROUP_LAST_LIN() < n || i < n) c[i] = a[i] + b[i];
}

typedef struct {
  float a;
  uint n;
} saxpy_constants;

__kernel void saxpy(__global const float* x, __global float* y, saxpy_constants k) {
  const float a = k.a;
  const size_t n = k.n, i = AHAL_LIN();
  if (AHAL_GROUP_LAST_LIN() < n || i < n) y[i] = a * x[i] + y[i];
}

typedef struct {
  uint base;
} write_index_constants;

__kernel void write_index(__global uint* out, write_index_constants k) {
  size_t i = AHAL_LIN();
  out[i] = (uint)i + k.base;
}

__kernel void atomic_count(__global uint* counter) {
  atomic_inc(&counter[0]);
  atomic_add(&counter[1], (uint)AHAL_LIN());
}

__kernel void reverse_shared(__global const uint* in, __global uint* out) {
  __local uint tile[256];
  size_t l = get_local_id(0);
  size_t w = get_local_size(0);
  size_t base = get_group_id(0) * w;
  tile[l] = in[base + l];
  barrier(CLK_LOCAL_MEM_FENCE);
  out[base + l] = tile[w - 1 - l];
}

__kernel void reverse_dynamic(__global const uint* in, __global uint* out, __local uint* tile) {
  size_t l = get_local_id(0);
  size_t w = get_local_size(0);
  size_t base = get_group_id(0) * w;
  tile[l] = in[base + l];
  barrier(CLK_LOCAL_MEM_FENCE);
  out[base + l] = tile[w - 1 - l];
}

typedef struct {
  uint iters;
  float a;
  float b;
  uint pad;
} fma_f32_constants;

__kernel void fma_f32(__global float* out, fma_f32_constants k) {
  size_t i = AHAL_LIN();
  float x0 = (float)(i % 1024) * 1e-3f;
  float x1 = x0 + 1.0f, x2 = x0 + 2.0f, x3 = x0 + 3.0f;
  float x4 = x0 + 4.0f, x5 = x0 + 5.0f, x6 = x0 + 6.0f, x7 = x0 + 7.0f;
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

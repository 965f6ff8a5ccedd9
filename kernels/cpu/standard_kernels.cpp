// The standard kernels (docs/kernel-abi.md) for the CPU kernel ABI
// (ahal/cpu_kernel.h): each function runs one whole workgroup.
//
// Work-items of a workgroup form contiguous runs along x in linear-id space
// (lin = x.x + G.x * (x.y + G.y * x.z)), so every kernel loops over such runs
// with a plain indexed loop the compiler vectorizes. Reads and writes stay
// inside the bindings' sizes even when `n` claims more.
#include <ahal/cpu_kernel.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace {

template <class T>
T constants(const ahal_cpu_dispatch_t* d) {
  T c{};
  std::memcpy(&c, d->constants, std::min<size_t>(sizeof(T), d->constants_size));
  return c;
}

template <class T>
T* binding(const ahal_cpu_dispatch_t* d, uint32_t i) {
  return static_cast<T*>(d->bindings[i]);
}

// Elements of T that binding i holds.
template <class T>
uint64_t binding_count(const ahal_cpu_dispatch_t* d, uint32_t i) {
  return d->binding_sizes[i] / sizeof(T);
}

// Calls body(begin, end) for each contiguous run of linear ids of this
// workgroup, end clipped to `limit`.
template <class Body>
inline void for_each_run(const ahal_cpu_dispatch_t* d, uint64_t limit, Body&& body) {
  const uint64_t gx = uint64_t(d->grid[0]) * d->workgroup_size[0];
  const uint64_t gy = uint64_t(d->grid[1]) * d->workgroup_size[1];
  const uint64_t x0 = uint64_t(d->workgroup_id[0]) * d->workgroup_size[0];
  for (uint32_t lz = 0; lz < d->workgroup_size[2]; ++lz) {
    const uint64_t z = uint64_t(d->workgroup_id[2]) * d->workgroup_size[2] + lz;
    for (uint32_t ly = 0; ly < d->workgroup_size[1]; ++ly) {
      const uint64_t y = uint64_t(d->workgroup_id[1]) * d->workgroup_size[1] + ly;
      const uint64_t begin = x0 + gx * (y + gy * z);
      const uint64_t end = std::min(begin + d->workgroup_size[0], limit);
      if (begin < end) body(begin, end);
    }
  }
}

struct VectorAddConstants {
  uint32_t n;
};
struct SaxpyConstants {
  float a;
  uint32_t n;
};
struct StreamConstants {
  double s;
  uint32_t n;
  uint32_t pad;
};
struct WriteIndexConstants {
  uint32_t base;
};
struct FmaF32Constants {
  uint32_t iters;
  float a;
  float b;
  uint32_t pad;
};
struct FmaF64Constants {
  double a;
  double b;
  uint32_t iters;
  uint32_t pad;
};

// Inner loops: __restrict lets the compiler vectorize without alias checks.
void add_f32(const float* __restrict a, const float* __restrict b, float* __restrict c,
             uint64_t begin, uint64_t end) {
  for (uint64_t i = begin; i < end; ++i) c[i] = a[i] + b[i];
}
void saxpy_f32(float a, const float* __restrict x, float* __restrict y, uint64_t begin,
               uint64_t end) {
  for (uint64_t i = begin; i < end; ++i) y[i] = a * x[i] + y[i];
}
void copy_f64(const double* __restrict a, double* __restrict c, uint64_t begin, uint64_t end) {
  for (uint64_t i = begin; i < end; ++i) c[i] = a[i];
}
void scale_f64(double s, const double* __restrict c, double* __restrict b, uint64_t begin,
               uint64_t end) {
  for (uint64_t i = begin; i < end; ++i) b[i] = s * c[i];
}
void add_f64(const double* __restrict a, const double* __restrict b, double* __restrict c,
             uint64_t begin, uint64_t end) {
  for (uint64_t i = begin; i < end; ++i) c[i] = a[i] + b[i];
}
void triad_f64(double s, double* __restrict a, const double* __restrict b,
               const double* __restrict c, uint64_t begin, uint64_t end) {
  for (uint64_t i = begin; i < end; ++i) a[i] = b[i] + s * c[i];
}

// x_j chains of fma_f32/fma_f64 for `count` consecutive items from `lin`,
// items in the inner loop so it vectorizes.
template <class T>
void fma_chains(T* __restrict out, uint64_t lin, uint32_t count, uint32_t iters, T a, T b) {
  constexpr uint32_t kBlock = 16;
  for (uint32_t first = 0; first < count; first += kBlock) {
    const uint32_t m = std::min(kBlock, count - first);
    T x[8][kBlock];
    for (int j = 0; j < 8; ++j) {
      for (uint32_t t = 0; t < kBlock; ++t) {
        x[j][t] = T((lin + first + t) % 1024) * T(1e-3) + T(j);
      }
    }
    for (uint32_t it = 0; it < iters; ++it) {
      for (int j = 0; j < 8; ++j) {
        for (uint32_t t = 0; t < kBlock; ++t) x[j][t] = x[j][t] * a + b;
      }
    }
    for (uint32_t t = 0; t < m; ++t) {
      T sum = 0;
      for (int j = 0; j < 8; ++j) sum += x[j][t];
      out[lin + first + t] = sum;
    }
  }
}

// reverse_shared / reverse_dynamic: tile[l] = in[g*W + l]; out[g*W + l] = tile[W-1-l].
void reverse_tile(const ahal_cpu_dispatch_t* d, uint32_t* tile) {
  const uint32_t* in = binding<const uint32_t>(d, 0);
  uint32_t* out = binding<uint32_t>(d, 1);
  const uint64_t w = d->workgroup_size[0];
  const uint64_t base = uint64_t(d->workgroup_id[0]) * w;
  if (base + w > binding_count<uint32_t>(d, 0) || base + w > binding_count<uint32_t>(d, 1)) return;
  for (uint64_t l = 0; l < w; ++l) tile[l] = in[base + l];
  for (uint64_t l = 0; l < w; ++l) out[base + l] = tile[w - 1 - l];
}

}  // namespace

AHAL_CPU_KERNEL(empty) { (void)d; }

AHAL_CPU_KERNEL(vector_add) {
  const auto k = constants<VectorAddConstants>(d);
  const uint64_t n = std::min({uint64_t(k.n), binding_count<float>(d, 0),
                               binding_count<float>(d, 1), binding_count<float>(d, 2)});
  const float* a = binding<const float>(d, 0);
  const float* b = binding<const float>(d, 1);
  float* c = binding<float>(d, 2);
  for_each_run(d, n, [&](uint64_t begin, uint64_t end) { add_f32(a, b, c, begin, end); });
}

AHAL_CPU_KERNEL(saxpy) {
  const auto k = constants<SaxpyConstants>(d);
  const uint64_t n =
      std::min({uint64_t(k.n), binding_count<float>(d, 0), binding_count<float>(d, 1)});
  const float* x = binding<const float>(d, 0);
  float* y = binding<float>(d, 1);
  for_each_run(d, n, [&](uint64_t begin, uint64_t end) { saxpy_f32(k.a, x, y, begin, end); });
}

AHAL_CPU_KERNEL(stream_copy) {
  const auto k = constants<StreamConstants>(d);
  const uint64_t n =
      std::min({uint64_t(k.n), binding_count<double>(d, 0), binding_count<double>(d, 1)});
  const double* a = binding<const double>(d, 0);
  double* c = binding<double>(d, 1);
  for_each_run(d, n, [&](uint64_t begin, uint64_t end) { copy_f64(a, c, begin, end); });
}

AHAL_CPU_KERNEL(stream_scale) {
  const auto k = constants<StreamConstants>(d);
  const uint64_t n =
      std::min({uint64_t(k.n), binding_count<double>(d, 0), binding_count<double>(d, 1)});
  const double* c = binding<const double>(d, 0);
  double* b = binding<double>(d, 1);
  for_each_run(d, n, [&](uint64_t begin, uint64_t end) { scale_f64(k.s, c, b, begin, end); });
}

AHAL_CPU_KERNEL(stream_add) {
  const auto k = constants<StreamConstants>(d);
  const uint64_t n = std::min({uint64_t(k.n), binding_count<double>(d, 0),
                               binding_count<double>(d, 1), binding_count<double>(d, 2)});
  const double* a = binding<const double>(d, 0);
  const double* b = binding<const double>(d, 1);
  double* c = binding<double>(d, 2);
  for_each_run(d, n, [&](uint64_t begin, uint64_t end) { add_f64(a, b, c, begin, end); });
}

AHAL_CPU_KERNEL(stream_triad) {
  const auto k = constants<StreamConstants>(d);
  const uint64_t n = std::min({uint64_t(k.n), binding_count<double>(d, 0),
                               binding_count<double>(d, 1), binding_count<double>(d, 2)});
  double* a = binding<double>(d, 0);
  const double* b = binding<const double>(d, 1);
  const double* c = binding<const double>(d, 2);
  for_each_run(d, n, [&](uint64_t begin, uint64_t end) { triad_f64(k.s, a, b, c, begin, end); });
}

AHAL_CPU_KERNEL(stream_dot) {
  const auto k = constants<StreamConstants>(d);
  const uint64_t n =
      std::min({uint64_t(k.n), binding_count<double>(d, 0), binding_count<double>(d, 1)});
  const double* __restrict a = binding<const double>(d, 0);
  const double* __restrict b = binding<const double>(d, 1);
  const uint32_t g = d->workgroup_id[0];
  if (g >= binding_count<double>(d, 2)) return;
  // One accumulator per work-item, as the GPU versions keep in shared memory.
  const uint32_t w = std::min<uint32_t>(d->workgroup_size[0], 1024);
  double acc[1024];
  for (uint32_t l = 0; l < w; ++l) acc[l] = 0.0;
  const uint64_t stride = uint64_t(d->grid[0]) * d->workgroup_size[0];
  for (uint64_t base = uint64_t(g) * d->workgroup_size[0]; base < n; base += stride) {
    const uint32_t m = static_cast<uint32_t>(std::min<uint64_t>(w, n - base));
    for (uint32_t l = 0; l < m; ++l) acc[l] += a[base + l] * b[base + l];
  }
  // Tree reduction, as with barriers on a GPU.
  uint32_t half = 1;
  while (half < w) half *= 2;
  for (half /= 2; half > 0; half /= 2) {
    for (uint32_t l = 0; l < half && l + half < w; ++l) acc[l] += acc[l + half];
  }
  binding<double>(d, 2)[g] = acc[0];
}

AHAL_CPU_KERNEL(write_index) {
  const auto k = constants<WriteIndexConstants>(d);
  uint32_t* out = binding<uint32_t>(d, 0);
  for_each_run(d, binding_count<uint32_t>(d, 0), [&](uint64_t begin, uint64_t end) {
    for (uint64_t i = begin; i < end; ++i) out[i] = static_cast<uint32_t>(i) + k.base;
  });
}

AHAL_CPU_KERNEL(atomic_count) {
  if (binding_count<uint32_t>(d, 0) < 2) return;
  uint32_t* counter = binding<uint32_t>(d, 0);
  // Sums of the workgroup's items first, then one atomic add each: the same
  // result modulo 2^32 as one add per item.
  uint32_t count = 0, sum = 0;
  for_each_run(d, UINT64_MAX, [&](uint64_t begin, uint64_t end) {
    for (uint64_t i = begin; i < end; ++i) {
      ++count;
      sum += static_cast<uint32_t>(i);
    }
  });
  __atomic_fetch_add(&counter[0], count, __ATOMIC_RELAXED);
  __atomic_fetch_add(&counter[1], sum, __ATOMIC_RELAXED);
}

AHAL_CPU_KERNEL(reverse_shared) {
  if (d->workgroup_size[0] > 256) return;
  uint32_t tile[256];
  reverse_tile(d, tile);
}

AHAL_CPU_KERNEL(reverse_dynamic) {
  if (!d->shared_memory || d->shared_memory_size < uint64_t(d->workgroup_size[0]) * 4) return;
  reverse_tile(d, static_cast<uint32_t*>(d->shared_memory));
}

AHAL_CPU_KERNEL(fma_f32) {
  const auto k = constants<FmaF32Constants>(d);
  float* out = binding<float>(d, 0);
  for_each_run(d, binding_count<float>(d, 0), [&](uint64_t begin, uint64_t end) {
    fma_chains<float>(out, begin, static_cast<uint32_t>(end - begin), k.iters, k.a, k.b);
  });
}

AHAL_CPU_KERNEL(fma_f64) {
  const auto k = constants<FmaF64Constants>(d);
  double* out = binding<double>(d, 0);
  for_each_run(d, binding_count<double>(d, 0), [&](uint64_t begin, uint64_t end) {
    fma_chains<double>(out, begin, static_cast<uint32_t>(end - begin), k.iters, k.a, k.b);
  });
}

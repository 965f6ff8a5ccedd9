// The standard kernels (docs/kernel-abi.md) run on the host, one workgroup
// at a time, for the test doubles of the HIP runtime and the Level Zero
// loader: with them the plugins' own code (argument packing, streams,
// events) runs end to end on machines without the hardware. Test only.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace ahal_fake {

struct Launch {
  uint32_t grid[3];
  uint32_t wg[3];
  std::vector<void*> buffers;      // one per binding, offset applied
  std::vector<uint8_t> constants;  // the by-value struct
  uint32_t dynamic_shared = 0;     // bytes
};

struct EmulatedKernel {
  const char* name;
  uint32_t bindings;
  uint32_t constants_size;
  bool dynamic_shared;
  uint32_t static_shared;
  void (*run)(const Launch&);
};

namespace detail {

// Calls fn(g, l, lin) for every work-item of workgroup g, in order.
template <typename F>
void for_items(const Launch& L, const uint32_t g[3], F&& fn) {
  const uint64_t gx = uint64_t{L.grid[0]} * L.wg[0], gy = uint64_t{L.grid[1]} * L.wg[1];
  for (uint32_t z = 0; z < L.wg[2]; ++z)
    for (uint32_t y = 0; y < L.wg[1]; ++y)
      for (uint32_t x = 0; x < L.wg[0]; ++x) {
        uint64_t X = uint64_t{g[0]} * L.wg[0] + x, Y = uint64_t{g[1]} * L.wg[1] + y,
                 Z = uint64_t{g[2]} * L.wg[2] + z;
        const uint32_t l[3] = {x, y, z};
        fn(l, X + gx * (Y + gy * Z));
      }
}

// Calls group(g) for every workgroup.
template <typename F>
void for_groups(const Launch& L, F&& group) {
  for (uint32_t z = 0; z < L.grid[2]; ++z)
    for (uint32_t y = 0; y < L.grid[1]; ++y)
      for (uint32_t x = 0; x < L.grid[0]; ++x) {
        const uint32_t g[3] = {x, y, z};
        group(g);
      }
}

template <typename T>
T constant_at(const Launch& L, size_t offset) {
  T v;
  std::memcpy(&v, L.constants.data() + offset, sizeof(T));
  return v;
}

template <typename T>
T* buffer(const Launch& L, size_t i) {
  return static_cast<T*>(L.buffers[i]);
}

// Each lambda below is one standard kernel, element by element.
template <typename F>
void elementwise(const Launch& L, F&& fn) {
  for_groups(L, [&](const uint32_t g[3]) {
    for_items(L, g, [&](const uint32_t*, uint64_t i) { fn(i); });
  });
}

inline void run_empty(const Launch&) {}

inline void run_vector_add(const Launch& L) {
  const uint32_t n = constant_at<uint32_t>(L, 0);
  elementwise(L, [&](uint64_t i) {
    if (i < n) buffer<float>(L, 2)[i] = buffer<float>(L, 0)[i] + buffer<float>(L, 1)[i];
  });
}

inline void run_saxpy(const Launch& L) {
  const float a = constant_at<float>(L, 0);
  const uint32_t n = constant_at<uint32_t>(L, 4);
  elementwise(L, [&](uint64_t i) {
    if (i < n) buffer<float>(L, 1)[i] = a * buffer<float>(L, 0)[i] + buffer<float>(L, 1)[i];
  });
}

inline void run_stream(const Launch& L, int which) {
  const double s = constant_at<double>(L, 0);
  const uint32_t n = constant_at<uint32_t>(L, 8);
  elementwise(L, [&](uint64_t i) {
    if (i >= n) return;
    double* b0 = buffer<double>(L, 0);
    double* b1 = buffer<double>(L, 1);
    switch (which) {
      case 0:
        b1[i] = b0[i];
        break;  // copy: c = a
      case 1:
        b1[i] = s * b0[i];
        break;  // scale: b = s c
      case 2:
        buffer<double>(L, 2)[i] = b0[i] + b1[i];
        break;  // add: c = a + b
      default:
        b0[i] = b1[i] + s * buffer<double>(L, 2)[i];
        break;  // triad
    }
  });
}

inline void run_stream_dot(const Launch& L) {
  const uint32_t n = constant_at<uint32_t>(L, 8);
  const uint64_t global = uint64_t{L.grid[0]} * L.wg[0];
  for_groups(L, [&](const uint32_t g[3]) {
    std::vector<double> sums(L.wg[0]);
    for_items(L, g, [&](const uint32_t* l, uint64_t lin) {
      double acc = 0;
      for (uint64_t j = lin; j < n; j += global)
        acc += buffer<double>(L, 0)[j] * buffer<double>(L, 1)[j];
      sums[l[0]] = acc;
    });
    for (uint32_t s = L.wg[0] / 2; s > 0; s /= 2)
      for (uint32_t l = 0; l < s; ++l) sums[l] += sums[l + s];
    buffer<double>(L, 2)[g[0]] = sums[0];
  });
}

inline void run_write_index(const Launch& L) {
  const uint32_t base = constant_at<uint32_t>(L, 0);
  elementwise(L, [&](uint64_t i) { buffer<uint32_t>(L, 0)[i] = static_cast<uint32_t>(i) + base; });
}

inline void run_atomic_count(const Launch& L) {
  elementwise(L, [&](uint64_t i) {
    reinterpret_cast<std::atomic<uint32_t>*>(buffer<uint32_t>(L, 0))[0] += 1;
    reinterpret_cast<std::atomic<uint32_t>*>(buffer<uint32_t>(L, 0))[1] += static_cast<uint32_t>(i);
  });
}

inline void run_reverse(const Launch& L) {
  const uint32_t w = L.wg[0];
  for_groups(L, [&](const uint32_t g[3]) {
    std::vector<uint32_t> tile(w);
    for (uint32_t l = 0; l < w; ++l) tile[l] = buffer<uint32_t>(L, 0)[uint64_t{g[0]} * w + l];
    for (uint32_t l = 0; l < w; ++l)
      buffer<uint32_t>(L, 1)[uint64_t{g[0]} * w + l] = tile[w - 1 - l];
  });
}

template <typename T>
void run_fma(const Launch& L, T a, T b, uint32_t iters) {
  elementwise(L, [&](uint64_t i) {
    T x[8];
    x[0] = static_cast<T>(i % 1024) * static_cast<T>(1e-3);
    for (int j = 1; j < 8; ++j) x[j] = x[0] + static_cast<T>(j);
    for (uint32_t it = 0; it < iters; ++it)
      for (T& v : x) v = v * a + b;
    T sum = 0;
    for (T v : x) sum += v;
    buffer<T>(L, 0)[i] = sum;
  });
}

}  // namespace detail

// The kernel named `name`, or nullptr.
inline const EmulatedKernel* find_emulated_kernel(const std::string& name) {
  using namespace detail;
  static const EmulatedKernel kernels[] = {
      {"empty", 0, 0, false, 0, run_empty},
      {"vector_add", 3, 4, false, 0, run_vector_add},
      {"saxpy", 2, 8, false, 0, run_saxpy},
      {"stream_copy", 2, 16, false, 0, [](const Launch& L) { run_stream(L, 0); }},
      {"stream_scale", 2, 16, false, 0, [](const Launch& L) { run_stream(L, 1); }},
      {"stream_add", 3, 16, false, 0, [](const Launch& L) { run_stream(L, 2); }},
      {"stream_triad", 3, 16, false, 0, [](const Launch& L) { run_stream(L, 3); }},
      {"stream_dot", 3, 16, false, 2048, run_stream_dot},
      {"write_index", 1, 4, false, 0, run_write_index},
      {"atomic_count", 1, 0, false, 0, run_atomic_count},
      {"reverse_shared", 2, 0, false, 1024, run_reverse},
      // Its tile is the launch's dynamic shared memory: with too little of it
      // (a fault on hardware) this one writes nothing.
      {"reverse_dynamic", 2, 0, true, 0,
       [](const Launch& L) {
         if (L.dynamic_shared >= L.wg[0] * 4) run_reverse(L);
       }},
      {"fma_f32", 1, 16, false, 0,
       [](const Launch& L) {
         run_fma<float>(L, constant_at<float>(L, 4), constant_at<float>(L, 8),
                        constant_at<uint32_t>(L, 0));
       }},
      {"fma_f64", 1, 24, false, 0,
       [](const Launch& L) {
         run_fma<double>(L, constant_at<double>(L, 0), constant_at<double>(L, 8),
                         constant_at<uint32_t>(L, 16));
       }},
  };
  for (const EmulatedKernel& k : kernels)
    if (name == k.name) return &k;
  return nullptr;
}

}  // namespace ahal_fake

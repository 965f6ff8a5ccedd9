// The plain OpenMP loops that ahal-bench compares the CPU plugin with. Built
// as its own shared object (libahal_bench_native_cpu.so), which ahal-bench
// opens at run time, so ahal-bench itself never needs libgomp.
#include <omp.h>

#include <algorithm>
#include <cstddef>
#include <cstring>

#define AHAL_BENCH_OMP_EXPORT extern "C" __attribute__((visibility("default")))

AHAL_BENCH_OMP_EXPORT void ahal_bench_omp_set_threads(int threads) { omp_set_num_threads(threads); }

AHAL_BENCH_OMP_EXPORT int ahal_bench_omp_threads() { return omp_get_max_threads(); }

// What a launch of `empty` costs OpenMP: dispatch of a parallel region with
// nothing in it (ends with the region's implicit barrier). The empty asm
// keeps the compiler from removing the region.
AHAL_BENCH_OMP_EXPORT void ahal_bench_omp_empty_region() {
#pragma omp parallel
  { asm volatile("" ::: "memory"); }
}

// memcpy split into one contiguous, page-aligned chunk per thread.
AHAL_BENCH_OMP_EXPORT void ahal_bench_omp_copy(void* dst, const void* src, size_t bytes) {
#pragma omp parallel
  {
    const size_t threads = static_cast<size_t>(omp_get_num_threads());
    const size_t chunk = (bytes / threads + 4095) / 4096 * 4096;
    const size_t begin = std::min(bytes, static_cast<size_t>(omp_get_thread_num()) * chunk);
    const size_t end = std::min(bytes, begin + chunk);
    std::memcpy(static_cast<char*>(dst) + begin, static_cast<const char*>(src) + begin,
                end - begin);
  }
}

// STREAM triad with a static schedule, as STREAM itself runs it.
AHAL_BENCH_OMP_EXPORT void ahal_bench_omp_triad(double* __restrict a, const double* __restrict b,
                                                const double* __restrict c, double s, size_t n) {
#pragma omp parallel for schedule(static)
  for (size_t i = 0; i < n; ++i) a[i] = b[i] + s * c[i];
}

// First touch by the threads that use the memory later.
AHAL_BENCH_OMP_EXPORT void ahal_bench_omp_fill(double* p, double value, size_t n) {
#pragma omp parallel for schedule(static)
  for (size_t i = 0; i < n; ++i) p[i] = value;
}

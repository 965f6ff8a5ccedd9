// native-stream-openmp: McCalpin's STREAM kernels as plain OpenMP loops
// (static schedule, first touch by the same threads), the CPU yardstick of
// bench/stream_compare.py, printed like ahal-stream's table.
//
//   native-stream-openmp [--size N] [--repeats K]
#include <omp.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

int main(int argc, char** argv) {
  size_t n = size_t(1) << 25;
  int repeats = 10;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--size") && i + 1 < argc) {
      n = std::strtoull(argv[++i], nullptr, 10);
    } else if (!std::strcmp(argv[i], "--repeats") && i + 1 < argc) {
      repeats = std::max(2, std::atoi(argv[++i]));
    } else {
      std::fprintf(stderr, "usage: native-stream-openmp [--size N] [--repeats K]\n");
      return 2;
    }
  }
  std::unique_ptr<double[]> ha(new double[n]), hb(new double[n]), hc(new double[n]);
  double* __restrict a = ha.get();
  double* __restrict b = hb.get();
  double* __restrict c = hc.get();
#pragma omp parallel for schedule(static)
  for (size_t j = 0; j < n; ++j) {
    a[j] = 1.0;
    b[j] = 2.0;
    c[j] = 0.0;
  }
  const double s = 3.0;
  const double bytes[4] = {16, 16, 24, 24};
  double best[4] = {0, 0, 0, 0};
  for (int r = 0; r < repeats; ++r) {
    double t[4];
    t[0] = omp_get_wtime();
#pragma omp parallel for schedule(static)
    for (size_t j = 0; j < n; ++j) c[j] = a[j];
    t[1] = omp_get_wtime();
#pragma omp parallel for schedule(static)
    for (size_t j = 0; j < n; ++j) b[j] = s * c[j];
    t[2] = omp_get_wtime();
#pragma omp parallel for schedule(static)
    for (size_t j = 0; j < n; ++j) c[j] = a[j] + b[j];
    t[3] = omp_get_wtime();
#pragma omp parallel for schedule(static)
    for (size_t j = 0; j < n; ++j) a[j] = b[j] + s * c[j];
    const double end = omp_get_wtime();
    if (r == 0) continue;  // warm-up
    for (int k = 0; k < 4; ++k) {
      const double secs = (k < 3 ? t[k + 1] : end) - t[k];
      best[k] = std::max(best[k], bytes[k] * double(n) / secs / 1e9);
    }
  }
  std::printf("native OpenMP STREAM, %d threads, %zu doubles, best of %d repeats\n",
              omp_get_max_threads(), n, repeats - 1);
  const char* labels[4] = {"Copy", "Scale", "Add", "Triad"};
  for (int k = 0; k < 4; ++k) std::printf("%s: %.1f GB/s\n", labels[k], best[k]);
  return a[n / 2] > 0 ? 0 : 1;
}

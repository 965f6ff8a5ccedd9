// Native CPU side of ahal-bench: plain OpenMP loops on the same cores, with
// as many threads as the ahal device has. The OpenMP code lives in
// libahal_bench_native_cpu.so (native_cpu_openmp.cpp), opened here at run
// time, so ahal-bench runs (without this reference) where libgomp is absent.
#include "native_backend.hpp"

#include <ahal_tool_support.hpp>

#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace ahal_bench {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

struct OpenMpApi {
  void (*set_threads)(int) = nullptr;
  int (*threads)() = nullptr;
  void (*empty_region)() = nullptr;
  void (*copy)(void*, const void*, size_t) = nullptr;
  void (*triad)(double*, const double*, const double*, double, size_t) = nullptr;
  void (*fill)(double*, double, size_t) = nullptr;
};

// 64-byte-aligned memory, like the CPU plugin's buffers.
struct Aligned {
  explicit Aligned(size_t bytes) : p(std::aligned_alloc(64, (bytes + 63) / 64 * 64)) {}
  ~Aligned() { std::free(p); }
  Aligned(const Aligned&) = delete;
  Aligned& operator=(const Aligned&) = delete;
  double* d() const { return static_cast<double*>(p); }
  void* p;
};

class OpenMpBackend final : public NativeBackend {
 public:
  explicit OpenMpBackend(const OpenMpApi& api) : api_(api) {}

  double launch_latency_us(int iterations) override {
    std::vector<double> us;
    for (int i = 0; i < iterations; ++i) {
      const auto start = Clock::now();
      api_.empty_region();
      us.push_back(seconds_since(start) * 1e6);
    }
    std::sort(us.begin(), us.end());
    const size_t m = us.size() / 2;
    return us.size() % 2 ? us[m] : 0.5 * (us[m - 1] + us[m]);
  }

  double enqueue_us_per_launch(int count, int repeats) override {
    double best = 1e300;
    for (int r = 0; r < repeats; ++r) {
      const auto start = Clock::now();
      for (int i = 0; i < count; ++i) api_.empty_region();
      best = std::min(best, seconds_since(start) * 1e6 / count);
    }
    return best;
  }

  // Host and "device" memory are the same here: every kind is one parallel
  // memcpy between two buffers.
  double copy_gbps(CopyKind, size_t bytes, int repeats) override {
    Aligned src(bytes), dst(bytes);
    if (!src.p || !dst.p) return 0;
    api_.fill(src.d(), 1.0, bytes / 8);
    api_.fill(dst.d(), 0.0, bytes / 8);
    double best = 0;
    for (int r = 0; r <= repeats; ++r) {
      const auto start = Clock::now();
      api_.copy(dst.p, src.p, bytes);
      const double s = seconds_since(start);
      if (r > 0) best = std::max(best, double(bytes) / s / 1e9);
    }
    return best;
  }

  double triad_gbps(size_t n, unsigned, int repeats) override {
    prepare_triad(n);
    double best = 0;
    for (int r = 0; r <= repeats; ++r) {
      const auto start = Clock::now();
      api_.triad(a_->d(), b_->d(), c_->d(), 3.0, n);
      const double s = seconds_since(start);
      if (r > 0) best = std::max(best, 24.0 * double(n) / s / 1e9);
    }
    return best;
  }

 private:
  void prepare_triad(size_t n) {
    if (triad_n_ == n) return;
    a_ = std::make_unique<Aligned>(n * 8);
    b_ = std::make_unique<Aligned>(n * 8);
    c_ = std::make_unique<Aligned>(n * 8);
    api_.fill(a_->d(), 1.0, n);
    api_.fill(b_->d(), 1.0, n);
    api_.fill(c_->d(), 1.0, n);
    triad_n_ = n;
  }

  OpenMpApi api_;
  size_t triad_n_ = 0;
  std::unique_ptr<Aligned> a_, b_, c_;
};

std::unique_ptr<NativeBackend> make_openmp(const ahal_device_properties_t& props,
                                           const std::string&, std::string* error) {
  // Beside libahal in the build tree, or in ahal's plugin folder once
  // installed: relative to ahal-bench (a moved install tree), then where
  // it was configured to go.
  const std::string file = AHAL_BENCH_NATIVE_CPU_FILE;
  const std::string exe_dir = ahal_tools::executable_dir();
  const std::string candidates[] = {
      exe_dir + "/../lib/" + file,
      exe_dir + "/../" + AHAL_BENCH_NATIVE_CPU_RELATIVE_DIR + "/" + file,
      std::string(AHAL_BENCH_NATIVE_CPU_INSTALL_DIR) + "/" + file};
  void* library = nullptr;
  std::string tried;
  for (const std::string& path : candidates) {
    library = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (library) break;
    tried += (tried.empty() ? "" : "; ") + std::string(dlerror());
  }
  if (!library) {
    *error = "cannot open the OpenMP reference " + file + ": " + tried;
    return nullptr;
  }
  OpenMpApi api;
  auto find = [&](auto& fn, const char* name) {
    fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(dlsym(library, name));
    if (!fn && error->empty()) *error = file + " has no " + name;
  };
  find(api.set_threads, "ahal_bench_omp_set_threads");
  find(api.threads, "ahal_bench_omp_threads");
  find(api.empty_region, "ahal_bench_omp_empty_region");
  find(api.copy, "ahal_bench_omp_copy");
  find(api.triad, "ahal_bench_omp_triad");
  find(api.fill, "ahal_bench_omp_fill");
  if (!error->empty()) return nullptr;  // the library stays loaded: it is tiny
  // As many threads as the CPU plugin runs (its compute_units).
  if (props.compute_units > 0) api.set_threads(static_cast<int>(props.compute_units));
  return std::make_unique<OpenMpBackend>(api);
}

}  // namespace

AHAL_BENCH_REGISTER_NATIVE("cpu", make_openmp);

}  // namespace ahal_bench

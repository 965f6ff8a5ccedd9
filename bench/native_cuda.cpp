// Native CUDA side of ahal-bench: the same work as the ahal path, straight
// through the CUDA driver API on the same GPU, done the way the CUDA plugin
// does it (its driver loader: dlopen libcuda.so.1 + cuGetProcAddress; the
// primary context; a non-blocking stream; portable pinned host memory;
// cuMemcpy*Async; cuLaunchKernel with an array of argument pointers; the
// bundle's PTX image the plugin would pick).
#include "native_backend.hpp"

#include "bundle_format.hpp"
#include "cuda_arch.hpp"
#include "cuda_driver.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <map>
#include <string>
#include <vector>

namespace ahal_bench {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

constexpr double kFailed = std::numeric_limits<double>::quiet_NaN();

struct StreamConstants {
  double s;
  uint32_t n;
  uint32_t pad;
};

class NativeCuda final : public NativeBackend {
 public:
  ~NativeCuda() override {
    if (!context_) return;
    if (drv_.cuCtxSetCurrent(context_) == CUDA_SUCCESS) {
      release_copy_buffers();
      release_triad_buffers();
      if (stream_) drv_.cuStreamDestroy(stream_);
      for (auto& [image, module] : modules_)
        if (module) drv_.cuModuleUnload(module);
    }
    drv_.cuDevicePrimaryCtxRelease(device_);
  }

  bool open(const ahal_device_properties_t& props, const std::string& bundle_path,
            std::string* error) {
    if (drv_.load(error) != AHAL_SUCCESS || !find_device(props, error)) return false;
    // The plugin's own context: the primary one, shared with it.
    if (!ok(drv_.cuDevicePrimaryCtxRetain(&context_, device_), "cuDevicePrimaryCtxRetain", error) ||
        !ok(drv_.cuCtxSetCurrent(context_), "cuCtxSetCurrent", error) ||
        !ok(drv_.cuStreamCreateWithPriority(&stream_, CU_STREAM_NON_BLOCKING, 0),
            "cuStreamCreateWithPriority", error))
      return false;
    return load_kernels(props, bundle_path, error);
  }

  double launch_latency_us(int iterations) override {
    if (!current() || !launch_empty() || !sync()) return kFailed;
    std::vector<double> times;
    times.reserve(static_cast<size_t>(iterations));
    for (int i = 0; i < iterations; ++i) {
      const auto start = Clock::now();
      if (!launch_empty() || !sync()) return kFailed;
      times.push_back(seconds_since(start) * 1e6);
    }
    std::sort(times.begin(), times.end());
    return times.empty() ? 0.0 : times[times.size() / 2];
  }

  double enqueue_us_per_launch(int count, int repeats) override {
    if (!current() || !launch_empty() || !sync()) return kFailed;
    double best = 1e300;
    for (int r = 0; r < repeats; ++r) {
      const auto start = Clock::now();
      for (int i = 0; i < count; ++i)
        if (!launch_empty()) return kFailed;
      if (!sync()) return kFailed;
      best = std::min(best, seconds_since(start) * 1e6 / count);
    }
    return best;
  }

  double copy_gbps(CopyKind kind, size_t bytes, int repeats) override {
    if (!current() || !prepare_copy(bytes)) return kFailed;
    double best = 0.0;
    for (int r = 0; r <= repeats; ++r) {  // the first round warms up
      const auto start = Clock::now();
      CUresult result = CUDA_SUCCESS;
      switch (kind) {
        case CopyKind::kHostToDevice:
          result = drv_.cuMemcpyHtoDAsync(dev_[0], host_, bytes, stream_);
          break;
        case CopyKind::kDeviceToHost:
          result = drv_.cuMemcpyDtoHAsync(host_, dev_[0], bytes, stream_);
          break;
        case CopyKind::kDeviceToDevice:
          result = drv_.cuMemcpyDtoDAsync(dev_[1], dev_[0], bytes, stream_);
          break;
      }
      if (!report(result, "cuMemcpy*Async") || !sync()) return kFailed;
      if (r > 0) best = std::max(best, double(bytes) / seconds_since(start) / 1e9);
    }
    return best;
  }

  double triad_gbps(size_t n, unsigned workgroup_size, int repeats) override {
    if (!current() || !prepare_triad(n)) return kFailed;
    const StreamConstants constants{3.0, static_cast<uint32_t>(n), 0};
    // As the plugin passes them: a pointer to each binding's address, then
    // a pointer to the constants struct.
    CUdeviceptr pointers[3] = {triad_[0], triad_[1], triad_[2]};
    void* params[4] = {&pointers[0], &pointers[1], &pointers[2],
                       const_cast<StreamConstants*>(&constants)};
    const unsigned groups = static_cast<unsigned>((n + workgroup_size - 1) / workgroup_size);
    double best = 0.0;
    for (int r = 0; r <= repeats; ++r) {
      const auto start = Clock::now();
      if (!report(drv_.cuLaunchKernel(triad_fn_, groups, 1, 1, workgroup_size, 1, 1, 0, stream_,
                                      params, nullptr),
                  "cuLaunchKernel(stream_triad)") ||
          !sync())
        return kFailed;
      if (r > 0) best = std::max(best, 24.0 * double(n) / seconds_since(start) / 1e9);
    }
    return best;
  }

 private:
  bool ok(CUresult result, const char* what, std::string* error) const {
    if (result == CUDA_SUCCESS) return true;
    *error = drv_.message(what, result);
    return false;
  }

  // Measurements report a failure once on stderr and give NaN (null in JSON).
  bool report(CUresult result, const char* what) const {
    if (result == CUDA_SUCCESS) return true;
    std::fprintf(stderr, "native cuda: %s\n", drv_.message(what, result).c_str());
    return false;
  }

  bool current() const { return report(drv_.cuCtxSetCurrent(context_), "cuCtxSetCurrent"); }
  bool sync() const { return report(drv_.cuStreamSynchronize(stream_), "cuStreamSynchronize"); }

  bool launch_empty() const {
    return report(drv_.cuLaunchKernel(empty_fn_, 1, 1, 1, 1, 1, 1, 0, stream_, nullptr, nullptr),
                  "cuLaunchKernel(empty)");
  }

  // The GPU ahal measures: same UUID, else the ordinal of "cuda:<n>".
  bool find_device(const ahal_device_properties_t& props, std::string* error) {
    int count = 0;
    if (!ok(drv_.cuDeviceGetCount(&count), "cuDeviceGetCount", error)) return false;
    if (props.has_uuid && drv_.cuDeviceGetUuid) {
      for (int i = 0; i < count; ++i) {
        CUdevice d = 0;
        CUuuid uuid;
        if (drv_.cuDeviceGet(&d, i) == CUDA_SUCCESS &&
            drv_.cuDeviceGetUuid(&uuid, d) == CUDA_SUCCESS &&
            std::memcmp(uuid.bytes, props.uuid, sizeof(props.uuid)) == 0) {
          device_ = d;
          cc_ = compute_capability(d);
          return true;
        }
      }
    }
    const char* colon = std::strchr(props.selector, ':');
    const int ordinal = colon ? std::atoi(colon + 1) : 0;
    if (ordinal >= count) {
      *error = std::string("no CUDA device for ") + props.selector;
      return false;
    }
    if (!ok(drv_.cuDeviceGet(&device_, ordinal), "cuDeviceGet", error)) return false;
    cc_ = compute_capability(device_);
    return true;
  }

  int compute_capability(CUdevice d) const {
    int major = 0, minor = 0;
    drv_.cuDeviceGetAttribute(&major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, d);
    drv_.cuDeviceGetAttribute(&minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, d);
    return major * 10 + minor;
  }

  // For each kernel, the image the plugin would take (same ranking; an
  // image may hold only some kernels), loaded the same way.
  bool load_kernels(const ahal_device_properties_t& props, const std::string& bundle_path,
                    std::string* error) {
    ahal::bundle::Bundle bundle;
    if (!ahal::bundle::read_file(bundle_path, &bundle, error)) return false;
    return function(bundle, props, "empty", &empty_fn_, error) &&
           function(bundle, props, "stream_triad", &triad_fn_, error);
  }

  bool function(const ahal::bundle::Bundle& bundle, const ahal_device_properties_t& props,
                const std::string& kernel, CUfunction* out, std::string* error) {
    const ahal::bundle::Image* best = nullptr;
    int32_t best_score = 0;
    for (const ahal::bundle::Image& image : bundle.images) {
      const int32_t score = ahal_cuda::image_score(image.format, image.target, cc_);
      if (score > best_score && holds(bundle, image, kernel)) {
        best = &image;
        best_score = score;
      }
    }
    if (!best) {
      *error = "the bundle has no CUDA image with " + kernel + " for " + props.arch;
      return false;
    }
    CUmodule& module = modules_[best];
    if (!module) {
      std::vector<char> image(best->data.begin(), best->data.end());
      image.push_back('\0');  // PTX is text
      std::vector<char> log(16 * 1024, '\0');
      CUjit_option options[2] = {CU_JIT_ERROR_LOG_BUFFER, CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES};
      void* values[2] = {log.data(),
                         reinterpret_cast<void*>(static_cast<uintptr_t>(log.size() - 1))};
      if (!ok(drv_.cuModuleLoadDataEx(&module, image.data(), 2, options, values),
              "cuModuleLoadDataEx", error)) {
        if (log[0]) *error += std::string("\n") + log.data();
        return false;
      }
    }
    std::string symbol = kernel;
    const int index = ahal::bundle::find_kernel(bundle, kernel);
    for (const ahal::bundle::Entry& e : best->entries)
      if (static_cast<int>(e.kernel_index) == index) symbol = e.symbol;
    return ok(drv_.cuModuleGetFunction(out, module, symbol.c_str()),
              ("cuModuleGetFunction(" + symbol + ")").c_str(), error);
  }

  // The image lists `kernel`, or lists nothing (then it holds every kernel).
  static bool holds(const ahal::bundle::Bundle& bundle, const ahal::bundle::Image& image,
                    const std::string& kernel) {
    if (image.entries.empty()) return ahal::bundle::find_kernel(bundle, kernel) >= 0;
    for (const ahal::bundle::Entry& e : image.entries)
      if (bundle.kernels[e.kernel_index].name == kernel) return true;
    return false;
  }

  bool prepare_copy(size_t bytes) {
    if (copy_bytes_ == bytes) return true;
    release_copy_buffers();
    // Pinned exactly as the plugin's host_alloc makes it.
    if (!report(drv_.cuMemHostAlloc(&host_, bytes, CU_MEMHOSTALLOC_PORTABLE), "cuMemHostAlloc") ||
        !report(drv_.cuMemAlloc(&dev_[0], bytes), "cuMemAlloc") ||
        !report(drv_.cuMemAlloc(&dev_[1], bytes), "cuMemAlloc")) {
      release_copy_buffers();
      return false;
    }
    std::memset(host_, 1, bytes);
    for (CUdeviceptr d : dev_)
      if (!report(drv_.cuMemsetD8Async(d, 0, bytes, stream_), "cuMemsetD8Async")) return false;
    copy_bytes_ = bytes;
    return sync();
  }

  void release_copy_buffers() {
    if (!host_ && !dev_[0] && !dev_[1]) return;
    sync();
    if (host_) drv_.cuMemFreeHost(host_);
    for (CUdeviceptr& d : dev_) {
      if (d) drv_.cuMemFree(d);
      d = 0;
    }
    host_ = nullptr;
    copy_bytes_ = 0;
  }

  bool prepare_triad(size_t n) {
    if (triad_n_ == n) return true;
    release_triad_buffers();
    for (CUdeviceptr& d : triad_) {
      if (!report(drv_.cuMemAlloc(&d, n * sizeof(double)), "cuMemAlloc") ||
          !report(drv_.cuMemsetD8Async(d, 0, n * sizeof(double), stream_), "cuMemsetD8Async")) {
        release_triad_buffers();
        return false;
      }
    }
    triad_n_ = n;
    return sync();
  }

  void release_triad_buffers() {
    if (!triad_[0] && !triad_[1] && !triad_[2]) return;
    sync();
    for (CUdeviceptr& d : triad_) {
      if (d) drv_.cuMemFree(d);
      d = 0;
    }
    triad_n_ = 0;
  }

  ahal_cuda::Driver drv_;
  CUdevice device_ = 0;
  int cc_ = 0;
  CUcontext context_ = nullptr;
  CUstream stream_ = nullptr;
  std::map<const ahal::bundle::Image*, CUmodule> modules_;
  CUfunction empty_fn_ = nullptr;
  CUfunction triad_fn_ = nullptr;
  void* host_ = nullptr;
  CUdeviceptr dev_[2] = {};
  size_t copy_bytes_ = 0;
  CUdeviceptr triad_[3] = {};
  size_t triad_n_ = 0;
};

std::unique_ptr<NativeBackend> make_native_cuda(const ahal_device_properties_t& props,
                                                const std::string& bundle_path,
                                                std::string* error) {
  auto native = std::make_unique<NativeCuda>();
  if (!native->open(props, bundle_path, error)) return nullptr;
  return native;
}

}  // namespace

AHAL_BENCH_REGISTER_NATIVE("cuda", make_native_cuda);

}  // namespace ahal_bench

// Native OpenCL side of ahal-bench: the same work as the ahal path, straight
// through OpenCL on the same device, done the way the OpenCL plugin does it
// (in-order queue without profiling, pinned host memory as a mapped
// CL_MEM_ALLOC_HOST_PTR buffer, non-blocking copies, the bundle's OpenCL C).
// libOpenCL.so.1 is opened at run time so ahal-bench runs without OpenCL.
#include "native_backend.hpp"

#include "bundle_format.hpp"

#define CL_TARGET_OPENCL_VERSION 300
#define CL_USE_DEPRECATED_OPENCL_1_2_APIS
#include <CL/cl.h>
#include <CL/cl_ext.h>

#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace ahal_bench {
namespace {

// The OpenCL entry points used here, looked up in libOpenCL.so.1.
struct ClApi {
// clang-format off
#define AHAL_CL_FUNCTIONS(X) \
  X(clGetPlatformIDs) \
  X(clGetDeviceIDs) \
  X(clGetDeviceInfo) \
  X(clCreateContext) \
  X(clReleaseContext) \
  X(clCreateCommandQueue) \
  X(clReleaseCommandQueue) \
  X(clCreateBuffer) \
  X(clReleaseMemObject) \
  X(clEnqueueMapBuffer) \
  X(clEnqueueUnmapMemObject) \
  X(clCreateProgramWithSource) \
  X(clBuildProgram) \
  X(clReleaseProgram) \
  X(clCreateKernel) \
  X(clReleaseKernel) \
  X(clSetKernelArg) \
  X(clEnqueueNDRangeKernel) \
  X(clFinish) \
  X(clEnqueueWriteBuffer) \
  X(clEnqueueReadBuffer) \
  X(clEnqueueCopyBuffer) \
  X(clEnqueueFillBuffer) \
  X(clGetExtensionFunctionAddressForPlatform)
// clang-format on
#define AHAL_CL_MEMBER(name) decltype(&::name) name = nullptr;
  AHAL_CL_FUNCTIONS(AHAL_CL_MEMBER)
#undef AHAL_CL_MEMBER
  void* library = nullptr;

  bool load(std::string* error) {
    library = dlopen("libOpenCL.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!library) {
      *error = std::string("cannot open libOpenCL.so.1: ") + dlerror();
      return false;
    }
#define AHAL_CL_LOAD(name)                                        \
  name = reinterpret_cast<decltype(name)>(dlsym(library, #name)); \
  if (!name) {                                                    \
    *error = "libOpenCL.so.1 has no " #name;                      \
    return false;                                                 \
  }
    AHAL_CL_FUNCTIONS(AHAL_CL_LOAD)
#undef AHAL_CL_LOAD
    return true;
  }
#undef AHAL_CL_FUNCTIONS
};

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string device_string(const ClApi& cl, cl_device_id id, cl_device_info param) {
  char buf[1024] = {0};
  cl.clGetDeviceInfo(id, param, sizeof(buf) - 1, buf, nullptr);
  return buf;
}

class NativeOpenCl final : public NativeBackend {
 public:
  ~NativeOpenCl() override {
    if (replay_) cb_release_(replay_);
    if (queue_) {
      release_copy();
      release_triad();
    }
    if (empty_) cl_.clReleaseKernel(empty_);
    if (triad_) cl_.clReleaseKernel(triad_);
    for (cl_program p : programs_) cl_.clReleaseProgram(p);
    if (queue_) cl_.clReleaseCommandQueue(queue_);
    if (context_) cl_.clReleaseContext(context_);
    if (cl_.library) dlclose(cl_.library);
  }

  bool open(const ahal_device_properties_t& props, const std::string& bundle_path,
            std::string* error) {
    if (!cl_.load(error) || !find_device(props, error)) return false;
    cl_int err = CL_SUCCESS;
    context_ = cl_.clCreateContext(nullptr, 1, &device_, nullptr, nullptr, &err);
    if (!check(err, "clCreateContext", error)) return false;
    // In-order, no profiling: what the plugin creates for a stream.
    queue_ = cl_.clCreateCommandQueue(context_, device_, 0, &err);
    if (!check(err, "clCreateCommandQueue", error)) return false;
    ahal::bundle::Bundle bundle;
    if (!ahal::bundle::read_file(bundle_path, &bundle, error)) return false;
    return make_kernel(bundle, "empty", &empty_, error) &&
           make_kernel(bundle, "stream_triad", &triad_, error);
  }

  double launch_latency_us(int iterations) override {
    launch_empty();
    cl_.clFinish(queue_);
    std::vector<double> times;
    times.reserve(static_cast<size_t>(iterations));
    for (int i = 0; i < iterations; ++i) {
      auto start = Clock::now();
      launch_empty();
      cl_.clFinish(queue_);
      times.push_back(seconds_since(start) * 1e6);
    }
    std::sort(times.begin(), times.end());
    return times.empty() ? 0.0 : times[times.size() / 2];
  }

  // Host time inside `count` clEnqueueNDRangeKernel calls, per launch.
  double enqueue_host_us_per_launch(int count, int repeats) override {
    launch_empty();
    cl_.clFinish(queue_);
    double best = 1e300;
    for (int r = 0; r < repeats; ++r) {
      auto start = Clock::now();
      for (int i = 0; i < count; ++i) launch_empty();
      best = std::min(best, seconds_since(start) * 1e6 / count);
      cl_.clFinish(queue_);
    }
    return best;
  }

  // Host time inside one clEnqueueCommandBufferKHR of `count` recorded
  // launches, each waiting on the previous one's sync point as the plugin
  // records them; only with cl_khr_command_buffer at version 0.9.0.
  double replay_us_per_launch(int count, int repeats, bool until_done) override {
    if (!command_buffers()) return -1;
    if (replay_count_ != count) {
      if (replay_) cb_release_(replay_);
      replay_ = nullptr;
      cl_int err = CL_SUCCESS;
      replay_ = cb_create_(1, &queue_, nullptr, &err);
      if (err != CL_SUCCESS) return -1;
      const size_t one = 1;
      cl_sync_point_khr last = 0;
      for (int i = 0; i < count && err == CL_SUCCESS; ++i) {
        cl_sync_point_khr point = 0;
        err = cb_launch_(replay_, nullptr, nullptr, empty_, 1, nullptr, &one, &one, i ? 1 : 0,
                         i ? &last : nullptr, &point, nullptr);
        last = point;
      }
      if (err == CL_SUCCESS) err = cb_finalize_(replay_);
      if (err != CL_SUCCESS) return -1;
      replay_count_ = count;
      cb_enqueue_(0, nullptr, replay_, 0, nullptr, nullptr);
      cl_.clFinish(queue_);
    }
    double best = 1e300;
    for (int r = 0; r < repeats; ++r) {
      auto start = Clock::now();
      cb_enqueue_(0, nullptr, replay_, 0, nullptr, nullptr);
      double s = seconds_since(start);
      cl_.clFinish(queue_);
      if (until_done) s = seconds_since(start);
      best = std::min(best, s * 1e6 / count);
    }
    return best;
  }

  double enqueue_us_per_launch(int count, int repeats) override {
    launch_empty();
    cl_.clFinish(queue_);
    double best = 1e300;
    for (int r = 0; r < repeats; ++r) {
      auto start = Clock::now();
      for (int i = 0; i < count; ++i) launch_empty();
      cl_.clFinish(queue_);
      best = std::min(best, seconds_since(start) * 1e6 / count);
    }
    return best;
  }

  double copy_gbps(CopyKind kind, size_t bytes, int repeats) override {
    if (!prepare_copy(bytes)) return 0.0;
    double best = 0.0;
    for (int r = 0; r <= repeats; ++r) {  // the first round warms up
      auto start = Clock::now();
      switch (kind) {
        case CopyKind::kHostToDevice:
          cl_.clEnqueueWriteBuffer(queue_, copy_[0], CL_FALSE, 0, bytes, host_ptr_, 0, nullptr,
                                   nullptr);
          break;
        case CopyKind::kDeviceToHost:
          cl_.clEnqueueReadBuffer(queue_, copy_[0], CL_FALSE, 0, bytes, host_ptr_, 0, nullptr,
                                  nullptr);
          break;
        case CopyKind::kDeviceToDevice:
          cl_.clEnqueueCopyBuffer(queue_, copy_[0], copy_[1], 0, 0, bytes, 0, nullptr, nullptr);
          break;
      }
      cl_.clFinish(queue_);
      if (r > 0) best = std::max(best, bytes / seconds_since(start) / 1e9);
    }
    return best;
  }

  double triad_gbps(size_t n, unsigned workgroup_size, int repeats) override {
    if (!prepare_triad(n)) return 0.0;
    struct {
      double s;
      cl_uint n, pad;
    } constants = {3.0, static_cast<cl_uint>(n), 0};
    size_t local = workgroup_size;
    size_t global = (n + local - 1) / local * local;
    double best = 0.0;
    for (int r = 0; r <= repeats; ++r) {  // the first round warms up
      auto start = Clock::now();
      // Arguments are set per launch, as the plugin does.
      for (cl_uint i = 0; i < 3; ++i) cl_.clSetKernelArg(triad_, i, sizeof(cl_mem), &triad_buf_[i]);
      cl_.clSetKernelArg(triad_, 3, sizeof(constants), &constants);
      cl_.clEnqueueNDRangeKernel(queue_, triad_, 1, nullptr, &global, &local, 0, nullptr, nullptr);
      cl_.clFinish(queue_);
      if (r > 0) best = std::max(best, 24.0 * n / seconds_since(start) / 1e9);
    }
    return best;
  }

 private:
  bool check(cl_int err, const char* call, std::string* error) {
    if (err == CL_SUCCESS) return true;
    *error = std::string(call) + " failed with OpenCL error " + std::to_string(err);
    return false;
  }

  cl_mem device_buffer(size_t bytes, cl_mem_flags flags = CL_MEM_READ_WRITE) {
    cl_int err = CL_SUCCESS;
    cl_mem m = cl_.clCreateBuffer(context_, flags, bytes, nullptr, &err);
    return err == CL_SUCCESS ? m : nullptr;
  }

  // Two device buffers and pinned host memory, made as the plugin's
  // ahal_host_alloc makes it: a CL_MEM_ALLOC_HOST_PTR buffer mapped once.
  bool prepare_copy(size_t bytes) {
    if (copy_bytes_ == bytes) return true;
    release_copy();
    copy_[0] = device_buffer(bytes);
    copy_[1] = device_buffer(bytes);
    pinned_ = device_buffer(bytes, CL_MEM_READ_WRITE | CL_MEM_ALLOC_HOST_PTR);
    if (!copy_[0] || !copy_[1] || !pinned_) return false;
    cl_int err = CL_SUCCESS;
    host_ptr_ = cl_.clEnqueueMapBuffer(queue_, pinned_, CL_TRUE, CL_MAP_READ | CL_MAP_WRITE, 0,
                                       bytes, 0, nullptr, nullptr, &err);
    if (err != CL_SUCCESS) return false;
    std::memset(host_ptr_, 1, bytes);
    const cl_uchar zero = 0;
    for (cl_mem m : copy_)
      cl_.clEnqueueFillBuffer(queue_, m, &zero, 1, 0, bytes, 0, nullptr, nullptr);
    cl_.clFinish(queue_);
    copy_bytes_ = bytes;
    return true;
  }

  void release_copy() {
    if (host_ptr_) cl_.clEnqueueUnmapMemObject(queue_, pinned_, host_ptr_, 0, nullptr, nullptr);
    cl_.clFinish(queue_);
    for (cl_mem* m : {&copy_[0], &copy_[1], &pinned_}) {
      if (*m) cl_.clReleaseMemObject(*m);
      *m = nullptr;
    }
    host_ptr_ = nullptr;
    copy_bytes_ = 0;
  }

  bool prepare_triad(size_t n) {
    if (triad_n_ == n) return true;
    release_triad();
    const float one = 1.0f;  // any finite values will do, as on the ahal side
    for (cl_mem& m : triad_buf_) {
      m = device_buffer(n * sizeof(double));
      if (!m) return false;
      cl_.clEnqueueFillBuffer(queue_, m, &one, sizeof(one), 0, n * sizeof(double), 0, nullptr,
                              nullptr);
    }
    cl_.clFinish(queue_);
    triad_n_ = n;
    return true;
  }

  void release_triad() {
    for (cl_mem& m : triad_buf_) {
      if (m) cl_.clReleaseMemObject(m);
      m = nullptr;
    }
    triad_n_ = 0;
  }

  // cl_khr_command_buffer at version 0.9.0 (the signatures CL/cl_ext.h
  // declares; PoCL 3.1's), looked up once.
  bool command_buffers() {
    if (cb_checked_) return cb_enqueue_ != nullptr;
    cb_checked_ = true;
    size_t bytes = 0;
    if (cl_.clGetDeviceInfo(device_, CL_DEVICE_EXTENSIONS_WITH_VERSION, 0, nullptr, &bytes) !=
        CL_SUCCESS)
      return false;
    std::vector<cl_name_version> exts(bytes / sizeof(cl_name_version));
    if (cl_.clGetDeviceInfo(device_, CL_DEVICE_EXTENSIONS_WITH_VERSION, bytes, exts.data(),
                            nullptr) != CL_SUCCESS)
      return false;
    bool found = false;
    for (const cl_name_version& e : exts)
      found = found || (std::strcmp(e.name, "cl_khr_command_buffer") == 0 &&
                        e.version == CL_MAKE_VERSION(0, 9, 0));
    if (!found) return false;
    auto lookup = [&](const char* name) {
      return cl_.clGetExtensionFunctionAddressForPlatform(platform_, name);
    };
    auto create = reinterpret_cast<clCreateCommandBufferKHR_fn>(lookup("clCreateCommandBufferKHR"));
    auto finalize =
        reinterpret_cast<clFinalizeCommandBufferKHR_fn>(lookup("clFinalizeCommandBufferKHR"));
    auto release =
        reinterpret_cast<clReleaseCommandBufferKHR_fn>(lookup("clReleaseCommandBufferKHR"));
    auto launch =
        reinterpret_cast<clCommandNDRangeKernelKHR_fn>(lookup("clCommandNDRangeKernelKHR"));
    auto enqueue =
        reinterpret_cast<clEnqueueCommandBufferKHR_fn>(lookup("clEnqueueCommandBufferKHR"));
    if (!create || !finalize || !release || !launch || !enqueue) return false;
    cb_create_ = create;
    cb_finalize_ = finalize;
    cb_release_ = release;
    cb_launch_ = launch;
    cb_enqueue_ = enqueue;
    return true;
  }

  void launch_empty() {
    const size_t one = 1;
    cl_.clEnqueueNDRangeKernel(queue_, empty_, 1, nullptr, &one, &one, 0, nullptr, nullptr);
  }

  // The plugin's opencl:N is the N-th OpenCL 1.2+ device over all platforms
  // in ICD order; the name must match too.
  bool find_device(const ahal_device_properties_t& props, std::string* error) {
    unsigned index = 0;
    if (std::sscanf(props.selector, "opencl:%u", &index) != 1) {
      *error = std::string("not an OpenCL device: ") + props.selector;
      return false;
    }
    cl_uint platform_count = 0;
    cl_.clGetPlatformIDs(0, nullptr, &platform_count);
    std::vector<cl_platform_id> platforms(platform_count);
    if (platform_count == 0 ||
        cl_.clGetPlatformIDs(platform_count, platforms.data(), nullptr) != CL_SUCCESS) {
      *error = "no OpenCL platforms";
      return false;
    }
    unsigned seen = 0;
    for (cl_platform_id platform : platforms) {
      cl_uint count = 0;
      if (cl_.clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 0, nullptr, &count) != CL_SUCCESS) {
        continue;
      }
      std::vector<cl_device_id> ids(count);
      cl_.clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, count, ids.data(), nullptr);
      for (cl_device_id id : ids) {
        unsigned major = 0, minor = 0;
        std::sscanf(device_string(cl_, id, CL_DEVICE_VERSION).c_str(), "OpenCL %u.%u", &major,
                    &minor);
        if (major * 10 + minor < 12) continue;
        if (seen++ != index) continue;
        if (device_string(cl_, id, CL_DEVICE_NAME) != props.name) {
          *error = std::string("OpenCL device ") + std::to_string(index) + " is '" +
                   device_string(cl_, id, CL_DEVICE_NAME) + "', not '" + props.name + "'";
          return false;
        }
        device_ = id;
        platform_ = platform;
        return true;
      }
    }
    *error = std::string("no OpenCL device for ") + props.selector;
    return false;
  }

  bool make_kernel(const ahal::bundle::Bundle& bundle, const char* name, cl_kernel* out,
                   std::string* error) {
    const ahal::bundle::Image* image =
        ahal::bundle::find_image(bundle, AHAL_MODULE_FORMAT_OPENCL_C, name);
    if (!image) {
      *error = std::string("the bundle has no opencl-c image with ") + name;
      return false;
    }
    const char* text = reinterpret_cast<const char*>(image->data.data());
    size_t size = image->data.size();
    cl_int err = CL_SUCCESS;
    cl_program program = cl_.clCreateProgramWithSource(context_, 1, &text, &size, &err);
    if (!check(err, "clCreateProgramWithSource", error)) return false;
    programs_.push_back(program);
    err = cl_.clBuildProgram(program, 1, &device_, "", nullptr, nullptr);
    if (!check(err, "clBuildProgram", error)) return false;
    *out = cl_.clCreateKernel(program, name, &err);
    return check(err, "clCreateKernel", error);
  }

  ClApi cl_;
  cl_platform_id platform_ = nullptr;
  cl_device_id device_ = nullptr;
  cl_context context_ = nullptr;
  cl_command_queue queue_ = nullptr;
  std::vector<cl_program> programs_;
  cl_kernel empty_ = nullptr;
  cl_kernel triad_ = nullptr;
  size_t copy_bytes_ = 0;
  cl_mem copy_[2] = {};
  cl_mem pinned_ = nullptr;
  void* host_ptr_ = nullptr;
  size_t triad_n_ = 0;
  cl_mem triad_buf_[3] = {};
  bool cb_checked_ = false;  // cl_khr_command_buffer 0.9.0, for replay_us_per_launch
  clCreateCommandBufferKHR_fn cb_create_ = nullptr;
  clFinalizeCommandBufferKHR_fn cb_finalize_ = nullptr;
  clReleaseCommandBufferKHR_fn cb_release_ = nullptr;
  clCommandNDRangeKernelKHR_fn cb_launch_ = nullptr;
  clEnqueueCommandBufferKHR_fn cb_enqueue_ = nullptr;
  cl_command_buffer_khr replay_ = nullptr;
  int replay_count_ = 0;
};

std::unique_ptr<NativeBackend> make_native_opencl(const ahal_device_properties_t& props,
                                                  const std::string& bundle_path,
                                                  std::string* error) {
  auto backend = std::make_unique<NativeOpenCl>();
  if (!backend->open(props, bundle_path, error)) return nullptr;
  return backend;
}

AHAL_BENCH_REGISTER_NATIVE("opencl", make_native_opencl);

}  // namespace
}  // namespace ahal_bench

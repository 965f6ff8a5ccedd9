// ahal-bench: the interface each backend's native (non-ahal) measurement
// implements, so ahal and the backend's own API are measured side by side
// with the same kernels and sizes. One native_<plugin>.cpp per backend
// registers itself with AHAL_BENCH_REGISTER_NATIVE.
#pragma once

#include <ahal/ahal.h>

#include <cstddef>
#include <memory>
#include <string>

namespace ahal_bench {

enum class CopyKind { kHostToDevice, kDeviceToHost, kDeviceToDevice };

// Every figure is "best of" or median as the name says; each method runs the
// same work as the ahal path in bench/ahal_bench.cpp.
class NativeBackend {
 public:
  virtual ~NativeBackend() = default;
  // Median microseconds of: launch the `empty` kernel (1 workgroup of 1 item),
  // then wait for it, over `iterations` rounds.
  virtual double launch_latency_us(int iterations) = 0;
  // Microseconds per launch for `count` back-to-back `empty` launches
  // followed by one synchronize (best of `repeats`).
  virtual double enqueue_us_per_launch(int count, int repeats) = 0;
  // GB/s (1e9 bytes/s) of one copy of `bytes`, best of `repeats`; host side
  // is pinned memory where the backend has it.
  virtual double copy_gbps(CopyKind kind, size_t bytes, int repeats) = 0;
  // GB/s of stream_triad over `n` doubles (24 bytes per element), best of
  // `repeats`, with the given workgroup size.
  virtual double triad_gbps(size_t n, unsigned workgroup_size, int repeats) = 0;
  // Host microseconds per launch spent inside enqueueing `count` `empty`
  // launches one by one, before the wait (best of `repeats`); negative where
  // the native side does not measure it.
  virtual double enqueue_host_us_per_launch(int /*count*/, int /*repeats*/) { return -1; }
  // Host microseconds per launch spent inside one submission of the
  // backend's recorded form (reusable command buffer, cl_khr_command_buffer,
  // graph) holding `count` recorded `empty` launches, before the wait, or
  // with `until_done` from the submission to the end of the wait (best of
  // `repeats`); negative where the backend has no recorded form.
  virtual double replay_us_per_launch(int /*count*/, int /*repeats*/, bool /*until_done*/) {
    return -1;
  }
};

// props: the ahal device being measured (so the native side opens the same
// physical device). bundle_path: the standard-kernels bundle, where the
// native side finds its kernel image. Returns nullptr with *error set if the
// backend cannot be opened.
using NativeFactory = std::unique_ptr<NativeBackend> (*)(const ahal_device_properties_t& props,
                                                         const std::string& bundle_path,
                                                         std::string* error);

// Registry keyed by plugin name ("cpu", "opencl", "vulkan", "cuda").
bool register_native(const char* plugin, NativeFactory factory);
NativeFactory find_native(const std::string& plugin);

}  // namespace ahal_bench

#define AHAL_BENCH_REGISTER_NATIVE(plugin, factory) \
  static const bool ahal_bench_registered_##factory = ::ahal_bench::register_native(plugin, factory)

// What staged work is built from: copies between devices without a native
// path (peer.cpp) and collectives through MPI (ccl_staged.cpp) move data
// through pinned host chunks, on streams the loader makes, and order
// streams of different devices (and the collectives engine) with host
// gates that host callbacks advance and wait for.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <new>
#include <vector>

#include "internal.hpp"

namespace ahal {

// A counter that host callbacks advance and wait for. open() lets every
// wait pass: a pipeline that could not be enqueued whole must not leave a
// stream waiting forever.
class HostGate {
 public:
  void advance(uint64_t to) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (to > value_) value_ = to;
    }
    cv_.notify_all();
  }
  void wait(uint64_t at_least) {
    std::unique_lock<std::mutex> lock(mutex_);
    cv_.wait(lock, [&] { return value_ >= at_least; });
  }
  void open() { advance(UINT64_MAX); }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  uint64_t value_ = 0;
};

// A pinned host chunk (entry host_alloc of `device`).
struct PinnedChunk {
  Device* device = nullptr;
  ahal_plugin_host_alloc_t* object = nullptr;
  unsigned char* pointer = nullptr;
  uint64_t size = 0;
};

// A device's pools of idle loader-made streams and pinned chunks.
struct DeviceStaging {
  std::mutex mutex;
  std::condition_variable returned;
  std::vector<ahal_plugin_stream_t*> streams;
  std::vector<PinnedChunk> chunks;
  uint32_t lent = 0;  // streams and chunks taken and not given back yet
};

// Bytes per staged chunk: AHAL_STAGING_CHUNK_BYTES, else 4 MiB.
uint64_t staging_chunk_bytes();

// A pinned chunk of at least `size` bytes from `d`'s pool, or a new one.
ahal_status_t take_pinned(const char* fn, Device* d, uint64_t size, PinnedChunk* out);
void give_pinned(const PinnedChunk& chunk) noexcept;
// An idle loader-made stream of `d`, or a new one.
ahal_status_t take_stream(const char* fn, Device* d, ahal_plugin_stream_t** out);
void give_stream(Device* d, ahal_plugin_stream_t* stream) noexcept;
// close_device: waits until every lent stream and chunk is back (the
// pipelines that hold them end once the device's streams are idle), then
// frees the pools.
void release_staging(Device* d);

namespace detail {
template <class F>
void run_host_fn(void* data) {
  F* f = static_cast<F*>(data);
  (*f)();
  delete f;
}
}  // namespace detail

// Enqueues `f` (run once, on a host thread, when `stream` reaches it) on a
// plugin stream of `d`. `f` must not throw.
template <class F>
ahal_status_t enqueue_host(const char* fn, Device* d, ahal_plugin_stream_t* stream, F f) {
  auto* copy = new (std::nothrow) F(std::move(f));
  if (!copy) return fail(AHAL_ERROR_OUT_OF_HOST_MEMORY, fn, "out of host memory");
  const ahal_status_t st =
      entry::stream_host_callback(fn, *d->plugin, stream, &detail::run_host_fn<F>, copy);
  if (st != AHAL_SUCCESS) delete copy;
  return st;
}

}  // namespace ahal

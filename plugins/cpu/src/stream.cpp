#include "objects.hpp"

#include "spin_wait.hpp"

#include <algorithm>
#include <cstring>
#include <vector>

namespace ahal_cpu {
namespace {

// Below this a copy or fill runs on one thread.
constexpr uint64_t kParallelBytes = 1u << 20;
// Split points of parallel copies: page multiples, so also pattern multiples.
constexpr uint64_t kChunkAlignment = 4096;

CpuBuffer& cpu_buffer(plugin::Buffer& buffer) { return static_cast<CpuBuffer&>(buffer); }

void fill_pattern(unsigned char* dst, uint64_t size, uint32_t pattern, uint32_t pattern_size) {
  if (pattern_size == 1) {
    std::memset(dst, static_cast<int>(pattern & 0xff), size);
  } else if (pattern_size == 2) {
    const uint16_t p = static_cast<uint16_t>(pattern);
    uint16_t* out = reinterpret_cast<uint16_t*>(dst);
    for (uint64_t i = 0, n = size / 2; i < n; ++i) out[i] = p;
  } else {
    uint32_t* out = reinterpret_cast<uint32_t*>(dst);
    for (uint64_t i = 0, n = size / 4; i < n; ++i) out[i] = pattern;
  }
}

// Calls fn(begin, length) over [0, size): one page-aligned chunk per pool
// thread, or all at once on this thread below kParallelBytes.
template <class F>
void split_bytes(ThreadPool& pool, Scratch& scratch, uint64_t size, F&& fn) {
  if (size < kParallelBytes || pool.threads() == 1) {
    fn(0, size);
    return;
  }
  const uint64_t chunk =
      (size / pool.threads() + kChunkAlignment - 1) / kChunkAlignment * kChunkAlignment;
  const unsigned parts = static_cast<unsigned>((size + chunk - 1) / chunk);
  auto body = [&](unsigned part, unsigned, Scratch&) {
    const uint64_t begin = part * chunk;
    fn(begin, std::min(chunk, size - begin));
  };
  pool.run(parts, scratch, body);
}

}  // namespace

CpuStream::CpuStream(CpuDevice& device) : device_(device) {
  thread_ = std::thread(&CpuStream::thread_main, this);
}

CpuStream::~CpuStream() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  work_cv_.notify_one();
  thread_.join();  // the thread drains the queue first
}

void CpuStream::enqueue(Command command, const std::function<void()>& on_queued) {
  bool wake;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    queue_.push_back(std::move(command));
    if (on_queued) on_queued();
    enqueued_.fetch_add(1, std::memory_order_release);
    wake = sleeping_ && !executing_;
  }
  if (wake) work_cv_.notify_one();
}

void CpuStream::run_front(std::unique_lock<std::mutex>& lock) {
  Command command = std::move(queue_.front());
  queue_.pop_front();
  executing_ = true;
  lock.unlock();
  command();
  command = nullptr;  // release captures outside the lock
  lock.lock();
  executing_ = false;
  completed_.fetch_add(1, std::memory_order_release);
  if (waiters_) idle_cv_.notify_all();
  // The stream thread may have gone to sleep while another thread ran this.
  if (sleeping_ && !queue_.empty()) work_cv_.notify_one();
}

void CpuStream::thread_main() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    if (runnable_locked()) {
      run_front(lock);
      continue;
    }
    if (stop_ && queue_.empty()) return;
    lock.unlock();
    spin_until([&] {
      return (enqueued_.load(std::memory_order_relaxed) !=
                  completed_.load(std::memory_order_relaxed) &&
              !executing_.load(std::memory_order_relaxed)) ||
             stop_.load(std::memory_order_relaxed);
    });
    lock.lock();
    sleeping_ = true;
    work_cv_.wait(lock, [&] { return stop_ || runnable_locked(); });
    sleeping_ = false;
  }
}

void CpuStream::copy(void* dst, const void* src, uint64_t size) {
  split_bytes(device_.pool(), scratch_, size, [&](uint64_t begin, uint64_t length) {
    std::memcpy(static_cast<unsigned char*>(dst) + begin,
                static_cast<const unsigned char*>(src) + begin, length);
  });
}

void CpuStream::fill_bytes(unsigned char* dst, uint64_t size, uint32_t pattern,
                           uint32_t pattern_size) {
  split_bytes(device_.pool(), scratch_, size, [&](uint64_t begin, uint64_t length) {
    fill_pattern(dst + begin, length, pattern, pattern_size);
  });
}

void CpuStream::copy_h2d(const void* src, plugin::Buffer& dst, uint64_t dst_offset, uint64_t size) {
  CpuBuffer& d = cpu_buffer(dst);
  check_range(d, dst_offset, size, "destination");
  if (size == 0) return;
  unsigned char* to = d.data() + dst_offset;
  enqueue([this, to, src, size] { copy(to, src, size); });
}

void CpuStream::copy_d2h(plugin::Buffer& src, uint64_t src_offset, void* dst, uint64_t size) {
  CpuBuffer& s = cpu_buffer(src);
  check_range(s, src_offset, size, "source");
  if (size == 0) return;
  const unsigned char* from = s.data() + src_offset;
  enqueue([this, from, dst, size] { copy(dst, from, size); });
}

void CpuStream::copy_d2d(plugin::Buffer& src, uint64_t src_offset, plugin::Buffer& dst,
                         uint64_t dst_offset, uint64_t size) {
  CpuBuffer& s = cpu_buffer(src);
  CpuBuffer& d = cpu_buffer(dst);
  check_range(s, src_offset, size, "source");
  check_range(d, dst_offset, size, "destination");
  if (size == 0) return;
  const unsigned char* from = s.data() + src_offset;
  unsigned char* to = d.data() + dst_offset;
  enqueue([this, to, from, size] { copy(to, from, size); });
}

void CpuStream::fill(plugin::Buffer& buffer, uint64_t offset, uint64_t size, uint32_t pattern,
                     uint32_t pattern_size) {
  CpuBuffer& b = cpu_buffer(buffer);
  if (pattern_size != 1 && pattern_size != 2 && pattern_size != 4) {
    plugin::raise(AHAL_ERROR_INVALID_ARGUMENT, "pattern_size is %u; it must be 1, 2 or 4",
                  pattern_size);
  }
  if (offset % pattern_size || size % pattern_size) {
    plugin::raise(AHAL_ERROR_INVALID_ARGUMENT,
                  "fill offset %llu and size %llu must be multiples of the pattern size %u",
                  static_cast<unsigned long long>(offset), static_cast<unsigned long long>(size),
                  pattern_size);
  }
  check_range(b, offset, size, "fill");
  if (size == 0) return;
  unsigned char* to = b.data() + offset;
  enqueue([this, to, size, pattern, pattern_size] { fill_bytes(to, size, pattern, pattern_size); });
}

void CpuStream::launch(plugin::Kernel& kernel, const ahal_plugin_launch_t& args) {
  auto l = std::make_shared<Launch>();
  decode_launch(kernel, args, *l);
  enqueue([this, l] { run_launch(*l, device_.pool(), scratch_); });
}

void CpuStream::host_callback(ahal_host_fn_t fn, void* user_data) {
  enqueue([fn, user_data] { fn(user_data); });
}

void CpuStream::record_event(plugin::Event& event) {
  std::shared_ptr<EventState> state = static_cast<CpuEvent&>(event).state();
  auto generation = std::make_shared<uint64_t>(0);
  enqueue([state, generation] { state->complete(*generation); },
          [&] { *generation = state->next_record(); });
}

void CpuStream::wait_event(plugin::Event& event) {
  std::shared_ptr<EventState> state = static_cast<CpuEvent&>(event).state();
  const uint64_t target = state->last_record();
  if (target == 0) return;  // never recorded: nothing to wait for
  enqueue([state, target] { state->wait_for(target); });
}

void CpuStream::synchronize() {
  const uint64_t target = enqueued_.load(std::memory_order_acquire);
  auto done = [&] { return completed_.load(std::memory_order_acquire) >= target; };
  if (done()) return;
  std::unique_lock<std::mutex> lock(mutex_);
  while (!done()) {
    // Commands up to `target` may run on this thread: in order, since only
    // one thread runs a command of the stream at a time.
    if (runnable_locked()) {
      run_front(lock);
      continue;
    }
    lock.unlock();
    spin_until([&] {
      return done() || (completed_.load(std::memory_order_relaxed) !=
                            enqueued_.load(std::memory_order_relaxed) &&
                        !executing_.load(std::memory_order_relaxed));
    });
    lock.lock();
    ++waiters_;
    idle_cv_.wait(lock, [&] { return done() || runnable_locked(); });
    --waiters_;
  }
}

bool CpuStream::query() {
  return completed_.load(std::memory_order_acquire) == enqueued_.load(std::memory_order_acquire);
}

}  // namespace ahal_cpu

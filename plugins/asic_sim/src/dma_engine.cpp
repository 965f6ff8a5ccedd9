#include "dma_engine.hpp"

#include <chrono>
#include <cstring>
#include <future>
#include <pthread.h>

namespace asic_sim {

// One descriptor in the engine's queue. It lives on the stack of the
// submitting thread, which waits on `done` before it returns.
struct DmaEngine::Transfer {
  void* dst;
  const void* src;  // nullptr for a fill
  uint64_t size;
  uint32_t pattern;
  uint32_t pattern_size;
  std::promise<void> done;
};

namespace {

void fill_pattern(std::byte* dst, uint64_t size, uint32_t pattern, uint32_t pattern_size) {
  if (size == 0) return;
  // Narrowing keeps the low bytes as the host stores them (plugin.h).
  uint8_t p8 = static_cast<uint8_t>(pattern);
  uint16_t p16 = static_cast<uint16_t>(pattern);
  const void* element = pattern_size == 1   ? static_cast<const void*>(&p8)
                        : pattern_size == 2 ? static_cast<const void*>(&p16)
                                            : static_cast<const void*>(&pattern);
  std::memcpy(dst, element, pattern_size);
  // Double the filled prefix until the range is full.
  uint64_t filled = pattern_size;
  while (filled < size) {
    uint64_t n = filled < size - filled ? filled : size - filled;
    std::memcpy(dst + filled, dst, n);
    filled += n;
  }
}

}  // namespace

DmaEngine::DmaEngine(double bytes_per_second)
    : bytes_per_second_(bytes_per_second), thread_([this] { engine_thread(); }) {}

DmaEngine::~DmaEngine() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  queued_.notify_one();
  thread_.join();
}

void DmaEngine::copy(void* dst, const void* src, uint64_t size) {
  Transfer transfer{dst, src, size, 0, 0, {}};
  submit_and_wait(&transfer);
}

void DmaEngine::fill(void* dst, uint64_t size, uint32_t pattern, uint32_t pattern_size) {
  Transfer transfer{dst, nullptr, size, pattern, pattern_size, {}};
  submit_and_wait(&transfer);
}

void DmaEngine::submit_and_wait(Transfer* transfer) {
  std::future<void> done = transfer->done.get_future();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    queue_.push_back(transfer);
  }
  queued_.notify_one();
  done.wait();
}

void DmaEngine::engine_thread() {
  pthread_setname_np(pthread_self(), "asic_sim-dma");
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    queued_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and nothing left to do
    Transfer* transfer = queue_.front();
    queue_.pop_front();
    lock.unlock();

    auto start = std::chrono::steady_clock::now();
    if (transfer->src) {
      std::memcpy(transfer->dst, transfer->src, transfer->size);
    } else {
      fill_pattern(static_cast<std::byte*>(transfer->dst), transfer->size, transfer->pattern,
                   transfer->pattern_size);
    }
    // The bandwidth model: the transfer is not done before size / bandwidth.
    auto duration =
        std::chrono::duration<double>(static_cast<double>(transfer->size) / bytes_per_second_);
    std::this_thread::sleep_until(start +
                                  std::chrono::ceil<std::chrono::steady_clock::duration>(duration));
    transfer->done.set_value();

    lock.lock();
  }
}

}  // namespace asic_sim

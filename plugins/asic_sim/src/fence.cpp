#include "fence.hpp"

namespace asic_sim {

uint64_t Fence::arm() {
  std::lock_guard<std::mutex> lock(mutex_);
  return ++armed_;
}

uint64_t Fence::last_armed() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return armed_;
}

void Fence::signal(uint64_t sequence, uint64_t time_ns) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    // Records on different streams may finish out of order; an older one
    // finishing late must not move the fence back.
    if (sequence <= signalled_sequence_) return;
    signalled_sequence_ = sequence;
    signal_time_ns_ = time_ns;
  }
  signalled_.notify_all();
}

bool Fence::reached(uint64_t sequence) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return signalled_sequence_ >= sequence;
}

void Fence::wait(uint64_t sequence) const {
  std::unique_lock<std::mutex> lock(mutex_);
  signalled_.wait(lock, [&] { return signalled_sequence_ >= sequence; });
}

bool Fence::wait_for(uint64_t sequence, std::chrono::nanoseconds timeout) const {
  std::unique_lock<std::mutex> lock(mutex_);
  return signalled_.wait_for(lock, timeout, [&] { return signalled_sequence_ >= sequence; });
}

std::optional<uint64_t> Fence::completion_time_ns() const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (armed_ == 0 || signalled_sequence_ < armed_) return std::nullopt;
  return signal_time_ns_;
}

}  // namespace asic_sim

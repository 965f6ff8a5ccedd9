// A fence: what an ahal event is on this device. Each record of the event
// arms the fence with the next sequence number and queues a signal of that
// number on the stream; the event is complete when the highest number
// signalled reaches the last number armed. Streams that wait on the event
// wait for the number armed when the wait was enqueued.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>

namespace asic_sim {

class Fence {
 public:
  // A new record: returns its sequence number.
  uint64_t arm();
  uint64_t last_armed() const;
  // Called by a command processor when it reaches a record; `time_ns` is
  // the device clock then.
  void signal(uint64_t sequence, uint64_t time_ns);

  bool reached(uint64_t sequence) const;
  void wait(uint64_t sequence) const;
  // False when `timeout` passed first.
  bool wait_for(uint64_t sequence, std::chrono::nanoseconds timeout) const;
  // Device time of the last record's signal; nothing while it is pending
  // or if the fence was never armed.
  std::optional<uint64_t> completion_time_ns() const;

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable signalled_;
  uint64_t armed_ = 0;
  uint64_t signalled_sequence_ = 0;
  uint64_t signal_time_ns_ = 0;
};

// The device clock that timing events read: nanoseconds since the device
// was opened, on the host's steady clock.
class DeviceClock {
 public:
  uint64_t now_ns() const {
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                     std::chrono::steady_clock::now() - epoch_)
                                     .count());
  }

 private:
  std::chrono::steady_clock::time_point epoch_ = std::chrono::steady_clock::now();
};

}  // namespace asic_sim

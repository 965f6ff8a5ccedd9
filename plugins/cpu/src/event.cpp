// Events: a generation counter and the steady_clock time its last record
// completed, shared with the stream commands that record or wait for it.
#include "objects.hpp"

#include <chrono>

namespace ahal_cpu {

uint64_t EventState::next_record() {
  std::lock_guard<std::mutex> lock(mutex);
  return ++recorded;
}

uint64_t EventState::last_record() {
  std::lock_guard<std::mutex> lock(mutex);
  return recorded;
}

void EventState::complete(uint64_t generation) {
  const uint64_t t = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                               std::chrono::steady_clock::now().time_since_epoch())
                                               .count());
  {
    std::lock_guard<std::mutex> lock(mutex);
    // A later record that already ran keeps its timestamp.
    if (generation > completed) {
      completed = generation;
      timestamp_ns = t;
    }
  }
  cv.notify_all();
}

void EventState::wait_for(uint64_t generation) {
  std::unique_lock<std::mutex> lock(mutex);
  cv.wait(lock, [&] { return completed >= generation; });
}

bool CpuEvent::query() {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->completed >= state_->recorded;
}

bool CpuEvent::wait(uint64_t timeout_ns) {
  EventState& s = *state_;
  std::unique_lock<std::mutex> lock(s.mutex);
  const uint64_t target = s.recorded;
  auto done = [&] { return s.completed >= target; };
  // Timeouts beyond ~146 years are forever (and would overflow time_point).
  if (timeout_ns >= (uint64_t(1) << 62)) {
    s.cv.wait(lock, done);
    return true;
  }
  return s.cv.wait_for(lock, std::chrono::nanoseconds(timeout_ns), done);
}

uint64_t CpuEvent::elapsed_ns(plugin::Event& end_event) {
  auto& end = static_cast<CpuEvent&>(end_event);
  if (!timing_ || !end.timing_) {
    plugin::raise(AHAL_ERROR_INVALID_STATE, "the %s event was created without AHAL_EVENT_TIMING",
                  timing_ ? "end" : "start");
  }
  auto stamp = [](EventState& s, const char* which) {
    std::lock_guard<std::mutex> lock(s.mutex);
    if (s.recorded == 0)
      plugin::raise(AHAL_ERROR_INVALID_STATE, "the %s event was never recorded", which);
    if (s.completed < s.recorded)
      plugin::raise(AHAL_ERROR_INVALID_STATE, "the %s event has not completed", which);
    return s.timestamp_ns;
  };
  const uint64_t t0 = stamp(*state_, "start");
  const uint64_t t1 = stamp(*end.state_, "end");
  if (t1 < t0) {
    plugin::raise(AHAL_ERROR_INVALID_STATE,
                  "the end event completed %llu ns before the start event",
                  static_cast<unsigned long long>(t0 - t1));
  }
  return t1 - t0;
}

}  // namespace ahal_cpu

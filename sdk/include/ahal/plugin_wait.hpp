// ahal/plugin_wait.hpp: a bounded host wait for backends that have none
// (header only). cuEventQuery, hipEventQuery and clGetEventInfo can only
// be polled; event_wait with a timeout polls them through wait_polling().
#pragma once

#include <ahal/plugin_guard.hpp>

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <thread>

namespace ahal::plugin {

// Calls poll() until it returns anything but AHAL_NOT_READY, and returns
// that; after timeout_ns it fails with AHAL_ERROR_TIMEOUT instead. It yields
// at first, so short waits stay fast, then sleeps with a doubling backoff
// capped at 1 ms and never past the deadline.
template <class Poll>
ahal_status_t wait_polling(uint64_t timeout_ns, Poll&& poll) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point start = Clock::now();
  std::chrono::nanoseconds nap(1000);
  for (int round = 0;; ++round) {
    const ahal_status_t status = poll();
    if (status != AHAL_NOT_READY) return status;
    const uint64_t waited = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count());
    if (waited >= timeout_ns)
      return fail(AHAL_ERROR_TIMEOUT, "the event did not complete within %" PRIu64 " ns",
                  timeout_ns);
    if (round < 16) {
      std::this_thread::yield();
      continue;
    }
    std::this_thread::sleep_for(std::min(nap, std::chrono::nanoseconds(timeout_ns - waited)));
    nap = std::min(nap * 2, std::chrono::nanoseconds(1000000));
  }
}

}  // namespace ahal::plugin

// Bounded polling before a thread blocks: waking a blocked thread costs tens
// of microseconds, which would dominate short launches.
#pragma once

#include <sched.h>

#include <chrono>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace ahal_cpu {

// How long a thread polls for new work or completion before it sleeps.
constexpr std::chrono::microseconds kSpinTime{50};
// Pure busy-wait polls before polling switches to sched_yield.
constexpr int kBusyPolls = 16;

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// Polls done() for up to `limit`; returns its last value. After a short
// busy-wait it yields between polls: when the thread it waits for shares
// this CPU (an oversubscribed or busy machine), that thread runs at once
// instead of after the whole spin.
template <class Done>
bool spin_until(Done&& done, std::chrono::microseconds limit = kSpinTime) {
  for (int i = 0; i < kBusyPolls; ++i) {
    if (done()) return true;
    cpu_relax();
  }
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    sched_yield();
  }
  return done();
}

}  // namespace ahal_cpu

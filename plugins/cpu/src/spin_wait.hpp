// Bounded busy-waiting before a thread blocks: waking a blocked thread costs
// tens of microseconds, which would dominate short launches.
#pragma once

#include <chrono>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace ahal_cpu {

// How long a thread polls for new work before it sleeps.
constexpr std::chrono::microseconds kSpinTime{50};

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// Polls done() for up to `limit`; returns its last value.
template <class Done>
bool spin_until(Done&& done, std::chrono::microseconds limit = kSpinTime) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (unsigned i = 1;; ++i) {
    if (done()) return true;
    cpu_relax();
    if (i % 64 == 0 && std::chrono::steady_clock::now() >= deadline) return done();
  }
}

}  // namespace ahal_cpu

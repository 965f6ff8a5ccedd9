// The DMA engine: the only way bytes move into, out of and within device
// memory. It runs on its own thread and serves one transfer at a time, in
// the order they were submitted, like a single copy engine on a PCIe card.
// Its bandwidth model: a transfer of n bytes takes at least n / bandwidth.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <thread>

namespace asic_sim {

class DmaEngine {
 public:
  explicit DmaEngine(double bytes_per_second);
  ~DmaEngine();  // finishes the queued transfers, then stops the thread
  DmaEngine(const DmaEngine&) = delete;
  DmaEngine& operator=(const DmaEngine&) = delete;

  // Each call queues one transfer and returns when the engine has done it.
  void copy(void* dst, const void* src, uint64_t size);
  // Repeats the low `pattern_size` (1, 2 or 4) bytes of `pattern`.
  void fill(void* dst, uint64_t size, uint32_t pattern, uint32_t pattern_size);

  double bytes_per_second() const { return bytes_per_second_; }

 private:
  struct Transfer;
  void submit_and_wait(Transfer* transfer);
  void engine_thread();

  const double bytes_per_second_;
  std::mutex mutex_;
  std::condition_variable queued_;
  std::deque<Transfer*> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace asic_sim

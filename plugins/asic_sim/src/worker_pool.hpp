// The compute engines: a few host threads that run built-in operators.
// Command processors of all streams share them.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace asic_sim {

class WorkerPool {
 public:
  explicit WorkerPool(unsigned threads);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  unsigned size() const { return static_cast<unsigned>(threads_.size()); }

  // Splits [0, count) into at most size() contiguous parts, runs
  // body(begin, end) for each on the pool and returns when all are done.
  // `body` must not throw.
  void parallel_for(uint64_t count, const std::function<void(uint64_t, uint64_t)>& body);

 private:
  void worker_thread();

  std::mutex mutex_;
  std::condition_variable queued_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace asic_sim

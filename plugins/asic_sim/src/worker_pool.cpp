#include "worker_pool.hpp"

#include <pthread.h>

namespace asic_sim {

WorkerPool::WorkerPool(unsigned threads) {
  for (unsigned i = 0; i < threads; ++i) threads_.emplace_back([this] { worker_thread(); });
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  queued_.notify_all();
  for (auto& thread : threads_) thread.join();
}

void WorkerPool::parallel_for(uint64_t count, const std::function<void(uint64_t, uint64_t)>& body) {
  if (count == 0) return;
  uint64_t parts = count < size() ? count : size();
  std::mutex done_mutex;
  std::condition_variable done_cv;
  uint64_t remaining = parts;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (uint64_t part = 0; part < parts; ++part) {
      uint64_t begin = count * part / parts;
      uint64_t end = count * (part + 1) / parts;
      tasks_.emplace_back([&, begin, end] {
        body(begin, end);
        std::lock_guard<std::mutex> done_lock(done_mutex);
        if (--remaining == 0) done_cv.notify_one();
      });
    }
  }
  queued_.notify_all();
  std::unique_lock<std::mutex> done_lock(done_mutex);
  done_cv.wait(done_lock, [&] { return remaining == 0; });
}

void WorkerPool::worker_thread() {
  pthread_setname_np(pthread_self(), "asic_sim-pe");
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    queued_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
    if (tasks_.empty()) return;
    std::function<void()> task = std::move(tasks_.front());
    tasks_.pop_front();
    lock.unlock();
    task();
    lock.lock();
  }
}

}  // namespace asic_sim

#include "thread_pool.hpp"

#include "spin_wait.hpp"

#include <algorithm>
#include <cstdlib>
#include <new>

namespace ahal_cpu {

Scratch::Scratch(size_t bytes) : data_(std::aligned_alloc(64, (bytes + 63) / 64 * 64)) {
  if (!data_) throw std::bad_alloc();
}

Scratch::~Scratch() { std::free(data_); }

ThreadPool::ThreadPool(unsigned threads) {
  const unsigned workers = threads > 1 ? threads - 1 : 0;
  for (unsigned i = 0; i < workers; ++i) {
    scratch_.push_back(std::make_unique<Scratch>(kSharedMemoryBytes));
  }
  try {
    for (unsigned i = 0; i < workers; ++i) {
      workers_.emplace_back(&ThreadPool::worker_main, this, scratch_[i].get());
    }
  } catch (...) {
    stop_ = true;
    work_cv_.notify_all();
    for (std::thread& t : workers_) t.join();
    throw;
  }
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  work_cv_.notify_all();
  for (std::thread& t : workers_) t.join();
}

unsigned ThreadPool::claim_locked(Job* job) {
  const unsigned part = job->next++;
  if (job->next == job->parts) {
    jobs_.erase(std::find(jobs_.begin(), jobs_.end(), job));
    has_jobs_.store(!jobs_.empty(), std::memory_order_relaxed);
  }
  return part;
}

void ThreadPool::finish_part(Job* job, unsigned parts) {
  // After this increment the job may be gone (its owner returns): only the
  // pool's own members are touched from here on.
  if (job->done.fetch_add(1, std::memory_order_acq_rel) + 1 == parts) {
    { std::lock_guard<std::mutex> lock(done_mutex_); }
    done_cv_.notify_all();
  }
}

void ThreadPool::run(unsigned parts, PartFn fn, void* context, Scratch& caller_scratch) {
  if (parts <= 1 || workers_.empty()) {
    for (unsigned part = 0; part < parts; ++part) fn(context, part, parts, caller_scratch);
    return;
  }
  Job job{fn, context, parts, 0};
  unsigned sleepers;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    jobs_.push_back(&job);
    has_jobs_.store(true, std::memory_order_relaxed);
    sleepers = sleeping_;
  }
  const unsigned wake = std::min(sleepers, parts - 1);
  if (wake == sleepers) {
    work_cv_.notify_all();
  } else {
    for (unsigned i = 0; i < wake; ++i) work_cv_.notify_one();
  }

  // The caller works too, so the job progresses even if every worker is busy.
  for (;;) {
    unsigned part;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (job.next == parts) break;
      part = claim_locked(&job);
    }
    fn(context, part, parts, caller_scratch);
    job.done.fetch_add(1, std::memory_order_acq_rel);
  }
  auto finished = [&] { return job.done.load(std::memory_order_acquire) == parts; };
  if (!spin_until(finished)) {
    std::unique_lock<std::mutex> lock(done_mutex_);
    done_cv_.wait(lock, finished);
  }
}

void ThreadPool::worker_main(Scratch* scratch) {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    if (jobs_.empty() && !stop_) {
      lock.unlock();
      spin_until([&] {
        return has_jobs_.load(std::memory_order_relaxed) || stop_.load(std::memory_order_relaxed);
      });
      lock.lock();
      ++sleeping_;
      work_cv_.wait(lock, [&] { return stop_ || !jobs_.empty(); });
      --sleeping_;
    }
    if (stop_) return;
    Job* job = jobs_.front();
    const unsigned parts = job->parts;
    const PartFn fn = job->fn;
    void* const context = job->context;
    const unsigned part = claim_locked(job);
    lock.unlock();
    fn(context, part, parts, *scratch);
    finish_part(job, parts);
    lock.lock();
  }
}

}  // namespace ahal_cpu

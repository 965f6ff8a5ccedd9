// The worker threads that run a launch's workgroups (and large copies).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace ahal_cpu {

// Dynamic shared memory of one workgroup, in bytes (device property).
constexpr unsigned kSharedMemoryBytes = 64 * 1024;

// 64-byte-aligned memory a thread hands to the workgroups it runs.
class Scratch {
 public:
  explicit Scratch(size_t bytes);
  ~Scratch();
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  void* data() const { return data_; }

 private:
  void* data_;
};

// `threads` threads share each job: the caller of run() and threads - 1
// workers. A job is split into parts; each part is claimed by one thread,
// so a job still finishes when the workers are busy with another stream's.
class ThreadPool {
 public:
  using PartFn = void (*)(void* context, unsigned part, unsigned parts, Scratch& scratch);

  explicit ThreadPool(unsigned threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  // Threads a job can use at once, the caller included.
  unsigned threads() const { return static_cast<unsigned>(workers_.size()) + 1; }

  // Runs fn(context, part, parts, scratch) for each part in [0, parts) and
  // returns when all are done. fn must not throw.
  void run(unsigned parts, PartFn fn, void* context, Scratch& caller_scratch);

  template <class F>
  void run(unsigned parts, Scratch& caller_scratch, F& f) {
    run(
        parts,
        [](void* context, unsigned part, unsigned n, Scratch& scratch) {
          (*static_cast<F*>(context))(part, n, scratch);
        },
        &f, caller_scratch);
  }

 private:
  struct Job {
    PartFn fn;
    void* context;
    unsigned parts;
    unsigned next;                  // next unclaimed part, guarded by mutex_
    std::atomic<unsigned> done{0};  // finished parts
  };

  void worker_main(Scratch* scratch);
  // Claims the next part of the front job; mutex_ must be held.
  unsigned claim_locked(Job* job);
  void finish_part(Job* job, unsigned parts);

  std::mutex mutex_;
  std::condition_variable work_cv_;
  std::deque<Job*> jobs_;  // jobs with unclaimed parts
  std::atomic<bool> has_jobs_{false};
  std::atomic<bool> stop_{false};
  unsigned sleeping_ = 0;

  std::mutex done_mutex_;
  std::condition_variable done_cv_;

  std::vector<std::unique_ptr<Scratch>> scratch_;
  std::vector<std::thread> workers_;
};

}  // namespace ahal_cpu

// A stream's command processor: one thread that takes the stream's
// commands in the order they were enqueued and runs each to completion
// before the next (copies wait for the DMA engine, launches for the compute
// engines, fence waits for their fence).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace asic_sim {

class CommandProcessor {
 public:
  explicit CommandProcessor(std::string thread_name);
  ~CommandProcessor();  // runs what is still queued, then stops the thread
  CommandProcessor(const CommandProcessor&) = delete;
  CommandProcessor& operator=(const CommandProcessor&) = delete;

  // Queues a command; it runs on the processor thread and must not throw.
  void submit(std::function<void()> command);
  // Returns once every command submitted before the call has run.
  void synchronize();
  bool idle() const;

 private:
  void processor_thread();

  const std::string thread_name_;
  mutable std::mutex mutex_;
  std::condition_variable queued_;
  std::condition_variable progressed_;
  std::deque<std::function<void()>> queue_;
  uint64_t submitted_ = 0;
  uint64_t completed_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace asic_sim

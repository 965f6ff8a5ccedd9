#include "command_processor.hpp"

#include <pthread.h>

namespace asic_sim {

CommandProcessor::CommandProcessor(std::string thread_name)
    : thread_name_(std::move(thread_name)), thread_([this] { processor_thread(); }) {}

CommandProcessor::~CommandProcessor() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  queued_.notify_one();
  thread_.join();
}

void CommandProcessor::submit(std::function<void()> command) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    queue_.push_back(std::move(command));
    ++submitted_;
  }
  queued_.notify_one();
}

void CommandProcessor::synchronize() {
  std::unique_lock<std::mutex> lock(mutex_);
  uint64_t target = submitted_;
  progressed_.wait(lock, [&] { return completed_ >= target; });
}

bool CommandProcessor::idle() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return completed_ == submitted_;
}

void CommandProcessor::processor_thread() {
  // Linux limits thread names to 15 characters.
  pthread_setname_np(pthread_self(), thread_name_.substr(0, 15).c_str());
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    queued_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;
    std::function<void()> command = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    command();
    lock.lock();
    ++completed_;
    progressed_.notify_all();
  }
}

}  // namespace asic_sim

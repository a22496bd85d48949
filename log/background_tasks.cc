// BackgroundTasks: a due-time ordered queue served by one thread.
#include "log/background_tasks.h"

#include <chrono>

namespace gregor::log {
namespace {

int64_t steady_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

BackgroundTasks::BackgroundTasks(PostToLoop post_to_loop)
    : post_to_loop_(std::move(post_to_loop)), thread_([this] { run(); }) {}

BackgroundTasks::~BackgroundTasks() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void BackgroundTasks::submit(std::function<void()> work, std::function<void()> done) {
  {
    std::lock_guard lock(mu_);
    queue_.emplace(steady_now_ms(), Task{std::move(work), std::move(done)});
  }
  cv_.notify_all();
}

void BackgroundTasks::submit_after(int64_t delay_ms, std::function<void()> work) {
  {
    std::lock_guard lock(mu_);
    queue_.emplace(steady_now_ms() + delay_ms, Task{std::move(work), {}});
  }
  cv_.notify_all();
}

void BackgroundTasks::wait_idle(bool include_delayed) {
  std::unique_lock lock(mu_);
  if (include_delayed) {
    // Make every delayed task due now, keeping their order.
    std::multimap<int64_t, Task> due;
    int64_t now = steady_now_ms();
    for (auto& [when, task] : queue_) due.emplace(std::min(when, now), std::move(task));
    queue_.swap(due);
    cv_.notify_all();
  }
  cv_.wait(lock,
           [&] { return !running_task_ && (queue_.empty() || queue_.begin()->first > steady_now_ms()); });
}

void BackgroundTasks::run() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    if (queue_.empty()) {
      cv_.wait(lock);
      continue;
    }
    int64_t now = steady_now_ms();
    auto first = queue_.begin();
    if (first->first > now) {
      cv_.wait_for(lock, std::chrono::milliseconds(first->first - now));
      continue;
    }
    Task task = std::move(first->second);
    queue_.erase(first);
    running_task_ = true;
    lock.unlock();
    task.work();
    if (task.done) {
      if (post_to_loop_) {
        post_to_loop_(std::move(task.done));
      } else {
        task.done();
      }
    }
    lock.lock();
    running_task_ = false;
    cv_.notify_all();
  }
}

}  // namespace gregor::log

// BackgroundTasks: one helper thread for fsyncs and delayed file deletion; completions go back to the
// owner's loop through post_to_loop.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

namespace gregor::log {

class BackgroundTasks {
 public:
  using PostToLoop = std::function<void(std::function<void()>)>;

  // post_to_loop may be empty: completions then run on the helper thread (tests only).
  explicit BackgroundTasks(PostToLoop post_to_loop);
  // Stops the thread; tasks not yet due are dropped (their files are cleaned up at the next start-up).
  ~BackgroundTasks();
  BackgroundTasks(const BackgroundTasks&) = delete;
  BackgroundTasks& operator=(const BackgroundTasks&) = delete;

  // Runs `work` on the helper thread, then posts `done` (if any) to the loop.
  void submit(std::function<void()> work, std::function<void()> done = {});
  void submit_after(int64_t delay_ms, std::function<void()> work);
  // Blocks until every task due now (and, if include_delayed, every delayed one) has run.
  void wait_idle(bool include_delayed);

 private:
  struct Task {
    std::function<void()> work;
    std::function<void()> done;
  };
  void run();

  PostToLoop post_to_loop_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::multimap<int64_t, Task> queue_;  // by due time (steady clock ms)
  bool running_task_ = false;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace gregor::log

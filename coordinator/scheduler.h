// Scheduler: the clock and one-shot timers the group coordinator runs on (the broker's event loop, or a test
// clock).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

namespace gregor::coordinator {

// Everything the coordinator does happens on one thread: the thread that calls its methods and runs
// these timers. No thread per member: session, rebalance and sync deadlines are timers here.
class Scheduler {
 public:
  virtual ~Scheduler() = default;

  virtual int64_t now_ms() = 0;

  // Destroying a Timer cancels it. The coordinator destroys timers from inside their own callbacks
  // (an expired member removes itself), so an implementation must move the callback out of the
  // timer before running it, and must tolerate the Timer being destroyed while the callback runs.
  class Timer {
   public:
    virtual ~Timer() = default;
  };
  virtual std::unique_ptr<Timer> schedule(int64_t delay_ms, std::function<void()> fn) = 0;
};

}  // namespace gregor::coordinator

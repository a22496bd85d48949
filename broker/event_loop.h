// EventLoop: the one libevent loop that owns all broker state, with RAII timers and a thread-safe post().
#pragma once

#include <event2/event.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

namespace gregor::broker {

struct EventBaseDeleter {
  void operator()(event_base* b) const { event_base_free(b); }
};
struct EventDeleter {
  void operator()(event* e) const { event_free(e); }
};
using EventPtr = std::unique_ptr<event, EventDeleter>;

// A one-shot or periodic timer; destroying it cancels it.
class Timer {
 public:
  Timer(event_base* base, std::function<void()> fn, bool periodic);
  void arm(std::chrono::milliseconds delay);
  void cancel();
  bool pending() const;

 private:
  static void on_fire(evutil_socket_t, short, void* arg);
  std::function<void()> fn_;
  EventPtr ev_;
};

class EventLoop {
 public:
  EventLoop();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  event_base* base() const { return base_.get(); }
  void run();
  void stop();

  // Runs fn on the loop thread; callable from any thread. The only lock in the broker.
  void post(std::function<void()> fn);

  // Runs fn after delay on the loop; keep the returned timer alive until it fires.
  std::unique_ptr<Timer> run_after(std::chrono::milliseconds delay, std::function<void()> fn);
  std::unique_ptr<Timer> run_every(std::chrono::milliseconds period, std::function<void()> fn);

  // Wall clock in ms (cached per loop iteration by libevent).
  int64_t now_ms() const;

 private:
  static void on_wakeup(evutil_socket_t fd, short, void* arg);
  std::unique_ptr<event_base, EventBaseDeleter> base_;
  int wake_fd_ = -1;
  EventPtr wake_ev_;
  std::mutex mu_;
  std::vector<std::function<void()>> posted_;
};

}  // namespace gregor::broker

// EventLoop: libevent base, eventfd wake-ups for post(), timers.
#include "broker/event_loop.h"

#include <sys/eventfd.h>
#include <sys/time.h>
#include <unistd.h>

#include <stdexcept>

namespace gregor::broker {

Timer::Timer(event_base* base, std::function<void()> fn, bool periodic)
    : fn_(std::move(fn)), ev_(event_new(base, -1, periodic ? EV_PERSIST : 0, &Timer::on_fire, this)) {
  if (!ev_) throw std::runtime_error("event_new failed for a timer");
}

void Timer::arm(std::chrono::milliseconds delay) {
  timeval tv{static_cast<time_t>(delay.count() / 1000), static_cast<suseconds_t>((delay.count() % 1000) * 1000)};
  event_add(ev_.get(), &tv);
}

void Timer::cancel() { event_del(ev_.get()); }

bool Timer::pending() const { return event_pending(ev_.get(), EV_TIMEOUT, nullptr) != 0; }

void Timer::on_fire(evutil_socket_t, short, void* arg) {
  // Copy: fn_ may destroy this timer.
  auto fn = static_cast<Timer*>(arg)->fn_;
  fn();
}

EventLoop::EventLoop() : base_(event_base_new()) {
  if (!base_) throw std::runtime_error("event_base_new failed");
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0) throw std::runtime_error("eventfd failed");
  wake_ev_.reset(event_new(base_.get(), wake_fd_, EV_READ | EV_PERSIST, &EventLoop::on_wakeup, this));
  event_add(wake_ev_.get(), nullptr);
}

EventLoop::~EventLoop() {
  wake_ev_.reset();
  if (wake_fd_ >= 0) close(wake_fd_);
}

void EventLoop::run() { event_base_loop(base_.get(), EVLOOP_NO_EXIT_ON_EMPTY); }

void EventLoop::stop() { event_base_loopbreak(base_.get()); }

void EventLoop::post(std::function<void()> fn) {
  {
    std::lock_guard lock(mu_);
    posted_.push_back(std::move(fn));
  }
  uint64_t one = 1;
  [[maybe_unused]] auto n = write(wake_fd_, &one, sizeof one);
}

void EventLoop::on_wakeup(evutil_socket_t fd, short, void* arg) {
  auto* self = static_cast<EventLoop*>(arg);
  uint64_t count;
  [[maybe_unused]] auto n = read(fd, &count, sizeof count);
  std::vector<std::function<void()>> batch;
  {
    std::lock_guard lock(self->mu_);
    batch.swap(self->posted_);
  }
  for (auto& fn : batch) fn();
}

std::unique_ptr<Timer> EventLoop::run_after(std::chrono::milliseconds delay, std::function<void()> fn) {
  auto t = std::make_unique<Timer>(base_.get(), std::move(fn), false);
  t->arm(delay);
  return t;
}

std::unique_ptr<Timer> EventLoop::run_every(std::chrono::milliseconds period, std::function<void()> fn) {
  auto t = std::make_unique<Timer>(base_.get(), std::move(fn), true);
  t->arm(period);
  return t;
}

int64_t EventLoop::now_ms() const {
  timeval tv;
  event_base_gettimeofday_cached(base_.get(), &tv);
  return static_cast<int64_t>(tv.tv_sec) * 1000 + tv.tv_usec / 1000;
}

}  // namespace gregor::broker

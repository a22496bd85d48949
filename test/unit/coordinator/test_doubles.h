// Test doubles of the coordinator's own interfaces: a hand-driven clock and an in-memory OffsetsLog.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "coordinator/offsets_log.h"
#include "coordinator/scheduler.h"

namespace gregor::coordinator::testing {

// Time moves only in advance(); timers due by then fire in deadline order (ties in scheduling order).
class FakeScheduler : public Scheduler {
 public:
  int64_t now_ms() override { return now_; }

  std::unique_ptr<Timer> schedule(int64_t delay_ms, std::function<void()> fn) override {
    auto entry =
        std::make_shared<Entry>(Entry{now_ + std::max<int64_t>(delay_ms, 0), next_seq_++, std::move(fn)});
    entries_.push_back(entry);
    return std::make_unique<TimerImpl>(entry);
  }

  void advance(int64_t ms) {
    int64_t target = now_ + ms;
    while (true) {
      std::erase_if(entries_, [](const auto& e) { return e->cancelled; });
      auto it = std::min_element(entries_.begin(), entries_.end(), [](const auto& a, const auto& b) {
        return std::pair(a->due, a->seq) < std::pair(b->due, b->seq);
      });
      if (it == entries_.end() || (*it)->due > target) break;
      std::shared_ptr<Entry> entry = *it;
      entries_.erase(it);
      now_ = entry->due;
      entry->cancelled = true;
      // Moved out first: the coordinator may destroy the Timer from inside the callback.
      std::function<void()> fn = std::move(entry->fn);
      fn();
    }
    now_ = target;
  }

  size_t active_timers() const {
    return std::count_if(entries_.begin(), entries_.end(), [](const auto& e) { return !e->cancelled; });
  }

 private:
  struct Entry {
    int64_t due;
    uint64_t seq;
    std::function<void()> fn;
    bool cancelled = false;
  };
  class TimerImpl : public Timer {
   public:
    explicit TimerImpl(std::weak_ptr<Entry> e) : entry_(std::move(e)) {}
    ~TimerImpl() override {
      if (auto e = entry_.lock()) e->cancelled = true;
    }

   private:
    std::weak_ptr<Entry> entry_;
  };

  int64_t now_ = 1'700'000'000'000;
  uint64_t next_seq_ = 0;
  std::vector<std::shared_ptr<Entry>> entries_;
};

// Keeps each partition's records in append order. Appends complete at once unless held or failing.
class MemoryOffsetsLog : public OffsetsLog {
 public:
  void append(int32_t partition, std::vector<Record> records, std::function<void(ErrorCode)> done) override {
    ++appends;
    if (fail_with != ErrorCode::NONE) return done(fail_with);
    auto complete = [this, partition, records = std::move(records), done = std::move(done)]() mutable {
      auto& log = partitions[partition];
      log.insert(log.end(), records.begin(), records.end());
      done(ErrorCode::NONE);
    };
    if (hold) {
      held.push_back(std::move(complete));
    } else {
      complete();
    }
  }

  void release_all() {
    auto pending = std::move(held);
    held.clear();
    for (auto& f : pending) f();
  }

  std::map<int32_t, std::vector<Record>> partitions;
  bool hold = false;
  ErrorCode fail_with = ErrorCode::NONE;
  std::vector<std::function<void()>> held;
  int appends = 0;
};

}  // namespace gregor::coordinator::testing

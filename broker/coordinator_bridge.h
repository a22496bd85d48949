// CoordinatorBridge: runs the group coordinator on the broker — its timers on the event loop, its records in
// the local __consumer_offsets partitions, and loading/unloading as this broker gains or loses their leadership.
#pragma once

#include <memory>

#include "broker/event_loop.h"
#include "broker/replica_manager.h"
#include "coordinator/offsets_log.h"
#include "coordinator/scheduler.h"

namespace gregor::coordinator {
class GroupCoordinator;
}

namespace gregor::broker {

class CoordinatorBridge : public coordinator::Scheduler, public coordinator::OffsetsLog {
 public:
  CoordinatorBridge(EventLoop& loop, ReplicaManager& replicas);
  ~CoordinatorBridge() override;
  void attach(coordinator::GroupCoordinator& coordinator) { coordinator_ = &coordinator; }

  // Scheduler
  int64_t now_ms() override { return loop_.now_ms(); }
  std::unique_ptr<Timer> schedule(int64_t delay_ms, std::function<void()> fn) override;

  // OffsetsLog: one batch appended as leader with acks=all semantics.
  void append(int32_t partition, std::vector<Record> records, std::function<void(ErrorCode)> done) override;

  // Called when this broker becomes leader of (or stops leading) a __consumer_offsets partition.
  void on_leadership(const log::TopicPartition& tp, bool is_leader);

 private:
  std::vector<Record> read_all(Partition& partition) const;

  EventLoop& loop_;
  ReplicaManager& replicas_;
  coordinator::GroupCoordinator* coordinator_ = nullptr;
};

}  // namespace gregor::broker

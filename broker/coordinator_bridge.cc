// CoordinatorBridge: loop timers, __consumer_offsets appends and partition loading for the group coordinator.
#include "broker/coordinator_bridge.h"

#include <unistd.h>

#include "broker/logging.h"
#include "broker/metadata_cache.h"
#include "coordinator/group_coordinator.h"
#include "protocol/record_batch.h"

namespace gregor::broker {
namespace {

class LoopTimer : public coordinator::Scheduler::Timer {
 public:
  explicit LoopTimer(std::unique_ptr<broker::Timer> t) : timer_(std::move(t)) {}

 private:
  std::unique_ptr<broker::Timer> timer_;
};

}  // namespace

CoordinatorBridge::CoordinatorBridge(EventLoop& loop, ReplicaManager& replicas) : loop_(loop), replicas_(replicas) {}

CoordinatorBridge::~CoordinatorBridge() = default;

std::unique_ptr<coordinator::Scheduler::Timer> CoordinatorBridge::schedule(int64_t delay_ms, std::function<void()> fn) {
  return std::make_unique<LoopTimer>(loop_.run_after(std::chrono::milliseconds(std::max<int64_t>(delay_ms, 0)),
                                                     std::move(fn)));
}

void CoordinatorBridge::append(int32_t partition, std::vector<Record> records, std::function<void(ErrorCode)> done) {
  if (records.empty()) return done(ErrorCode::NONE);
  RecordBatchBuilder builder(batch::Compression::none);
  int64_t now = loop_.now_ms();
  for (auto& r : records) {
    std::optional<std::span<const uint8_t>> value;
    if (r.value) value = std::span<const uint8_t>(*r.value);
    builder.append(std::span<const uint8_t>(r.key), value, {}, now);
  }
  auto bytes = builder.build();
  log::TopicPartition tp{kConsumerOffsetsTopic, partition};
  auto result = replicas_.append(tp, bytes, -1);
  if (result.error != ErrorCode::NONE) {
    logger("group")->warn("[{}-{}] append of {} group records failed: {} {}", kConsumerOffsetsTopic, partition,
                          records.size(), to_string(result.error), result.message);
    return done(result.error);
  }
  // acks=all: committed once the ISR has the batch (offsets.commit.timeout.ms, Kafka's default 5000 ms).
  constexpr int64_t kOffsetsCommitTimeoutMs = 5000;
  replicas_.wait_for_acks({{tp, result.last_offset + 1}}, kOffsetsCommitTimeoutMs,
                          [done = std::move(done)](std::vector<ErrorCode> errors) { done(errors.at(0)); });
}

std::vector<coordinator::OffsetsLog::Record> CoordinatorBridge::read_all(Partition& partition) const {
  std::vector<Record> out;
  int64_t offset = partition.log_start_offset();
  int64_t end = partition.log_end_offset();
  while (offset < end) {
    auto data = partition.log().read(offset, 1 << 20, end, true);
    if (!data || data->bytes == 0) break;
    std::vector<uint8_t> buf(static_cast<size_t>(data->bytes));
    size_t pos = 0;
    for (auto& region : data->regions) {
      ssize_t n = pread(region.fd, buf.data() + pos, static_cast<size_t>(region.length), region.offset);
      if (n != region.length) return out;
      pos += static_cast<size_t>(n);
    }
    auto batches = decode_batches(buf, true);
    if (!batches || batches->empty()) break;
    for (auto& b : *batches) {
      for (auto& r : b.records) {
        if (!r.key) continue;
        out.push_back(Record{*r.key, r.value});
      }
      offset = b.last_offset + 1;
    }
  }
  return out;
}

void CoordinatorBridge::on_leadership(const log::TopicPartition& tp, bool is_leader) {
  if (!coordinator_ || tp.topic != kConsumerOffsetsTopic) return;
  if (!is_leader) {
    coordinator_->on_resignation(tp.partition);
    return;
  }
  Partition* p = replicas_.partition(tp);
  if (!p) return;
  coordinator_->begin_loading(tp.partition);
  // Loading runs on a later loop turn so requests meanwhile see COORDINATOR_LOAD_IN_PROGRESS.
  loop_.post([this, tp] {
    Partition* p = replicas_.partition(tp);
    if (!p || !p->is_leader()) return;
    auto records = read_all(*p);
    logger("group")->info("[{}] loaded {} group records", tp.to_string(), records.size());
    coordinator_->on_election(tp.partition, records);
  });
}

}  // namespace gregor::broker

// ProducerIdManager: serves ids from the current block; callers wait while the next block is reserved.
#include "broker/producer_id_manager.h"

#include "broker/logging.h"

namespace gregor::broker {

void ProducerIdManager::next(Done done) {
  if (next_id_ <= block_end_ && waiting_.empty()) return done(ErrorCode::NONE, next_id_++);
  waiting_.push_back(std::move(done));
  fetch_block();
}

void ProducerIdManager::fetch_block() {
  if (fetching_) return;
  fetching_ = true;
  zk_.allocate_producer_id_block(broker_id_, [this](zk::ZkError err, zk::ProducerIdBlock block) {
    fetching_ = false;
    if (err != zk::ZkError::ok) {
      logger("broker")->warn("cannot reserve a producer id block: {}", zk::to_string(err));
      auto waiting = std::move(waiting_);
      waiting_.clear();
      for (auto& d : waiting) d(ErrorCode::COORDINATOR_NOT_AVAILABLE, -1);
      return;
    }
    logger("broker")->info("reserved producer ids [{}, {}]", block.block_start, block.block_end);
    next_id_ = block.block_start;
    block_end_ = block.block_end;
    while (!waiting_.empty() && next_id_ <= block_end_) {
      auto d = std::move(waiting_.front());
      waiting_.pop_front();
      d(ErrorCode::NONE, next_id_++);
    }
    if (!waiting_.empty()) fetch_block();
  });
}

}  // namespace gregor::broker

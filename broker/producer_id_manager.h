// ProducerIdManager: hands out producer ids from blocks of 1000 reserved in /latest_producer_id_block.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>

#include "protocol/error_code.h"
#include "zk/kafka_zk_client.h"

namespace gregor::broker {

class ProducerIdManager {
 public:
  using Done = std::function<void(ErrorCode, int64_t producer_id)>;
  ProducerIdManager(zk::KafkaZkClient& zk, int32_t broker_id) : zk_(zk), broker_id_(broker_id) {}
  void next(Done done);

 private:
  void fetch_block();
  zk::KafkaZkClient& zk_;
  int32_t broker_id_;
  int64_t next_id_ = 0;
  int64_t block_end_ = -1;  // inclusive; next_id_ > block_end_ means "need a block"
  bool fetching_ = false;
  std::deque<Done> waiting_;
};

}  // namespace gregor::broker

// DefaultPartitioner: murmur2 key hashing and the sticky choice for null keys.
#include "client/partitioner.h"

#include "protocol/hash.h"

namespace gregor::client {

int32_t DefaultPartitioner::partition(const std::string& topic, std::optional<std::span<const uint8_t>> key,
                                      int32_t num_partitions, const std::vector<int32_t>& available) {
  if (key) return partition_for_key(*key, num_partitions);
  Sticky* e = find(topic);
  if (e != nullptr && e->second >= 0 && e->second < num_partitions) return e->second;
  int32_t p = pick(num_partitions, available, -1);
  if (e == nullptr) e = last_ = &*sticky_.emplace(topic, p).first;
  e->second = p;
  return p;
}

std::optional<int32_t> DefaultPartitioner::sticky_partition(const std::string& topic,
                                                            int32_t num_partitions) const {
  const Sticky* e = find(topic);
  if (e == nullptr || e->second < 0 || e->second >= num_partitions) return std::nullopt;
  return e->second;
}

void DefaultPartitioner::on_new_batch(const std::string& topic, int32_t previous_partition) {
  Sticky* e = find(topic);
  if (e != nullptr && e->second == previous_partition) e->second = -1;
}

DefaultPartitioner::Sticky* DefaultPartitioner::find(const std::string& topic) const {
  if (last_ != nullptr && last_->first == topic) return last_;
  auto it = sticky_.find(topic);
  if (it == sticky_.end()) return nullptr;
  last_ = &*it;
  return last_;
}

int32_t DefaultPartitioner::pick(int32_t num_partitions, const std::vector<int32_t>& available,
                                 int32_t avoid) {
  std::vector<int32_t> choices;
  for (int32_t p : available) {
    if (p >= 0 && p < num_partitions && p != avoid) choices.push_back(p);
  }
  if (choices.empty()) {
    std::uniform_int_distribution<int32_t> any(0, num_partitions - 1);
    return any(rng_);
  }
  std::uniform_int_distribution<size_t> one(0, choices.size() - 1);
  return choices[one(rng_)];
}

}  // namespace gregor::client

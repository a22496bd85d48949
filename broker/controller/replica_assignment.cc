// Replica assignment: first replicas round-robin from a start index, followers shifted so load spreads evenly.
#include "broker/controller/replica_assignment.h"

#include <algorithm>
#include <random>

namespace gregor::broker {
namespace {

int32_t replica_index(int32_t first_replica_index, int32_t second_replica_shift, int32_t replica, int32_t n) {
  int32_t shift = 1 + (second_replica_shift + replica) % (n - 1);
  return (first_replica_index + shift) % n;
}

}  // namespace

std::map<int32_t, std::vector<int32_t>> assign_replicas_to_brokers(std::vector<int32_t> broker_ids,
                                                                   int32_t num_partitions, int32_t replication_factor,
                                                                   int32_t start_index, int32_t replica_shift,
                                                                   int32_t start_partition_id) {
  std::sort(broker_ids.begin(), broker_ids.end());
  int32_t n = static_cast<int32_t>(broker_ids.size());
  std::random_device rd;
  std::uniform_int_distribution<int32_t> pick(0, n - 1);
  if (start_index < 0) start_index = pick(rd);
  int32_t next_replica_shift = replica_shift < 0 ? pick(rd) : replica_shift;
  int32_t current = std::max(0, start_partition_id);
  std::map<int32_t, std::vector<int32_t>> out;
  for (int32_t i = 0; i < num_partitions; ++i) {
    if (current > 0 && current % n == 0) next_replica_shift += 1;
    int32_t first = (current + start_index) % n;
    std::vector<int32_t> replicas{broker_ids[first]};
    for (int32_t j = 0; j < replication_factor - 1; ++j) {
      replicas.push_back(broker_ids[replica_index(first, next_replica_shift, j, n)]);
    }
    out[current] = std::move(replicas);
    current += 1;
  }
  return out;
}

}  // namespace gregor::broker

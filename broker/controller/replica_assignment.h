// Replica assignment: Kafka's rack-unaware spread of partition replicas over brokers (AdminUtils.assignReplicasToBrokers).
#pragma once

#include <cstdint>
#include <map>
#include <vector>

namespace gregor::broker {

// broker_ids need not be sorted. start_index / replica_shift of -1 mean "random", as in Kafka; tests pass fixed values.
// Requires 1 <= replication_factor <= broker_ids.size() and num_partitions >= 1.
std::map<int32_t, std::vector<int32_t>> assign_replicas_to_brokers(std::vector<int32_t> broker_ids,
                                                                   int32_t num_partitions, int32_t replication_factor,
                                                                   int32_t start_index = -1, int32_t replica_shift = -1,
                                                                   int32_t start_partition_id = 0);

}  // namespace gregor::broker

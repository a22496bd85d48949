// The table of implemented APIs and versions (protocol.md §4.2, bold column).
#include "protocol/api_versions_table.h"

#include <array>

namespace gregor {

namespace {

constexpr std::array<ApiVersionRange, 23> kTable{{
    {ApiKey::Produce, 0, 8, 9, 3},
    {ApiKey::Fetch, 4, 11, 12, 4},
    {ApiKey::ListOffsets, 1, 5, 6, 1},
    {ApiKey::Metadata, 0, 8, 9, 0},
    {ApiKey::OffsetCommit, 2, 7, 8, 2},
    {ApiKey::OffsetFetch, 1, 5, 6, 1},
    {ApiKey::FindCoordinator, 0, 2, 3, 0},
    {ApiKey::JoinGroup, 0, 5, 6, 0},
    {ApiKey::Heartbeat, 0, 3, 4, 0},
    {ApiKey::LeaveGroup, 0, 3, 4, 0},
    {ApiKey::SyncGroup, 0, 3, 4, 0},
    {ApiKey::DescribeGroups, 0, 4, 5, 0},
    {ApiKey::ListGroups, 0, 2, 3, 0},
    {ApiKey::ApiVersions, 0, 3, 3, 0},
    {ApiKey::CreateTopics, 2, 4, 5, 2},
    {ApiKey::DeleteTopics, 1, 3, 4, 1},
    {ApiKey::InitProducerId, 0, 1, 2, 0},
    {ApiKey::OffsetForLeaderEpoch, 2, 3, 4, 2},
    {ApiKey::DescribeConfigs, 1, 3, 4, 1},
    {ApiKey::AlterConfigs, 0, 1, 2, 0},
    {ApiKey::CreatePartitions, 0, 1, 2, 0},
    {ApiKey::DeleteGroups, 0, 1, 2, 0},
    {ApiKey::IncrementalAlterConfigs, 0, 1, 1, 0},
}};

}  // namespace

std::span<const ApiVersionRange> api_versions_table() { return kTable; }

const ApiVersionRange* find_api(ApiKey key) {
  for (const auto& entry : kTable) {
    if (entry.key == key) return &entry;
  }
  return nullptr;
}

bool is_supported_request(ApiKey key, int16_t version) {
  const ApiVersionRange* api = find_api(key);
  return api != nullptr && version >= api->min_served_version && version <= api->max_version;
}

bool is_flexible(ApiKey key, int16_t version) {
  const ApiVersionRange* api = find_api(key);
  return api != nullptr && version >= api->first_flexible_version;
}

int16_t request_header_version(ApiKey key, int16_t version) { return is_flexible(key, version) ? 2 : 1; }

int16_t response_header_version(ApiKey key, int16_t version) {
  if (key == ApiKey::ApiVersions) return 0;
  return is_flexible(key, version) ? 1 : 0;
}

}  // namespace gregor

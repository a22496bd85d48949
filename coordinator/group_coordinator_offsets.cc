// GroupCoordinator, storage half: offsets, group records, describe/list/delete, retention, loading.
#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "coordinator/group_coordinator.h"
#include "coordinator/logger.h"

namespace gregor::coordinator {
namespace {

// Operations a group supports, as the bit field DescribeGroups v3+ reports without an authorizer:
// READ (3), DELETE (6), DESCRIBE (8).
constexpr int32_t kGroupAuthorizedOperations = (1 << 3) | (1 << 6) | (1 << 8);

// Log append errors as a commit reports them (GroupMetadataManager.storeOffsets).
ErrorCode commit_error(ErrorCode e) {
  switch (e) {
    case ErrorCode::UNKNOWN_TOPIC_OR_PARTITION:
    case ErrorCode::NOT_ENOUGH_REPLICAS:
    case ErrorCode::NOT_ENOUGH_REPLICAS_AFTER_APPEND:
      return ErrorCode::COORDINATOR_NOT_AVAILABLE;
    case ErrorCode::NOT_LEADER_OR_FOLLOWER:
    case ErrorCode::KAFKA_STORAGE_ERROR:
      return ErrorCode::NOT_COORDINATOR;
    case ErrorCode::MESSAGE_TOO_LARGE:
    case ErrorCode::RECORD_LIST_TOO_LARGE:
    case ErrorCode::INVALID_FETCH_SIZE:
      return ErrorCode::INVALID_COMMIT_OFFSET_SIZE;
    default:
      return e;
  }
}

// Log append errors as a group metadata write reports them (GroupMetadataManager.storeGroup).
ErrorCode store_group_error(ErrorCode e) {
  switch (e) {
    case ErrorCode::UNKNOWN_TOPIC_OR_PARTITION:
    case ErrorCode::NOT_ENOUGH_REPLICAS:
    case ErrorCode::NOT_ENOUGH_REPLICAS_AFTER_APPEND:
      return ErrorCode::COORDINATOR_NOT_AVAILABLE;
    case ErrorCode::NOT_LEADER_OR_FOLLOWER:
    case ErrorCode::KAFKA_STORAGE_ERROR:
      return ErrorCode::NOT_COORDINATOR;
    case ErrorCode::REQUEST_TIMED_OUT:
      return ErrorCode::REBALANCE_IN_PROGRESS;
    case ErrorCode::MESSAGE_TOO_LARGE:
    case ErrorCode::RECORD_LIST_TOO_LARGE:
    case ErrorCode::INVALID_FETCH_SIZE:
      return ErrorCode::UNKNOWN_SERVER_ERROR;
    default:
      return e;
  }
}

// Java String.length() of a UTF-8 string: UTF-16 code units (4-byte sequences count two).
size_t utf16_length(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++n;  // a lead byte starts a code point
    if ((c & 0xF8) == 0xF0) ++n;  // outside the BMP: a surrogate pair
  }
  return n;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Group metadata records

GroupMetadataValue GroupCoordinator::group_metadata_value(
    const GroupMetadata& group, const std::map<std::string, std::vector<uint8_t>>& assignment) const {
  GroupMetadataValue v;
  v.protocol_type = group.protocol_type.value_or("");
  v.generation = group.generation_id;
  v.protocol = group.protocol_name;
  v.leader = group.leader_id;
  v.current_state_timestamp = group.current_state_timestamp.value_or(-1);
  for (const auto& [id, m] : group.members()) {
    GroupMetadataValue::Member member;
    member.member_id = id;
    member.group_instance_id = m->group_instance_id;
    member.client_id = m->client_id;
    member.client_host = m->client_host;
    member.rebalance_timeout = m->rebalance_timeout_ms;
    member.session_timeout = m->session_timeout_ms;
    if (group.protocol_name) member.subscription = m->metadata(*group.protocol_name);
    auto it = assignment.find(id);
    if (it == assignment.end()) {
      throw std::logic_error(fmt::format("group {}: no assignment for member {}", group.group_id(), id));
    }
    member.assignment = it->second;
    v.members.push_back(std::move(member));
  }
  return v;
}

void GroupCoordinator::store_group(const GroupPtr& group,
                                   const std::map<std::string, std::vector<uint8_t>>& assignment,
                                   std::function<void(ErrorCode)> done) {
  std::vector<OffsetsLog::Record> records;
  records.push_back(
      {encode_group_metadata_key({group->group_id()}),
       encode_group_metadata_value(group_metadata_value(*group, assignment), kGroupMetadataValueVersion)});
  std::weak_ptr<bool> alive = alive_;
  log_.append(partition_for(group->group_id()), std::move(records),
              [alive, done = std::move(done)](ErrorCode e) {
                if (alive.expired()) return;
                done(store_group_error(e));
              });
}

// ---------------------------------------------------------------------------------------------
// OffsetCommit

void GroupCoordinator::offset_commit(
    const OffsetCommitRequest& r, int16_t version,
    const std::function<bool(const std::string&, int32_t)>& topic_partition_exists,
    std::function<void(OffsetCommitResponse)> done) {
  // The response mirrors the request; partitions of unknown topics are answered here, as KafkaApis does.
  auto response = std::make_shared<OffsetCommitResponse>();
  std::vector<std::pair<TopicPartition, OffsetCommitValue>> offsets;
  int64_t now_ms = now();
  int64_t expire = (version <= 4 && r.retention_time_ms != -1) ? now_ms + r.retention_time_ms : -1;
  for (const auto& topic : r.topics) {
    auto& out = response->topics.emplace_back();
    out.name = topic.name;
    for (const auto& p : topic.partitions) {
      out.partitions.push_back({p.partition_index, 0});
      if (!topic_partition_exists(topic.name, p.partition_index)) {
        out.partitions.back().error_code = static_cast<int16_t>(ErrorCode::UNKNOWN_TOPIC_OR_PARTITION);
        continue;
      }
      OffsetCommitValue value;
      value.offset = p.committed_offset;
      value.leader_epoch = version >= 6 ? p.committed_leader_epoch : -1;
      value.metadata = p.committed_metadata.value_or("");
      value.commit_timestamp = now_ms;
      value.expire_timestamp = expire;
      offsets.emplace_back(TopicPartition{topic.name, p.partition_index}, std::move(value));
    }
  }
  if (offsets.empty()) return done(std::move(*response));

  auto respond = [response, done = std::move(done)](const std::map<TopicPartition, ErrorCode>& errors) {
    for (auto& topic : response->topics) {
      for (auto& p : topic.partitions) {
        auto it = errors.find({topic.name, p.partition_index});
        if (it != errors.end() && p.error_code == 0) p.error_code = static_cast<int16_t>(it->second);
      }
    }
    done(std::move(*response));
  };
  auto all = [&](ErrorCode e) {
    std::map<TopicPartition, ErrorCode> errors;
    for (const auto& [tp, v] : offsets) errors[tp] = e;
    return errors;
  };
  if (auto error = validate_group_status(r.group_id, Api::OffsetCommit)) return respond(all(*error));
  GroupPtr group = get_group(r.group_id);
  if (!group) {
    // Without a group, only a commit outside group management (generation < 0) creates one.
    if (r.generation_id_or_member_epoch >= 0) return respond(all(ErrorCode::ILLEGAL_GENERATION));
    group = add_group(std::make_shared<GroupMetadata>(r.group_id, GroupState::Empty));
  }
  do_commit_offsets(group, r, version, offsets, std::move(respond));
}

void GroupCoordinator::do_commit_offsets(
    const GroupPtr& group, const OffsetCommitRequest& r, int16_t /*version*/,
    const std::vector<std::pair<TopicPartition, OffsetCommitValue>>& offsets,
    std::function<void(std::map<TopicPartition, ErrorCode>)> done) {
  auto all = [&](ErrorCode e) {
    std::map<TopicPartition, ErrorCode> errors;
    for (const auto& [tp, v] : offsets) errors[tp] = e;
    done(std::move(errors));
  };
  std::optional<ErrorCode> error;
  if (group->is(GroupState::Dead)) {
    error = ErrorCode::COORDINATOR_NOT_AVAILABLE;
  } else if (r.generation_id_or_member_epoch >= 0 || !r.member_id.empty() || r.group_instance_id) {
    error = validate_current_member(*group, r.member_id, r.group_instance_id);
    if (!error && r.generation_id_or_member_epoch != group->generation_id)
      error = ErrorCode::ILLEGAL_GENERATION;
  } else if (!group->is(GroupState::Empty)) {
    // A simple commit (no member, generation -1) must not overwrite offsets of an active group.
    error = ErrorCode::UNKNOWN_MEMBER_ID;
  }
  if (error) return all(*error);
  switch (group->state()) {
    case GroupState::Empty:
      return store_offsets(group, offsets, std::move(done));
    case GroupState::Stable:
    case GroupState::PreparingRebalance: {
      // Commits during PreparingRebalance are fine: the heartbeat tells the member to rejoin.
      MemberMetadata& member = group->get(r.member_id);
      complete_and_schedule_next_expiration(group, member, member.session_timeout_ms);
      return store_offsets(group, offsets, std::move(done));
    }
    case GroupState::CompletingRebalance:
      return all(ErrorCode::REBALANCE_IN_PROGRESS);
    case GroupState::Dead:
      return all(ErrorCode::COORDINATOR_NOT_AVAILABLE);
  }
}

bool GroupCoordinator::metadata_fits(const std::string& metadata) const {
  return utf16_length(metadata) <= static_cast<size_t>(config_.offset_metadata_max_bytes);
}

void GroupCoordinator::store_offsets(const GroupPtr& group,
                                     const std::vector<std::pair<TopicPartition, OffsetCommitValue>>& offsets,
                                     std::function<void(std::map<TopicPartition, ErrorCode>)> done) {
  std::vector<std::pair<TopicPartition, OffsetCommitValue>> accepted;
  std::map<TopicPartition, ErrorCode> too_large;
  for (const auto& [tp, value] : offsets) {
    if (metadata_fits(value.metadata)) {
      accepted.emplace_back(tp, value);
    } else {
      too_large[tp] = ErrorCode::OFFSET_METADATA_TOO_LARGE;
    }
  }
  if (accepted.empty()) return done(std::move(too_large));

  std::vector<OffsetsLog::Record> records;
  for (const auto& [tp, value] : accepted) {
    records.push_back({encode_offset_commit_key({group->group_id(), tp.first, tp.second}),
                       encode_offset_commit_value(value, offset_commit_value_version(value))});
    ++group->pending_offset_commits[tp];
  }
  std::weak_ptr<bool> alive = alive_;
  // The cache changes only once the records are committed; fetches see the old offsets until then.
  log_.append(partition_for(group->group_id()), std::move(records),
              [alive, group, accepted, too_large, done = std::move(done)](ErrorCode e) {
                if (alive.expired()) return;
                for (const auto& [tp, value] : accepted) {
                  if (group->is(GroupState::Dead)) break;
                  if (--group->pending_offset_commits[tp] <= 0) group->pending_offset_commits.erase(tp);
                  if (e == ErrorCode::NONE) group->offsets[tp] = value;
                }
                std::map<TopicPartition, ErrorCode> errors = too_large;
                ErrorCode mapped = commit_error(e);
                for (const auto& [tp, value] : accepted) errors[tp] = mapped;
                done(std::move(errors));
              });
}

// ---------------------------------------------------------------------------------------------
// OffsetFetch, DescribeGroups, ListGroups

OffsetFetchResponse GroupCoordinator::offset_fetch(const OffsetFetchRequest& r, int16_t version) {
  OffsetFetchResponse resp;
  auto partition = [](int32_t index, ErrorCode e) {
    OffsetFetchResponse::OffsetFetchResponsePartition p;
    p.partition_index = index;
    p.metadata = "";
    p.error_code = static_cast<int16_t>(e);
    return p;
  };
  if (auto error = validate_group_status(r.group_id, Api::OffsetFetch)) {
    if (version >= 2) {
      resp.error_code = static_cast<int16_t>(*error);
    } else if (r.topics) {
      // v0-1 have no top-level error: every requested partition carries it.
      for (const auto& t : *r.topics) {
        auto& out = resp.topics.emplace_back();
        out.name = t.name;
        for (int32_t index : t.partition_indexes) out.partitions.push_back(partition(index, *error));
      }
    }
    return resp;
  }
  GroupPtr group = get_group(r.group_id);
  bool has_offsets = group && !group->is(GroupState::Dead);
  auto fill = [&](const std::string& topic, int32_t index) {
    auto p = partition(index, ErrorCode::NONE);
    if (has_offsets) {
      auto it = group->offsets.find({topic, index});
      if (it != group->offsets.end()) {
        p.committed_offset = it->second.offset;
        p.committed_leader_epoch = it->second.leader_epoch;
        p.metadata = it->second.metadata;
      }
    }
    return p;
  };
  if (r.topics) {
    for (const auto& t : *r.topics) {
      auto& out = resp.topics.emplace_back();
      out.name = t.name;
      for (int32_t index : t.partition_indexes) out.partitions.push_back(fill(t.name, index));
    }
  } else if (has_offsets) {
    for (const auto& [tp, value] : group->offsets) {
      if (resp.topics.empty() || resp.topics.back().name != tp.first)
        resp.topics.emplace_back().name = tp.first;
      resp.topics.back().partitions.push_back(fill(tp.first, tp.second));
    }
  }
  return resp;
}

DescribeGroupsResponse GroupCoordinator::describe_groups(const DescribeGroupsRequest& r,
                                                         int16_t /*version*/) {
  DescribeGroupsResponse resp;
  for (const auto& id : r.groups) {
    auto& out = resp.groups.emplace_back();
    out.group_id = id;
    if (r.include_authorized_operations) out.authorized_operations = kGroupAuthorizedOperations;
    if (auto error = validate_group_status(id, Api::DescribeGroups)) {
      out.error_code = static_cast<int16_t>(*error);
      continue;
    }
    GroupPtr group = get_group(id);
    if (!group) {
      out.group_state = std::string(to_string(GroupState::Dead));
      continue;
    }
    out.group_state = std::string(to_string(group->state()));
    out.protocol_type = group->protocol_type.value_or("");
    // Metadata and assignments only once they are settled (Stable), as Kafka's GroupMetadata.summary.
    bool stable = group->is(GroupState::Stable) && group->protocol_name;
    if (stable) out.protocol_data = *group->protocol_name;
    for (const auto& [member_id, m] : group->members()) {
      DescribeGroupsResponse::DescribedGroupMember member;
      member.member_id = member_id;
      member.group_instance_id = m->group_instance_id;
      member.client_id = m->client_id;
      member.client_host = m->client_host;
      if (stable) {
        member.member_metadata = m->metadata(*group->protocol_name);
        member.member_assignment = m->assignment;
      }
      out.members.push_back(std::move(member));
    }
  }
  return resp;
}

ListGroupsResponse GroupCoordinator::list_groups(const ListGroupsRequest& r, int16_t /*version*/) {
  ListGroupsResponse resp;
  // While any offsets partition loads, the list may be incomplete: say so, but list what is known.
  if (!loading_partitions_.empty())
    resp.error_code = static_cast<int16_t>(ErrorCode::COORDINATOR_LOAD_IN_PROGRESS);
  for (const auto& [id, group] : groups_) {
    std::string state(to_string(group->state()));
    if (!r.states_filter.empty() &&
        std::none_of(r.states_filter.begin(), r.states_filter.end(), [&](const std::string& s) {
          return s.size() == state.size() &&
                 std::equal(s.begin(), s.end(), state.begin(),
                            [](char a, char b) { return std::tolower(a) == std::tolower(b); });
        })) {
      continue;
    }
    if (!r.types_filter.empty() &&
        std::find(r.types_filter.begin(), r.types_filter.end(), "classic") == r.types_filter.end()) {
      continue;
    }
    resp.groups.push_back({id, group->protocol_type.value_or(""), state, "classic"});
  }
  return resp;
}

// ---------------------------------------------------------------------------------------------
// DeleteGroups, retention

void GroupCoordinator::delete_groups(const DeleteGroupsRequest& r, int16_t /*version*/,
                                     std::function<void(DeleteGroupsResponse)> done) {
  DeleteGroupsResponse resp;
  std::set<std::string> seen;
  std::vector<GroupPtr> eligible;
  for (const auto& id : r.groups_names) {
    if (!seen.insert(id).second) continue;
    ErrorCode result = ErrorCode::NONE;
    if (auto error = validate_group_status(id, Api::DeleteGroups)) {
      result = *error;
    } else if (GroupPtr group = get_group(id); !group || group->is(GroupState::Dead)) {
      result = ErrorCode::GROUP_ID_NOT_FOUND;
    } else if (group->is(GroupState::Empty)) {
      group->transition_to(GroupState::Dead, now());
      eligible.push_back(group);
    } else {
      result = ErrorCode::NON_EMPTY_GROUP;
    }
    resp.results.push_back({id, static_cast<int16_t>(result)});
  }
  for (const auto& group : eligible) {
    std::map<TopicPartition, CommittedOffset> removed = std::move(group->offsets);
    group->offsets.clear();
    cleanup_group(group, std::move(removed));
    logger().info("group {}: deleted", group->group_id());
  }
  done(std::move(resp));
}

size_t GroupCoordinator::cleanup_group(const GroupPtr& group,
                                       std::map<TopicPartition, CommittedOffset> removed) {
  if (group->is(GroupState::Empty) && !group->has_offsets()) {
    logger().info("group {}: transitioned to Dead in generation {}", group->group_id(), group->generation_id);
    group->transition_to(GroupState::Dead, now());
  }
  std::vector<OffsetsLog::Record> tombstones;
  for (const auto& [tp, value] : removed) {
    tombstones.push_back({encode_offset_commit_key({group->group_id(), tp.first, tp.second}), std::nullopt});
  }
  if (group->is(GroupState::Dead)) {
    auto it = groups_.find(group->group_id());
    bool was_cached = it != groups_.end() && it->second == group;
    if (was_cached) groups_.erase(it);
    // Generation 0 means the group only ever stored offsets: it never wrote a metadata record.
    if (was_cached && group->generation_id > 0) {
      tombstones.push_back({encode_group_metadata_key({group->group_id()}), std::nullopt});
    }
  }
  if (!tombstones.empty()) {
    // Kafka appends these with acks=0: a lost tombstone is written again by the next pass.
    std::string group_id = group->group_id();
    log_.append(partition_for(group_id), std::move(tombstones), [group_id](ErrorCode e) {
      if (e != ErrorCode::NONE) {
        logger().warn("group {}: failed to append tombstones: {}", group_id, to_string(e));
      }
    });
  }
  return removed.size();
}

void GroupCoordinator::cleanup_group_metadata() {
  int64_t now_ms = now();
  std::vector<GroupPtr> groups;
  for (const auto& [id, g] : groups_) groups.push_back(g);
  size_t removed = 0;
  for (const auto& g : groups)
    removed += cleanup_group(g, g->remove_expired_offsets(now_ms, config_.offsets_retention_ms));
  if (removed > 0) logger().info("removed {} expired offsets", removed);
}

void GroupCoordinator::schedule_retention_check() {
  retention_timer_ = scheduler_.schedule(config_.offsets_retention_check_interval_ms, [this] {
    cleanup_group_metadata();
    schedule_retention_check();
  });
}

// ---------------------------------------------------------------------------------------------
// Loading and unloading

void GroupCoordinator::begin_loading(int32_t partition) {
  loading_partitions_.insert(partition);
  owned_partitions_.erase(partition);
}

void GroupCoordinator::on_election(int32_t partition, const std::vector<OffsetsLog::Record>& records) {
  std::map<std::string, std::map<TopicPartition, OffsetCommitValue>> loaded_offsets;
  std::map<std::string, GroupMetadataValue> loaded_groups;
  // Replay in offset order: the last record of a key wins, a tombstone deletes.
  for (const auto& record : records) {
    auto key = decode_key(record.key);
    if (!key) {
      logger().warn("__consumer_offsets-{}: skipping record: {}", partition, key.error());
      continue;
    }
    if (auto* k = std::get_if<OffsetCommitKey>(&*key)) {
      TopicPartition tp{k->topic, k->partition};
      if (!record.value) {
        loaded_offsets[k->group].erase(tp);
        continue;
      }
      auto value = decode_offset_commit_value(*record.value);
      if (!value) {
        logger().warn("__consumer_offsets-{}: skipping offset of group {}: {}", partition, k->group,
                      value.error());
        continue;
      }
      loaded_offsets[k->group][tp] = *value;
    } else if (auto* g = std::get_if<GroupMetadataKey>(&*key)) {
      if (!record.value) {
        loaded_groups.erase(g->group);
        continue;
      }
      auto value = decode_group_metadata_value(*record.value);
      if (!value) {
        logger().warn("__consumer_offsets-{}: skipping metadata of group {}: {}", partition, g->group,
                      value.error());
        continue;
      }
      loaded_groups[g->group] = std::move(*value);
    } else {
      logger().warn("__consumer_offsets-{}: skipping record with unknown key version {}", partition,
                    std::get<UnknownKey>(*key).version);
    }
  }

  std::vector<GroupPtr> groups;
  for (auto& [id, value] : loaded_groups) {
    auto group =
        std::make_shared<GroupMetadata>(id, value.members.empty() ? GroupState::Empty : GroupState::Stable);
    group->generation_id = value.generation;
    if (!value.protocol_type.empty()) group->protocol_type = value.protocol_type;
    group->protocol_name = value.protocol;
    group->leader_id = value.leader;
    if (value.current_state_timestamp != -1) group->current_state_timestamp = value.current_state_timestamp;
    for (auto& m : value.members) {
      auto member = std::make_unique<MemberMetadata>();
      member->member_id = m.member_id;
      member->group_instance_id = m.group_instance_id;
      member->client_id = m.client_id;
      member->client_host = m.client_host;
      // GroupMetadataValue v0 has no rebalance timeout: it was the session timeout then.
      member->rebalance_timeout_ms = m.rebalance_timeout == -1 ? m.session_timeout : m.rebalance_timeout;
      member->session_timeout_ms = m.session_timeout;
      member->protocol_type = value.protocol_type;
      member->supported_protocols = {{value.protocol.value_or(""), std::move(m.subscription)}};
      member->assignment = std::move(m.assignment);
      group->add(std::move(member), nullptr);
    }
    group->leader_id = value.leader;  // add() proposes the first member; the record knows the real one
    group->compute_subscribed_topics();
    auto offsets = loaded_offsets.find(id);
    if (offsets != loaded_offsets.end()) {
      for (auto& [tp, v] : offsets->second) group->offsets[tp] = v;
      loaded_offsets.erase(offsets);
    }
    groups.push_back(group);
  }
  // Groups that only have offsets (simple consumers, or metadata deleted) load as Empty.
  for (auto& [id, offsets] : loaded_offsets) {
    if (offsets.empty()) continue;
    auto group = std::make_shared<GroupMetadata>(id, GroupState::Empty);
    for (auto& [tp, v] : offsets) group->offsets[tp] = v;
    groups.push_back(group);
  }

  loading_partitions_.erase(partition);
  owned_partitions_.insert(partition);
  for (const auto& loaded : groups) {
    GroupPtr group = add_group(loaded);
    if (group != loaded) continue;  // already known (re-election without resignation): keep the live one
    load_group(group);
  }
  logger().info("__consumer_offsets-{}: loaded {} groups from {} records", partition, groups.size(),
                records.size());
}

void GroupCoordinator::load_group(const GroupPtr& group) {
  if (static_cast<int64_t>(group->size()) > config_.group_max_size) {
    // Let members commit and rejoin within the limit rather than refusing the whole group.
    prepare_rebalance(group,
                      fmt::format("freshly-loaded group is over capacity ({})", config_.group_max_size));
  }
  for (const auto& [id, m] : group->members())
    complete_and_schedule_next_expiration(group, *m, m->session_timeout_ms);
}

void GroupCoordinator::on_resignation(int32_t partition) {
  loading_partitions_.erase(partition);
  owned_partitions_.erase(partition);
  std::vector<GroupPtr> unloaded;
  for (auto it = groups_.begin(); it != groups_.end();) {
    if (partition_for(it->first) == partition) {
      unloaded.push_back(it->second);
      it = groups_.erase(it);
    } else {
      ++it;
    }
  }
  for (const auto& group : unloaded) on_group_unloaded(*group);
}

void GroupCoordinator::on_group_unloaded(GroupMetadata& group) {
  GroupState previous = group.state();
  group.transition_to(GroupState::Dead, now());
  group.join_timer.reset();
  group.sync_timer.reset();
  group.pending_members.clear();
  group.pending_sync_members.clear();
  for (const auto& [id, m] : group.members()) {
    m->heartbeat_timer.reset();
    if (previous == GroupState::PreparingRebalance) {
      JoinGroupResponse r;
      r.error_code = static_cast<int16_t>(ErrorCode::NOT_COORDINATOR);
      r.member_id = id;
      group.maybe_invoke_join_callback(*m, std::move(r));
    } else if (previous == GroupState::Stable || previous == GroupState::CompletingRebalance) {
      SyncGroupResponse r;
      r.error_code = static_cast<int16_t>(ErrorCode::NOT_COORDINATOR);
      group.maybe_invoke_sync_callback(*m, std::move(r));
    }
  }
}

}  // namespace gregor::coordinator

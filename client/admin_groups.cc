// Admin, consumer-group half: ListGroups, DescribeGroups, OffsetFetch/OffsetCommit, DeleteGroups,
// ListOffsets.
#include <algorithm>

#include "client/admin.h"
#include "client/consumer_protocol.h"
#include "client/list_offsets.h"
#include "protocol/messages/delete_groups.h"
#include "protocol/messages/describe_groups.h"
#include "protocol/messages/list_groups.h"
#include "protocol/messages/offset_commit.h"
#include "protocol/messages/offset_fetch.h"

namespace gregor::client {

template <class Resp, class Req, class ErrorOf>
Result<Resp, ClientError> Admin::call_coordinator(const std::string& group_id, const Req& req,
                                                  ErrorOf error_of, CoordinatorInfo* coordinator) {
  auto deadline = Clock::now() + client_->config().request_timeout;
  while (true) {
    auto info = find_coordinator(*client_, group_id, deadline);
    if (!info) return unexpected(info.error());
    if (coordinator != nullptr) *coordinator = *info;
    Connection* conn = client_->connection(info->node_id);
    if (conn == nullptr) {  // a broker we have not seen in metadata yet
      auto md = client_->refresh_metadata(std::vector<std::string>{}, false, deadline);
      if (!md) return unexpected(md.error());
      conn = client_->connection(info->node_id);
      if (conn == nullptr) {
        return unexpected(make_error(ErrorCode::COORDINATOR_NOT_AVAILABLE,
                                     "coordinator " + std::to_string(info->node_id) + " not in metadata"));
      }
    }
    auto resp = client_->call<Resp>(conn, req, deadline);
    ErrorCode code = resp ? error_of(*resp) : resp.error().code;
    bool retry = coordinator_moved(code) || code == ErrorCode::COORDINATOR_LOAD_IN_PROGRESS;
    if (!retry || Clock::now() >= deadline) return resp;
    client_->pause(client_->config().retry_backoff);
  }
}

Result<std::vector<GroupListing>, ClientError> Admin::list_groups() {
  auto deadline = Clock::now() + client_->config().request_timeout;
  auto md = client_->refresh_metadata(std::vector<std::string>{}, false, deadline);
  if (!md) return unexpected(md.error());
  std::vector<GroupListing> out;
  std::vector<int32_t> brokers;
  for (const auto& [id, b] : (*md)->brokers) brokers.push_back(id);
  // Every broker coordinates some groups: ask them all.
  for (int32_t id : brokers) {
    Connection* conn = client_->connection(id);
    if (conn == nullptr) continue;
    auto resp = client_->call<ListGroupsResponse>(conn, ListGroupsRequest{}, deadline);
    if (!resp)
      return unexpected(make_error(
          resp.error().code, "ListGroups on broker " + std::to_string(id) + ": " + resp.error().message));
    if (resp->error_code != 0) {
      return unexpected(
          make_error(static_cast<ErrorCode>(resp->error_code), "ListGroups on broker " + std::to_string(id)));
    }
    for (const auto& g : resp->groups) out.push_back({g.group_id, g.protocol_type, id});
  }
  std::ranges::sort(out, {}, &GroupListing::group_id);
  return out;
}

Result<GroupDescription, ClientError> Admin::describe_group(const std::string& group_id) {
  DescribeGroupsRequest req;
  req.groups = {group_id};
  CoordinatorInfo coordinator;
  auto resp = call_coordinator<DescribeGroupsResponse>(
      group_id, req,
      [](const DescribeGroupsResponse& r) {
        return r.groups.empty() ? ErrorCode::NONE : static_cast<ErrorCode>(r.groups[0].error_code);
      },
      &coordinator);
  if (!resp) return unexpected(resp.error());
  if (resp->groups.size() != 1) {
    return unexpected(
        make_error(ErrorCode::CORRUPT_MESSAGE,
                   "DescribeGroups answered for " + std::to_string(resp->groups.size()) + " groups"));
  }
  const auto& g = resp->groups[0];
  if (g.error_code != 0) {
    return unexpected(make_error(static_cast<ErrorCode>(g.error_code), "group '" + group_id + "'"));
  }
  GroupDescription out{g.group_id, g.group_state, g.protocol_type, g.protocol_data, {}, coordinator};
  for (const auto& m : g.members) {
    GroupMemberDescription member{m.member_id, m.group_instance_id, m.client_id, m.client_host, {}};
    if (g.protocol_type == kConsumerProtocolType) {
      auto a = decode_assignment(m.member_assignment);
      if (!a) {
        return unexpected(make_error(ErrorCode::CORRUPT_MESSAGE,
                                     "member " + m.member_id + " of group '" + group_id + "': " + a.error()));
      }
      member.assignment = std::move(a->partitions);
    }
    out.members.push_back(std::move(member));
  }
  return out;
}

Result<std::map<TopicPartition, int64_t>, ClientError> Admin::list_group_offsets(
    const std::string& group_id) {
  OffsetFetchRequest req;
  req.group_id = group_id;  // topics null: every partition the group committed
  auto resp = call_coordinator<OffsetFetchResponse>(
      group_id, req, [](const OffsetFetchResponse& r) { return static_cast<ErrorCode>(r.error_code); });
  if (!resp) return unexpected(resp.error());
  if (resp->error_code != 0) {
    return unexpected(
        make_error(static_cast<ErrorCode>(resp->error_code), "OffsetFetch for group '" + group_id + "'"));
  }
  std::map<TopicPartition, int64_t> out;
  for (const auto& t : resp->topics) {
    for (const auto& p : t.partitions) {
      if (p.error_code != 0) {
        return unexpected(make_error(static_cast<ErrorCode>(p.error_code),
                                     "OffsetFetch " + t.name + "-" + std::to_string(p.partition_index)));
      }
      if (p.committed_offset >= 0) out[{t.name, p.partition_index}] = p.committed_offset;
    }
  }
  return out;
}

Result<void, ClientError> Admin::delete_group(const std::string& group_id) {
  DeleteGroupsRequest req;
  req.groups_names = {group_id};
  auto error_of = [](const DeleteGroupsResponse& r) {
    return r.results.empty() ? ErrorCode::NONE : static_cast<ErrorCode>(r.results[0].error_code);
  };
  auto resp = call_coordinator<DeleteGroupsResponse>(group_id, req, error_of);
  if (!resp) return unexpected(resp.error());
  if (ErrorCode code = error_of(*resp); code != ErrorCode::NONE) {
    return unexpected(make_error(code, "group '" + group_id + "'"));
  }
  return {};
}

Result<void, ClientError> Admin::alter_group_offsets(const std::string& group_id,
                                                     const std::map<TopicPartition, int64_t>& offsets) {
  OffsetCommitRequest req;
  req.group_id = group_id;
  req.generation_id_or_member_epoch = -1;  // not a member: only an empty group accepts this
  for (const auto& [tp, offset] : offsets) {
    if (req.topics.empty() || req.topics.back().name != tp.topic) req.topics.push_back({tp.topic, {}});
    req.topics.back().partitions.push_back({tp.partition, offset, -1, std::string()});
  }
  auto error_of = [](const OffsetCommitResponse& r) {
    for (const auto& t : r.topics)
      for (const auto& p : t.partitions)
        if (p.error_code != 0) return static_cast<ErrorCode>(p.error_code);
    return ErrorCode::NONE;
  };
  auto resp = call_coordinator<OffsetCommitResponse>(group_id, req, error_of);
  if (!resp) return unexpected(resp.error());
  if (ErrorCode code = error_of(*resp); code != ErrorCode::NONE) {
    return unexpected(make_error(code, "OffsetCommit for group '" + group_id + "'"));
  }
  return {};
}

Result<std::map<TopicPartition, int64_t>, ClientError> Admin::list_offsets(
    const std::vector<TopicPartition>& tps, int64_t timestamp) {
  return client::list_offsets(*client_, tps, timestamp, Clock::now() + client_->config().request_timeout);
}

Result<std::vector<TopicPartition>, ClientError> Admin::partitions_of(const std::string& topic) {
  auto topics = describe_topics({topic});
  if (!topics) return unexpected(topics.error());
  std::vector<TopicPartition> out;
  for (const auto& p : topics->front().partitions) out.push_back({topic, p.partition});
  std::ranges::sort(out);
  return out;
}

}  // namespace gregor::client

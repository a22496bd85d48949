// ConsumerCoordinator: JoinGroup/SyncGroup/Heartbeat/LeaveGroup and OffsetCommit/OffsetFetch for a consumer.
#include "client/consumer_coordinator.h"

#include <algorithm>
#include <set>

#include "client/consumer_protocol.h"
#include "client/find_coordinator.h"
#include "protocol/messages/heartbeat.h"
#include "protocol/messages/join_group.h"
#include "protocol/messages/leave_group.h"
#include "protocol/messages/offset_commit.h"
#include "protocol/messages/offset_fetch.h"
#include "protocol/messages/sync_group.h"

namespace gregor::client {

namespace {

ClientError group_error(ErrorCode code, const std::string& what, const std::string& group) {
  return make_error(code, what + " for group '" + group + "'");
}

// Errors after which the same request can simply be sent again (to the same or a new coordinator).
bool retry_later(ErrorCode code) {
  return coordinator_moved(code) || code == ErrorCode::COORDINATOR_LOAD_IN_PROGRESS;
}

OffsetCommitRequest commit_request(const GroupConfig& config, int32_t generation, const std::string& member,
                                   const std::map<TopicPartition, int64_t>& offsets) {
  OffsetCommitRequest req;
  req.group_id = config.group_id;
  req.generation_id_or_member_epoch = generation;
  req.member_id = member;
  req.group_instance_id = config.group_instance_id;
  for (const auto& [tp, offset] : offsets) {
    if (req.topics.empty() || req.topics.back().name != tp.topic) req.topics.push_back({tp.topic, {}});
    req.topics.back().partitions.push_back({tp.partition, offset, -1, std::string()});
  }
  return req;
}

// The first per-partition error of an OffsetCommit response, or NONE.
ErrorCode first_commit_error(const OffsetCommitResponse& resp) {
  for (const auto& t : resp.topics)
    for (const auto& p : t.partitions)
      if (p.error_code != 0) return static_cast<ErrorCode>(p.error_code);
  return ErrorCode::NONE;
}

}  // namespace

ConsumerCoordinator::ConsumerCoordinator(KafkaClient& client, GroupConfig config,
                                         std::vector<std::string> topics)
    : client_(client), config_(std::move(config)), topics_(std::move(topics)) {
  heartbeat_timer_ =
      event_new(client_.base(), -1, EV_PERSIST, &ConsumerCoordinator::on_heartbeat_timer, this);
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(config_.heartbeat_interval).count();
  timeval tv{static_cast<time_t>(us / 1000000), static_cast<suseconds_t>(us % 1000000)};
  event_add(heartbeat_timer_, &tv);
}

ConsumerCoordinator::~ConsumerCoordinator() {
  if (heartbeat_timer_ != nullptr) event_free(heartbeat_timer_);
}

void ConsumerCoordinator::on_heartbeat_timer(evutil_socket_t, short, void* self) {
  static_cast<ConsumerCoordinator*>(self)->send_heartbeat();
}

void ConsumerCoordinator::mark_coordinator_dead() {
  if (coordinator_) retired_.push_back(std::move(coordinator_));
  heartbeat_in_flight_ = false;
}

void ConsumerCoordinator::handle_member_error(ErrorCode code) {
  switch (code) {
    case ErrorCode::NONE:
      return;
    case ErrorCode::REBALANCE_IN_PROGRESS:
      rejoin_needed_ = true;
      return;
    case ErrorCode::UNKNOWN_MEMBER_ID:
    case ErrorCode::FENCED_INSTANCE_ID:
      member_id_.clear();
      generation_ = -1;
      rejoin_needed_ = true;
      return;
    case ErrorCode::ILLEGAL_GENERATION:
      generation_ = -1;
      rejoin_needed_ = true;
      return;
    default:
      if (coordinator_moved(code)) mark_coordinator_dead();
      return;
  }
}

void ConsumerCoordinator::send_heartbeat() {
  if (heartbeat_in_flight_ && coordinator_ && Clock::now() - heartbeat_sent_at_ > config_.session_timeout) {
    // No answer within the session: the coordinator is hung (a stopped container keeps its sockets
    // open). As Java, mark it unknown and find the new one instead of waiting out the connection's
    // long JoinGroup timeout.
    mark_coordinator_dead();
  }
  if (!joined_ || rejoin_needed_ || heartbeat_in_flight_ || !coordinator_ || coordinator_->failed()) return;
  HeartbeatRequest req{config_.group_id, generation_, member_id_, config_.group_instance_id};
  heartbeat_in_flight_ = true;
  heartbeat_sent_at_ = Clock::now();
  Connection* conn = coordinator_.get();
  int32_t generation = generation_;
  client_.send<HeartbeatResponse>(conn, req,
                                  [this, conn, generation](Result<HeartbeatResponse, ClientError> r) {
                                    if (conn != coordinator_.get())
                                      return;  // an answer from a replaced coordinator
                                    heartbeat_in_flight_ = false;
                                    if (!r) return mark_coordinator_dead();
                                    // An answer about a generation we already left (a rejoin happened
                                    // meanwhile) must not start yet another rebalance: each needless
                                    // JoinGroup sends every member round again.
                                    if (generation != generation_ || !joined_) return;
                                    handle_member_error(static_cast<ErrorCode>(r->error_code));
                                  });
}

Result<Connection*, ClientError> ConsumerCoordinator::ensure_coordinator(Clock::time_point deadline) {
  std::erase_if(retired_, [](const auto& c) { return c->failed() || c->in_flight() == 0; });
  if (coordinator_ && !coordinator_->failed()) return coordinator_.get();
  mark_coordinator_dead();
  auto info = find_coordinator(client_, config_.group_id, deadline);
  if (!info) return unexpected(info.error());
  // JoinGroup may legitimately wait for the whole rebalance: give it rebalance.timeout.ms and more.
  auto timeout =
      std::max(client_.config().request_timeout, config_.rebalance_timeout + std::chrono::seconds(5));
  coordinator_ = std::make_unique<Connection>(client_.base(), info->node_id, info->host, info->port,
                                              client_.config().client_id, timeout);
  return coordinator_.get();
}

Result<void, ClientError> ConsumerCoordinator::ensure_coordinator_ready(Clock::time_point deadline) {
  if (coordinator_ && !coordinator_->failed()) return {};
  auto conn = ensure_coordinator(deadline);
  if (!conn) return unexpected(conn.error());
  return {};
}

Result<GroupAssignment, ClientError> ConsumerCoordinator::leader_assign(
    const std::vector<MemberSubscription>& members, Clock::time_point deadline) {
  std::set<std::string> all_topics;
  for (const auto& m : members) all_topics.insert(m.topics.begin(), m.topics.end());
  auto md = client_.refresh_metadata(std::vector<std::string>(all_topics.begin(), all_topics.end()), false,
                                     deadline);
  if (!md) return unexpected(md.error());
  std::map<std::string, int32_t> counts;
  for (const auto& t : all_topics) {
    const TopicInfo* info = (*md)->topic(t);
    if (info != nullptr && info->error == ErrorCode::NONE && !info->partitions.empty())
      counts[t] = static_cast<int32_t>(info->partitions.size());
  }
  auto assignment = assign_by_name(protocol_, counts, members);
  if (!assignment) {
    return unexpected(make_error(ErrorCode::INCONSISTENT_GROUP_PROTOCOL, "unknown assignor " + protocol_));
  }
  return *assignment;
}

Result<std::optional<std::vector<TopicPartition>>, ClientError> ConsumerCoordinator::join_once(
    Clock::time_point deadline) {
  auto conn = ensure_coordinator(deadline);
  if (!conn) return unexpected(conn.error());
  JoinGroupRequest join;
  join.group_id = config_.group_id;
  join.session_timeout_ms = static_cast<int32_t>(config_.session_timeout.count());
  join.rebalance_timeout_ms = static_cast<int32_t>(config_.rebalance_timeout.count());
  join.member_id = member_id_;
  join.group_instance_id = config_.group_instance_id;
  join.protocol_type = kConsumerProtocolType;
  ConsumerSubscription sub;
  sub.topics = topics_;
  sub.owned_partitions = owned_;
  for (const auto& name : config_.assignment_strategies)
    join.protocols.push_back({name, encode_subscription(sub)});
  auto joined = client_.call<JoinGroupResponse>(*conn, join, deadline);
  if (!joined) {
    mark_coordinator_dead();
    return std::nullopt;
  }
  auto code = static_cast<ErrorCode>(joined->error_code);
  if (code == ErrorCode::MEMBER_ID_REQUIRED && member_id_.empty()) {
    member_id_ = joined->member_id;  // KIP-394: join again, at once, with the id the coordinator gave us
    return join_once(deadline);
  }
  if (code != ErrorCode::NONE) {
    handle_member_error(code);
    if (code == ErrorCode::UNKNOWN_MEMBER_ID || code == ErrorCode::ILLEGAL_GENERATION ||
        code == ErrorCode::REBALANCE_IN_PROGRESS || retry_later(code)) {
      return std::nullopt;
    }
    return unexpected(group_error(code, "JoinGroup", config_.group_id));
  }
  member_id_ = joined->member_id;
  generation_ = joined->generation_id;
  protocol_ = joined->protocol_name;
  leader_ = joined->leader == member_id_;

  SyncGroupRequest sync;
  sync.group_id = config_.group_id;
  sync.generation_id = generation_;
  sync.member_id = member_id_;
  sync.group_instance_id = config_.group_instance_id;
  if (leader_) {
    std::vector<MemberSubscription> members;
    for (const auto& m : joined->members) {
      auto s = decode_subscription(m.metadata);
      if (!s) return unexpected(make_error(ErrorCode::INCONSISTENT_GROUP_PROTOCOL, s.error()));
      members.push_back({m.member_id, m.group_instance_id, s->topics});
    }
    auto assignment = leader_assign(members, deadline);
    if (!assignment) return unexpected(assignment.error());
    for (const auto& [member, parts] : *assignment)
      sync.assignments.push_back({member, encode_assignment({1, parts, std::nullopt})});
  }
  auto synced = client_.call<SyncGroupResponse>(*conn, sync, deadline);
  if (!synced) {
    mark_coordinator_dead();
    return std::nullopt;
  }
  code = static_cast<ErrorCode>(synced->error_code);
  if (code != ErrorCode::NONE) {
    handle_member_error(code);
    rejoin_needed_ = true;
    if (code == ErrorCode::UNKNOWN_MEMBER_ID || code == ErrorCode::ILLEGAL_GENERATION ||
        code == ErrorCode::REBALANCE_IN_PROGRESS || retry_later(code)) {
      return std::nullopt;
    }
    return unexpected(group_error(code, "SyncGroup", config_.group_id));
  }
  auto assignment = decode_assignment(synced->assignment);
  if (!assignment) return unexpected(make_error(ErrorCode::INCONSISTENT_GROUP_PROTOCOL, assignment.error()));
  return assignment->partitions;
}

Result<std::vector<TopicPartition>, ClientError> ConsumerCoordinator::join(Clock::time_point deadline) {
  joined_ = false;
  heartbeat_in_flight_ = false;
  while (true) {
    rejoin_needed_ = false;
    auto r = join_once(deadline);
    if (!r) {
      rejoin_needed_ = true;
      if (!is_retriable(r.error().code) || Clock::now() >= deadline) return unexpected(r.error());
    } else if (*r && !rejoin_needed_) {
      joined_ = true;
      owned_ = **r;
      return **r;
    }
    rejoin_needed_ = true;
    if (Clock::now() >= deadline) {
      return unexpected(
          group_error(ErrorCode::REBALANCE_IN_PROGRESS, "no assignment in time", config_.group_id));
    }
    client_.pause(client_.config().retry_backoff);
  }
}

Result<void, ClientError> ConsumerCoordinator::commit(const std::map<TopicPartition, int64_t>& offsets,
                                                      Clock::time_point deadline) {
  if (offsets.empty()) return {};
  while (true) {
    auto conn = ensure_coordinator(deadline);
    if (!conn) return unexpected(conn.error());
    auto resp = client_.call<OffsetCommitResponse>(
        *conn, commit_request(config_, generation_, member_id_, offsets), deadline);
    ErrorCode code = resp ? first_commit_error(*resp) : resp.error().code;
    if (code == ErrorCode::NONE) return {};
    if (!resp) mark_coordinator_dead();
    handle_member_error(code);
    if (!retry_later(code) || Clock::now() >= deadline) {
      return unexpected(group_error(code, "OffsetCommit", config_.group_id));
    }
    client_.pause(client_.config().retry_backoff);
  }
}

void ConsumerCoordinator::commit_async(const std::map<TopicPartition, int64_t>& offsets,
                                       std::function<void(Result<void, ClientError>)> done) {
  if (offsets.empty() || !coordinator_ || coordinator_->failed()) {
    if (done) {
      done(offsets.empty() ? Result<void, ClientError>{}
                           : unexpected(group_error(ErrorCode::COORDINATOR_NOT_AVAILABLE, "OffsetCommit",
                                                    config_.group_id)));
    }
    return;
  }
  Connection* conn = coordinator_.get();
  int32_t generation = generation_;
  client_.send<OffsetCommitResponse>(
      conn, commit_request(config_, generation_, member_id_, offsets),
      [this, conn, generation, done = std::move(done)](Result<OffsetCommitResponse, ClientError> r) {
        ErrorCode code = r ? first_commit_error(*r) : r.error().code;
        if (conn == coordinator_.get()) {
          if (!r) mark_coordinator_dead();
          if (generation == generation_ && joined_) handle_member_error(code);  // not a stale generation
        }
        if (!done) return;
        if (code == ErrorCode::NONE) return done({});
        done(unexpected(group_error(code, "OffsetCommit", config_.group_id)));
      });
}

Result<std::map<TopicPartition, int64_t>, ClientError> ConsumerCoordinator::fetch_committed(
    const std::vector<TopicPartition>& partitions, Clock::time_point deadline) {
  std::map<TopicPartition, int64_t> out;
  if (partitions.empty()) return out;
  OffsetFetchRequest req;
  req.group_id = config_.group_id;
  req.topics.emplace();
  for (const auto& tp : partitions) {
    auto it = std::ranges::find(*req.topics, tp.topic, &OffsetFetchRequest::OffsetFetchRequestTopic::name);
    if (it == req.topics->end()) {
      req.topics->push_back({tp.topic, {}});
      it = req.topics->end() - 1;
    }
    it->partition_indexes.push_back(tp.partition);
  }
  while (true) {
    auto conn = ensure_coordinator(deadline);
    if (!conn) return unexpected(conn.error());
    auto resp = client_.call<OffsetFetchResponse>(*conn, req, deadline);
    ErrorCode code = resp ? static_cast<ErrorCode>(resp->error_code) : resp.error().code;
    if (resp && code == ErrorCode::NONE) {
      for (const auto& t : resp->topics) {
        for (const auto& p : t.partitions) {
          auto pcode = static_cast<ErrorCode>(p.error_code);
          if (pcode != ErrorCode::NONE) {
            code = pcode;
            break;
          }
          if (p.committed_offset >= 0) out[{t.name, p.partition_index}] = p.committed_offset;
        }
      }
    }
    if (code == ErrorCode::NONE) return out;
    out.clear();
    if (!resp || coordinator_moved(code)) mark_coordinator_dead();
    if (!retry_later(code) || Clock::now() >= deadline) {
      return unexpected(group_error(code, "OffsetFetch", config_.group_id));
    }
    client_.pause(client_.config().retry_backoff);
  }
}

Result<void, ClientError> ConsumerCoordinator::leave(Clock::time_point deadline) {
  bool was_member = !member_id_.empty();
  joined_ = false;
  rejoin_needed_ = true;
  if (!was_member || config_.group_instance_id || !coordinator_ || coordinator_->failed()) return {};
  LeaveGroupRequest req;
  req.group_id = config_.group_id;
  req.member_id = member_id_;
  req.members.push_back({member_id_, std::nullopt});
  auto resp = client_.call<LeaveGroupResponse>(coordinator_.get(), req, deadline);
  member_id_.clear();
  generation_ = -1;
  if (!resp) return unexpected(resp.error());
  ErrorCode code = static_cast<ErrorCode>(resp->error_code);
  for (const auto& m : resp->members)
    if (code == ErrorCode::NONE) code = static_cast<ErrorCode>(m.error_code);
  // Already gone (session expired, group rebalanced without us): leaving achieved its aim.
  if (code == ErrorCode::NONE || code == ErrorCode::UNKNOWN_MEMBER_ID) return {};
  return unexpected(group_error(code, "LeaveGroup", config_.group_id));
}

}  // namespace gregor::client

// GroupCoordinator, membership half: JoinGroup, SyncGroup, Heartbeat, LeaveGroup and the rebalance steps.
#include "coordinator/group_coordinator.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "coordinator/logger.h"
#include "protocol/hash.h"

namespace gregor::coordinator {
namespace {

// How long a member that joined may stay parked without a JoinGroup response before it is dropped
// (GroupCoordinator.NewMemberJoinTimeoutMs): a client that went away must not stall the rebalance.
constexpr int64_t kNewMemberJoinTimeoutMs = 5 * 60 * 1000;

JoinGroupResponse join_error(const std::string& member_id, ErrorCode error) {
  JoinGroupResponse r;
  r.error_code = static_cast<int16_t>(error);
  r.member_id = member_id;
  return r;
}

SyncGroupResponse sync_result(ErrorCode error, std::vector<uint8_t> assignment = {}) {
  SyncGroupResponse r;
  r.error_code = static_cast<int16_t>(error);
  r.assignment = std::move(assignment);
  return r;
}

}  // namespace

GroupCoordinator::GroupCoordinator(GroupConfig config, Scheduler& scheduler, OffsetsLog& log)
    : config_(config), scheduler_(scheduler), log_(log), random_(std::random_device{}()) {
  schedule_retention_check();
}

GroupCoordinator::~GroupCoordinator() {
  // Timers capture `this`; cancel them before the members they use go away.
  retention_timer_.reset();
  for (auto& [id, group] : groups_) {
    group->join_timer.reset();
    group->sync_timer.reset();
    group->pending_members.clear();
    for (const auto& [member_id, member] : group->members()) member->heartbeat_timer.reset();
  }
}

int32_t GroupCoordinator::partition_for(const std::string& group_id) const {
  return partition_for_group(group_id, config_.offsets_topic_num_partitions);
}

std::optional<ErrorCode> GroupCoordinator::validate_group_status(const std::string& group_id, Api api) const {
  // Offset and admin APIs accept "" for backwards compatibility; membership APIs do not.
  bool empty_allowed = api == Api::OffsetCommit || api == Api::OffsetFetch || api == Api::DescribeGroups ||
                       api == Api::DeleteGroups;
  if (group_id.empty() && !empty_allowed) return ErrorCode::INVALID_GROUP_ID;
  int32_t partition = partition_for(group_id);
  if (loading_partitions_.contains(partition)) return ErrorCode::COORDINATOR_LOAD_IN_PROGRESS;
  if (!owned_partitions_.contains(partition)) return ErrorCode::NOT_COORDINATOR;
  return std::nullopt;
}

GroupCoordinator::GroupPtr GroupCoordinator::get_group(const std::string& group_id) const {
  auto it = groups_.find(group_id);
  return it == groups_.end() ? nullptr : it->second;
}

GroupCoordinator::GroupPtr GroupCoordinator::add_group(GroupPtr group) {
  auto [it, inserted] = groups_.emplace(group->group_id(), group);
  return it->second;
}

std::vector<std::string> GroupCoordinator::group_ids() const {
  std::vector<std::string> ids;
  for (const auto& [id, group] : groups_) ids.push_back(id);
  return ids;
}

const GroupMetadata* GroupCoordinator::group(const std::string& group_id) const {
  return get_group(group_id).get();
}

std::string GroupCoordinator::generate_member_id(const std::string& client_id,
                                                 const std::optional<std::string>& instance_id) {
  // java.util.UUID.randomUUID(): version 4, IETF variant, canonical 36-character form.
  uint64_t hi = random_();
  uint64_t lo = random_();
  hi = (hi & ~0xF000ULL) | 0x4000ULL;
  lo = (lo & ~(0xC000ULL << 48)) | (0x8000ULL << 48);
  std::string uuid = fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", hi >> 32, (hi >> 16) & 0xFFFF,
                                 hi & 0xFFFF, lo >> 48, lo & 0xFFFFFFFFFFFFULL);
  return (instance_id ? *instance_id : client_id) + "-" + uuid;
}

// ---------------------------------------------------------------------------------------------
// JoinGroup

void GroupCoordinator::join_group(const JoinGroupRequest& r, int16_t version, const std::string& client_id,
                                  const std::string& client_host,
                                  std::function<void(JoinGroupResponse)> done) {
  if (auto error = validate_group_status(r.group_id, Api::JoinGroup))
    return done(join_error(r.member_id, *error));
  if (r.session_timeout_ms < config_.group_min_session_timeout_ms ||
      r.session_timeout_ms > config_.group_max_session_timeout_ms) {
    return done(join_error(r.member_id, ErrorCode::INVALID_SESSION_TIMEOUT));
  }
  JoinArgs args{r.member_id,
                r.group_instance_id,
                client_id,
                client_host,
                version == 0 ? r.session_timeout_ms : r.rebalance_timeout_ms,
                r.session_timeout_ms,
                r.protocol_type,
                r.protocols,
                version >= 4 && !r.group_instance_id};
  bool is_unknown_member = r.member_id.empty();
  GroupPtr group = get_group(r.group_id);
  if (!group) {
    if (!is_unknown_member) return done(join_error(r.member_id, ErrorCode::UNKNOWN_MEMBER_ID));
    group = add_group(std::make_shared<GroupMetadata>(r.group_id, GroupState::Empty));
  }
  if (!accept_joining_member(*group, r.member_id)) {
    group->remove(r.member_id);
    done(join_error("", ErrorCode::GROUP_MAX_SIZE_REACHED));
  } else if (is_unknown_member) {
    do_new_member_join(group, std::move(args), std::move(done));
  } else {
    do_current_member_join(group, std::move(args), std::move(done));
  }
  if (group->is(GroupState::PreparingRebalance)) try_complete_join(group);
}

bool GroupCoordinator::accept_joining_member(const GroupMetadata& group, const std::string& member_id) const {
  switch (group.state()) {
    case GroupState::Empty:
    case GroupState::Dead:
      return true;
    case GroupState::PreparingRebalance:
      return (group.has(member_id) && group.get(member_id).is_awaiting_join()) ||
             group.num_awaiting_join() < config_.group_max_size;
    case GroupState::CompletingRebalance:
    case GroupState::Stable:
      return group.has(member_id) || static_cast<int64_t>(group.size()) < config_.group_max_size;
  }
  return false;
}

void GroupCoordinator::do_new_member_join(const GroupPtr& group, JoinArgs args, JoinCallback done) {
  if (group->is(GroupState::Dead)) return done(join_error("", ErrorCode::COORDINATOR_NOT_AVAILABLE));
  if (!group->supports_protocols(args.protocol_type, args.protocols)) {
    return done(join_error("", ErrorCode::INCONSISTENT_GROUP_PROTOCOL));
  }
  args.member_id = generate_member_id(args.client_id, args.group_instance_id);
  if (args.group_instance_id) {
    if (auto old_member_id = group->static_member_id(*args.group_instance_id)) {
      logger().info("group {}: static member {} rejoins as {} (was {})", group->group_id(),
                    *args.group_instance_id, args.member_id, *old_member_id);
      return update_static_member_and_rebalance(group, *old_member_id, std::move(args), std::move(done));
    }
    return add_member_and_rebalance(group, std::move(args), std::move(done));
  }
  if (args.require_known_member_id) {
    // KIP-394: hand out the id first, so a client that times out cannot leave an anonymous member behind.
    add_pending_member(group, args.member_id, args.session_timeout_ms);
    return done(join_error(args.member_id, ErrorCode::MEMBER_ID_REQUIRED));
  }
  add_member_and_rebalance(group, std::move(args), std::move(done));
}

void GroupCoordinator::do_current_member_join(const GroupPtr& group, JoinArgs args, JoinCallback done) {
  const std::string member_id = args.member_id;
  if (group->is(GroupState::Dead)) return done(join_error(member_id, ErrorCode::COORDINATOR_NOT_AVAILABLE));
  if (!group->supports_protocols(args.protocol_type, args.protocols)) {
    return done(join_error(member_id, ErrorCode::INCONSISTENT_GROUP_PROTOCOL));
  }
  if (group->is_pending_member(member_id)) {
    // Pending ids are only handed to dynamic members; Kafka fails such a request with an internal error.
    if (args.group_instance_id) return done(join_error(member_id, ErrorCode::UNKNOWN_SERVER_ERROR));
    return add_member_and_rebalance(group, std::move(args), std::move(done));
  }
  bool instance_unknown = args.group_instance_id && !group->static_member_id(*args.group_instance_id);
  if (group->is_static_member_fenced(args.group_instance_id, member_id)) {
    return done(join_error(member_id, ErrorCode::FENCED_INSTANCE_ID));
  }
  if (!group->has(member_id) || instance_unknown)
    return done(join_error(member_id, ErrorCode::UNKNOWN_MEMBER_ID));

  MemberMetadata& member = group->get(member_id);
  auto update_and_rebalance = [&](const std::string& reason) {
    group->update_member(member, std::move(args.protocols), args.rebalance_timeout_ms,
                         args.session_timeout_ms, std::move(done));
    maybe_prepare_rebalance(group, reason);
  };
  switch (group->state()) {
    case GroupState::PreparingRebalance:
      update_and_rebalance(fmt::format("member {} joining group during PreparingRebalance", member_id));
      break;
    case GroupState::CompletingRebalance:
      if (member.matches(args.protocols)) {
        // It probably missed the JoinGroup response: answer with the current generation again.
        done(current_generation_join_response(*group, member_id, group->is_leader(member_id)));
      } else {
        update_and_rebalance(
            fmt::format("updating metadata for member {} during CompletingRebalance", member_id));
      }
      break;
    case GroupState::Stable:
      if (group->is_leader(member_id)) {
        // The leader rejoins to rebalance on changes the member metadata does not show (topic metadata).
        update_and_rebalance(fmt::format("leader {} re-joining group during Stable", member_id));
      } else if (!member.matches(args.protocols)) {
        update_and_rebalance(fmt::format("updating metadata for member {} during Stable", member_id));
      } else {
        done(current_generation_join_response(*group, member_id, false));
      }
      break;
    case GroupState::Empty:
    case GroupState::Dead:
      done(join_error(member_id, ErrorCode::UNKNOWN_MEMBER_ID));
      break;
  }
}

JoinGroupResponse GroupCoordinator::current_generation_join_response(const GroupMetadata& group,
                                                                     const std::string& member_id,
                                                                     bool with_members) const {
  JoinGroupResponse r;
  r.generation_id = group.generation_id;
  r.protocol_name = group.protocol_name.value_or("");
  r.leader = group.leader_id.value_or("");
  r.member_id = member_id;
  if (with_members) r.members = group.current_member_metadata();
  return r;
}

void GroupCoordinator::add_member_and_rebalance(const GroupPtr& group, JoinArgs args, JoinCallback done) {
  auto member = std::make_unique<MemberMetadata>();
  member->member_id = args.member_id;
  member->group_instance_id = args.group_instance_id;
  member->client_id = args.client_id;
  member->client_host = args.client_host;
  member->rebalance_timeout_ms = args.rebalance_timeout_ms;
  member->session_timeout_ms = args.session_timeout_ms;
  member->protocol_type = args.protocol_type;
  member->supported_protocols = std::move(args.protocols);
  member->is_new = true;
  // Joins during the very first rebalance extend the initial delay.
  if (group->is(GroupState::PreparingRebalance) && group->generation_id == 0) group->new_member_added = true;
  MemberMetadata& ref = *member;
  group->add(std::move(member), std::move(done));
  // A new member cannot heartbeat before its JoinGroup response; if the client went away, the
  // member is dropped after this timeout rather than holding the rebalance forever.
  complete_and_schedule_next_expiration(group, ref, kNewMemberJoinTimeoutMs);
  maybe_prepare_rebalance(group, fmt::format("adding new member {}", args.member_id));
}

void GroupCoordinator::update_static_member_and_rebalance(const GroupPtr& group,
                                                          const std::string& old_member_id, JoinArgs args,
                                                          JoinCallback done) {
  const std::string new_member_id = args.member_id;
  const std::string instance_id = *args.group_instance_id;
  const std::string current_leader = group->leader_id.value_or("");
  MemberMetadata& member = group->replace_static_member(instance_id, old_member_id, new_member_id);
  // The old id's session timer is gone with the old id; the member runs on a fresh one.
  complete_and_schedule_next_expiration(group, member, member.session_timeout_ms);
  std::vector<Protocol> old_protocols = member.supported_protocols;
  int32_t old_rebalance_timeout = member.rebalance_timeout_ms;
  int32_t old_session_timeout = member.session_timeout_ms;
  JoinCallback respond = done;
  group->update_member(member, std::move(args.protocols), args.rebalance_timeout_ms, args.session_timeout_ms,
                       std::move(done));
  switch (group->state()) {
    case GroupState::Stable: {
      if (group->protocol_name != group->select_protocol()) {
        maybe_prepare_rebalance(group,
                                fmt::format("static member {} changed the selected protocol", instance_id));
        break;
      }
      // Same protocol: persist the new member id and hand back the current assignment, no rebalance.
      std::map<std::string, std::vector<uint8_t>> assignment;
      for (const auto& [id, m] : group->members()) assignment[id] = m->assignment;
      std::weak_ptr<GroupMetadata> weak = group;
      store_group(group, assignment, [=, this](ErrorCode error) {
        GroupPtr g = weak.lock();
        if (!g || !g->has(new_member_id)) return respond(join_error("", ErrorCode::UNKNOWN_MEMBER_ID));
        MemberMetadata& m = g->get(new_member_id);
        if (error != ErrorCode::NONE) {
          logger().warn("group {}: failed to persist static member {}: {}", g->group_id(), instance_id,
                        to_string(error));
          // Revert to the old member id; the new instance has to rejoin.
          g->update_member(m, old_protocols, old_rebalance_timeout, old_session_timeout, nullptr);
          MemberMetadata& old = g->replace_static_member(instance_id, new_member_id, old_member_id);
          complete_and_schedule_next_expiration(g, old, old.session_timeout_ms);
          JoinGroupResponse r = join_error("", error);
          r.generation_id = g->generation_id;
          r.protocol_name = g->protocol_name.value_or("");
          r.leader = current_leader;
          return respond(std::move(r));
        }
        // The old leader id is returned so that a static leader does not run a trivial assignment
        // (a Stable group would not broadcast it) — JoinGroup < v9 has no skipAssignment.
        JoinGroupResponse r = current_generation_join_response(*g, new_member_id, false);
        r.leader = current_leader;
        g->maybe_invoke_join_callback(m, std::move(r));
      });
      break;
    }
    case GroupState::CompletingRebalance:
      // The leader may already be assigning to the old member id: start over.
      prepare_rebalance(group, fmt::format("updating metadata for static member {}", instance_id));
      break;
    case GroupState::PreparingRebalance:
      break;
    case GroupState::Empty:
    case GroupState::Dead:
      throw std::logic_error(fmt::format("group {}: static member {} replaced in state {}", group->group_id(),
                                         instance_id, to_string(group->state())));
  }
}

void GroupCoordinator::add_pending_member(const GroupPtr& group, const std::string& member_id,
                                          int32_t session_timeout_ms) {
  std::weak_ptr<GroupMetadata> weak = group;
  group->pending_members[member_id] = scheduler_.schedule(session_timeout_ms, [this, weak, member_id] {
    if (GroupPtr g = weak.lock(); g && !g->is(GroupState::Dead)) {
      logger().info("group {}: pending member {} removed after session timeout", g->group_id(), member_id);
      remove_pending_member_and_update_group(g, member_id);
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Rebalance steps

void GroupCoordinator::maybe_prepare_rebalance(const GroupPtr& group, const std::string& reason) {
  if (group->can_rebalance()) prepare_rebalance(group, reason);
}

void GroupCoordinator::prepare_rebalance(const GroupPtr& group, const std::string& reason) {
  // Members waiting for their assignment must rejoin instead.
  if (group->is(GroupState::CompletingRebalance)) {
    reset_and_propagate_assignment_error(group, ErrorCode::REBALANCE_IN_PROGRESS);
  }
  remove_sync_expiration(*group);
  bool from_empty = group->is(GroupState::Empty);
  int64_t rebalance_timeout = group->rebalance_timeout_ms();
  group->transition_to(GroupState::PreparingRebalance, now());
  logger().info("group {}: preparing to rebalance in generation {} ({})", group->group_id(),
                group->generation_id, reason);
  if (from_empty) {
    int64_t delay = config_.group_initial_rebalance_delay_ms;
    schedule_initial_join(group, delay, std::max<int64_t>(rebalance_timeout - delay, 0));
  } else {
    schedule_join(group, rebalance_timeout);
    try_complete_join(group);
  }
}

void GroupCoordinator::schedule_join(const GroupPtr& group, int64_t delay_ms) {
  std::weak_ptr<GroupMetadata> weak = group;
  group->join_is_initial = false;
  group->join_timer = scheduler_.schedule(delay_ms, [this, weak] {
    if (GroupPtr g = weak.lock()) on_complete_join(g);
  });
}

void GroupCoordinator::schedule_initial_join(const GroupPtr& group, int64_t delay_ms, int64_t remaining_ms) {
  std::weak_ptr<GroupMetadata> weak = group;
  group->join_is_initial = true;
  group->join_timer = scheduler_.schedule(delay_ms, [this, weak, delay_ms, remaining_ms] {
    GroupPtr g = weak.lock();
    if (!g) return;
    // InitialDelayedJoin: members that keep arriving extend the wait, up to the rebalance timeout.
    if (g->new_member_added && remaining_ms != 0) {
      g->new_member_added = false;
      int64_t delay = std::min<int64_t>(config_.group_initial_rebalance_delay_ms, remaining_ms);
      int64_t remaining = std::max<int64_t>(remaining_ms - delay_ms, 0);
      schedule_initial_join(g, delay, remaining);
    } else {
      on_complete_join(g);
    }
  });
}

void GroupCoordinator::try_complete_join(const GroupPtr& group) {
  // The initial delayed join never completes early.
  if (!group->join_timer || group->join_is_initial || !group->has_all_members_joined()) return;
  group->join_timer.reset();
  on_complete_join(group);
}

void GroupCoordinator::on_complete_join(const GroupPtr& group) {
  group->join_timer.reset();
  // Dynamic members that did not rejoin in time are out; static ones stay until their session ends.
  std::vector<std::string> not_rejoined;
  for (const auto& [id, m] : group->members()) {
    if (!m->is_awaiting_join() && !m->is_static()) not_rejoined.push_back(id);
  }
  for (const auto& id : not_rejoined) {
    logger().info("group {}: member {} did not rejoin in time, removing it", group->group_id(), id);
    group->remove(id);
  }
  if (group->is(GroupState::Dead)) return;
  if (!group->maybe_elect_new_joined_leader() && group->size() > 0) {
    // Only static members that did not rejoin are left: wait for them or their session expiry.
    logger().error("group {}: could not complete rebalance because no members rejoined", group->group_id());
    schedule_join(group, group->rebalance_timeout_ms());
    return;
  }
  group->init_next_generation(now());
  if (group->is(GroupState::Empty)) {
    logger().info("group {}: generation {} is now empty", group->group_id(), group->generation_id);
    std::string group_id = group->group_id();
    store_group(group, {}, [group_id](ErrorCode error) {
      // No member depends on it: an older generation in the log only expires later.
      if (error != ErrorCode::NONE) {
        logger().warn("group {}: failed to write empty group metadata: {}", group_id, to_string(error));
      }
    });
    return;
  }
  logger().info("group {}: stabilized generation {} (protocol {}, {} members)", group->group_id(),
                group->generation_id, *group->protocol_name, group->size());
  std::vector<std::string> ids;
  for (const auto& [id, m] : group->members()) ids.push_back(id);
  for (const auto& id : ids) {
    if (!group->has(id)) continue;
    MemberMetadata& member = group->get(id);
    group->maybe_invoke_join_callback(member,
                                      current_generation_join_response(*group, id, group->is_leader(id)));
    complete_and_schedule_next_expiration(group, member, member.session_timeout_ms);
    member.is_new = false;
    group->pending_sync_members.insert(id);
  }
  schedule_pending_sync(group);
}

void GroupCoordinator::schedule_pending_sync(const GroupPtr& group) {
  std::weak_ptr<GroupMetadata> weak = group;
  int32_t generation = group->generation_id;
  group->sync_timer = scheduler_.schedule(group->rebalance_timeout_ms(), [this, weak, generation] {
    if (GroupPtr g = weak.lock()) on_expire_pending_sync(g, generation);
  });
}

void GroupCoordinator::remove_sync_expiration(GroupMetadata& group) {
  group.pending_sync_members.clear();
  group.sync_timer.reset();
}

void GroupCoordinator::remove_pending_sync_member(GroupMetadata& group, const std::string& member_id) {
  group.pending_sync_members.erase(member_id);
  if (group.pending_sync_members.empty()) group.sync_timer.reset();
}

void GroupCoordinator::on_expire_pending_sync(const GroupPtr& group, int32_t generation_id) {
  if (generation_id != group->generation_id) return;
  if (!group->is(GroupState::CompletingRebalance) && !group->is(GroupState::Stable)) return;
  if (group->pending_sync_members.empty()) return;
  std::set<std::string> pending = group->pending_sync_members;
  for (const auto& id : pending) {
    logger().info("group {}: member {} sent no SyncGroup in time, removing it", group->group_id(), id);
    group->remove(id);
  }
  prepare_rebalance(group, "removing members on pending sync expiration");
}

void GroupCoordinator::reset_and_propagate_assignment_error(const GroupPtr& group, ErrorCode error) {
  for (const auto& [id, m] : group->members()) m->assignment.clear();
  propagate_assignment(group, error);
}

void GroupCoordinator::propagate_assignment(const GroupPtr& group, ErrorCode error) {
  for (const auto& [id, m] : group->members()) {
    if (group->maybe_invoke_sync_callback(*m, sync_result(error, m->assignment))) {
      // Expiries that fired while the member waited were ignored; it needs a fresh deadline.
      complete_and_schedule_next_expiration(group, *m, m->session_timeout_ms);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Heartbeats and membership

void GroupCoordinator::complete_and_schedule_next_expiration(const GroupPtr& group, MemberMetadata& member,
                                                             int64_t timeout_ms) {
  member.heartbeat_satisfied = false;
  std::weak_ptr<GroupMetadata> weak = group;
  std::string member_id = member.member_id;
  member.heartbeat_timer = scheduler_.schedule(timeout_ms, [this, weak, member_id] {
    if (GroupPtr g = weak.lock()) on_expire_heartbeat(g, member_id);
  });
}

void GroupCoordinator::on_expire_heartbeat(const GroupPtr& group, const std::string& member_id) {
  if (group->is(GroupState::Dead) || !group->has(member_id)) return;
  if (group->get(member_id).has_satisfied_heartbeat()) return;
  logger().info("group {}: member {} has failed (session timeout), removing it", group->group_id(),
                member_id);
  remove_member_and_update_group(group, member_id, "member's session timed out");
}

void GroupCoordinator::remove_pending_member_and_update_group(const GroupPtr& group,
                                                              const std::string& member_id) {
  group->pending_members.erase(member_id);
  if (group->is(GroupState::PreparingRebalance)) try_complete_join(group);
}

void GroupCoordinator::remove_member_and_update_group(const GroupPtr& group, const std::string& member_id,
                                                      const std::string& reason) {
  MemberMetadata& member = group->get(member_id);
  // A new member may time out while its JoinGroup is parked: tell it, so it can rejoin if alive.
  group->maybe_invoke_join_callback(member, join_error("", ErrorCode::UNKNOWN_MEMBER_ID));
  // Kafka leaves a parked SyncGroup of a removed member unanswered; answer it instead of stalling
  // that connection until the client times out.
  group->maybe_invoke_sync_callback(member, sync_result(ErrorCode::UNKNOWN_MEMBER_ID));
  group->remove(member_id);
  switch (group->state()) {
    case GroupState::Dead:
    case GroupState::Empty:
      break;
    case GroupState::Stable:
    case GroupState::CompletingRebalance:
      maybe_prepare_rebalance(group, reason);
      break;
    case GroupState::PreparingRebalance:
      try_complete_join(group);
      break;
  }
}

std::optional<ErrorCode> GroupCoordinator::validate_current_member(
    const GroupMetadata& group, const std::string& member_id,
    const std::optional<std::string>& instance_id) const {
  if (group.is_static_member_fenced(instance_id, member_id)) return ErrorCode::FENCED_INSTANCE_ID;
  if (!group.has(member_id)) return ErrorCode::UNKNOWN_MEMBER_ID;
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// SyncGroup

void GroupCoordinator::sync_group(const SyncGroupRequest& r, int16_t /*version*/,
                                  std::function<void(SyncGroupResponse)> done) {
  if (auto error = validate_group_status(r.group_id, Api::SyncGroup)) {
    // While loading, the rebalance in flight is lost: rejoining is the way on, and old clients do
    // not know COORDINATOR_LOAD_IN_PROGRESS here.
    if (*error == ErrorCode::COORDINATOR_LOAD_IN_PROGRESS)
      return done(sync_result(ErrorCode::REBALANCE_IN_PROGRESS));
    return done(sync_result(*error));
  }
  GroupPtr group = get_group(r.group_id);
  if (!group) return done(sync_result(ErrorCode::UNKNOWN_MEMBER_ID));
  do_sync_group(group, r, std::move(done));
}

void GroupCoordinator::do_sync_group(const GroupPtr& group, const SyncGroupRequest& r, SyncCallback done) {
  if (group->is(GroupState::Dead)) return done(sync_result(ErrorCode::COORDINATOR_NOT_AVAILABLE));
  if (auto error = validate_current_member(*group, r.member_id, r.group_instance_id)) {
    return done(sync_result(*error));
  }
  if (r.generation_id != group->generation_id) return done(sync_result(ErrorCode::ILLEGAL_GENERATION));
  switch (group->state()) {
    case GroupState::Empty:
      return done(sync_result(ErrorCode::UNKNOWN_MEMBER_ID));
    case GroupState::PreparingRebalance:
      return done(sync_result(ErrorCode::REBALANCE_IN_PROGRESS));
    case GroupState::Dead:
      return done(sync_result(ErrorCode::COORDINATOR_NOT_AVAILABLE));
    case GroupState::Stable: {
      remove_pending_sync_member(*group, r.member_id);
      MemberMetadata& member = group->get(r.member_id);
      done(sync_result(ErrorCode::NONE, member.assignment));
      complete_and_schedule_next_expiration(group, member, member.session_timeout_ms);
      return;
    }
    case GroupState::CompletingRebalance:
      break;
  }
  group->get(r.member_id).awaiting_sync = std::move(done);
  remove_pending_sync_member(*group, r.member_id);
  if (!group->is_leader(r.member_id)) return;

  logger().info("group {}: assignment received from leader {} for generation {}", group->group_id(),
                r.member_id, group->generation_id);
  std::map<std::string, std::vector<uint8_t>> assignment;
  for (const auto& a : r.assignments) assignment[a.member_id] = a.assignment;
  for (const auto& [id, m] : group->members()) assignment.try_emplace(id);  // missing members get nothing
  std::weak_ptr<GroupMetadata> weak = group;
  int32_t generation = group->generation_id;
  std::string leader = r.member_id;
  store_group(group, assignment, [this, weak, generation, assignment, leader](ErrorCode error) {
    GroupPtr g = weak.lock();
    // A member may have joined or left meanwhile; then this generation is over already.
    if (!g || !g->is(GroupState::CompletingRebalance) || g->generation_id != generation) return;
    if (error != ErrorCode::NONE) {
      reset_and_propagate_assignment_error(g, error);
      maybe_prepare_rebalance(g, fmt::format("error storing the assignment of leader {}", leader));
      return;
    }
    for (const auto& [id, m] : g->members()) {
      auto it = assignment.find(id);
      m->assignment = it == assignment.end() ? std::vector<uint8_t>{} : it->second;
    }
    propagate_assignment(g, ErrorCode::NONE);
    g->transition_to(GroupState::Stable, now());
  });
}

// ---------------------------------------------------------------------------------------------
// Heartbeat and LeaveGroup

void GroupCoordinator::heartbeat(const HeartbeatRequest& r, int16_t /*version*/,
                                 std::function<void(HeartbeatResponse)> done) {
  auto respond = [&](ErrorCode error) {
    HeartbeatResponse resp;
    resp.error_code = static_cast<int16_t>(error);
    done(resp);
  };
  if (auto error = validate_group_status(r.group_id, Api::Heartbeat)) {
    // Loading: the client should just keep going until the coordinator knows the group again.
    return respond(*error == ErrorCode::COORDINATOR_LOAD_IN_PROGRESS ? ErrorCode::NONE : *error);
  }
  GroupPtr group = get_group(r.group_id);
  if (!group) return respond(ErrorCode::UNKNOWN_MEMBER_ID);
  if (group->is(GroupState::Dead)) return respond(ErrorCode::COORDINATOR_NOT_AVAILABLE);
  if (auto error = validate_current_member(*group, r.member_id, r.group_instance_id)) return respond(*error);
  if (r.generation_id != group->generation_id) return respond(ErrorCode::ILLEGAL_GENERATION);
  if (group->is(GroupState::Empty)) return respond(ErrorCode::UNKNOWN_MEMBER_ID);
  MemberMetadata& member = group->get(r.member_id);
  complete_and_schedule_next_expiration(group, member, member.session_timeout_ms);
  respond(group->is(GroupState::PreparingRebalance) ? ErrorCode::REBALANCE_IN_PROGRESS : ErrorCode::NONE);
}

void GroupCoordinator::leave_group(const LeaveGroupRequest& r, int16_t version,
                                   std::function<void(LeaveGroupResponse)> done) {
  std::vector<LeaveGroupRequest::MemberIdentity> leaving =
      version >= 3 ? r.members : std::vector<LeaveGroupRequest::MemberIdentity>{{r.member_id, std::nullopt}};
  auto finish = [&](ErrorCode top, std::vector<LeaveGroupResponse::MemberResponse> members) {
    LeaveGroupResponse resp;
    if (version >= 3) {
      resp.error_code = static_cast<int16_t>(top);
      resp.members = std::move(members);
    } else {
      // v0-2 have one error: the group's, else the member's.
      resp.error_code = static_cast<int16_t>(top);
      for (const auto& m : members) {
        if (resp.error_code == 0) resp.error_code = m.error_code;
      }
    }
    done(std::move(resp));
  };
  auto member_error = [](const LeaveGroupRequest::MemberIdentity& m, ErrorCode e) {
    return LeaveGroupResponse::MemberResponse{m.member_id, m.group_instance_id, static_cast<int16_t>(e)};
  };
  if (auto error = validate_group_status(r.group_id, Api::LeaveGroup)) return finish(*error, {});
  GroupPtr group = get_group(r.group_id);
  std::vector<LeaveGroupResponse::MemberResponse> results;
  if (!group) {
    for (const auto& m : leaving) results.push_back(member_error(m, ErrorCode::UNKNOWN_MEMBER_ID));
    return finish(ErrorCode::NONE, std::move(results));
  }
  if (group->is(GroupState::Dead)) return finish(ErrorCode::COORDINATOR_NOT_AVAILABLE, {});
  for (const auto& m : leaving) {
    std::string reason = fmt::format("member {} left the group", m.member_id);
    if (m.member_id.empty()) {
      // Administrative removal of a static member by its instance id.
      auto current = m.group_instance_id ? group->static_member_id(*m.group_instance_id) : std::nullopt;
      if (current) remove_member_and_update_group(group, *current, reason);
      results.push_back(member_error(m, current ? ErrorCode::NONE : ErrorCode::UNKNOWN_MEMBER_ID));
    } else if (group->is_pending_member(m.member_id)) {
      remove_pending_member_and_update_group(group, m.member_id);
      results.push_back(member_error(m, ErrorCode::NONE));
    } else if (auto error = validate_current_member(*group, m.member_id, m.group_instance_id)) {
      results.push_back(member_error(m, *error));
    } else {
      logger().info("group {}: {}", group->group_id(), reason);
      remove_member_and_update_group(group, m.member_id, reason);
      results.push_back(member_error(m, ErrorCode::NONE));
    }
  }
  finish(ErrorCode::NONE, std::move(results));
}

}  // namespace gregor::coordinator

// Leader election strategies and imbalance computation (Kafka's Election.scala /
// PartitionLeaderElectionAlgorithms).
#include "broker/controller/election.h"

#include <algorithm>

namespace gregor::broker {
namespace {

bool contains(const std::vector<int32_t>& v, int32_t x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

std::vector<int32_t> filter(const std::vector<int32_t>& v, auto keep) {
  std::vector<int32_t> out;
  std::copy_if(v.begin(), v.end(), std::back_inserter(out), keep);
  return out;
}

}  // namespace

std::optional<Election> elect_offline(const std::vector<int32_t>& assignment, const std::vector<int32_t>& isr,
                                      const std::set<int32_t>& live, bool allow_unclean) {
  auto is_live = [&](int32_t b) { return live.count(b) > 0; };
  auto live_assigned = filter(assignment, is_live);
  auto clean = std::find_if(assignment.begin(), assignment.end(),
                            [&](int32_t b) { return is_live(b) && contains(isr, b); });
  Election e;
  e.recipients = live_assigned;
  if (clean != assignment.end()) {
    e.leader = *clean;
    e.isr = filter(isr, is_live);
    return e;
  }
  if (!allow_unclean || live_assigned.empty()) return std::nullopt;
  e.leader = live_assigned.front();
  e.isr = {e.leader};
  e.unclean = true;
  return e;
}

std::optional<Election> elect_preferred(const std::vector<int32_t>& assignment,
                                        const std::vector<int32_t>& isr, const std::set<int32_t>& live) {
  if (assignment.empty()) return std::nullopt;
  int32_t preferred = assignment.front();
  if (!live.count(preferred) || !contains(isr, preferred)) return std::nullopt;
  return Election{preferred, isr, filter(assignment, [&](int32_t b) { return live.count(b) > 0; }), false};
}

std::optional<Election> elect_controlled_shutdown(const std::vector<int32_t>& assignment,
                                                  const std::vector<int32_t>& isr,
                                                  const std::set<int32_t>& live,
                                                  const std::set<int32_t>& shutting_down) {
  auto live_or_shutting = [&](int32_t b) { return live.count(b) > 0 || shutting_down.count(b) > 0; };
  auto leader = std::find_if(assignment.begin(), assignment.end(), [&](int32_t b) {
    return live_or_shutting(b) && contains(isr, b) && !shutting_down.count(b);
  });
  if (leader == assignment.end()) return std::nullopt;
  return Election{*leader, filter(isr, [&](int32_t b) { return !shutting_down.count(b); }),
                  filter(assignment, live_or_shutting), false};
}

std::optional<Election> elect_new_partition(const std::vector<int32_t>& assignment,
                                            const std::set<int32_t>& live) {
  auto live_assigned = filter(assignment, [&](int32_t b) { return live.count(b) > 0; });
  if (live_assigned.empty()) return std::nullopt;
  return Election{live_assigned.front(), live_assigned, live_assigned, false};
}

IsrRemoval remove_from_isr(int32_t leader, const std::vector<int32_t>& isr, int32_t broker) {
  IsrRemoval r;
  r.leader = leader == broker ? -1 : leader;
  r.isr =
      isr.size() == 1 && isr.front() == broker ? isr : filter(isr, [&](int32_t b) { return b != broker; });
  return r;
}

std::map<int32_t, double> leader_imbalance(
    const std::map<log::TopicPartition, PartitionLeadership>& partitions,
    const std::set<std::string>& excluded) {
  std::map<int32_t, std::pair<int, int>> counts;  // preferred broker -> (not led by it, total)
  for (const auto& [tp, p] : partitions) {
    if (p.assignment.empty() || excluded.count(tp.topic)) continue;
    auto& c = counts[p.assignment.front()];
    c.second++;
    if (p.leader != p.assignment.front()) c.first++;
  }
  std::map<int32_t, double> out;
  for (const auto& [broker, c] : counts) out[broker] = static_cast<double>(c.first) / c.second;
  return out;
}

std::vector<log::TopicPartition> partitions_to_rebalance(
    const std::map<log::TopicPartition, PartitionLeadership>& partitions, const std::set<int32_t>& live,
    int32_t imbalance_percentage, const std::set<std::string>& excluded) {
  auto imbalance = leader_imbalance(partitions, excluded);
  std::vector<log::TopicPartition> out;
  for (const auto& [tp, p] : partitions) {
    if (p.assignment.empty() || excluded.count(tp.topic)) continue;
    int32_t preferred = p.assignment.front();
    if (imbalance[preferred] <= imbalance_percentage / 100.0) continue;
    if (p.leader == preferred || !live.count(preferred) || !contains(p.isr, preferred)) continue;
    out.push_back(tp);
  }
  return out;
}

}  // namespace gregor::broker

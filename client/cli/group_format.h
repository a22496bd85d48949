// Pure helpers of `gregor groups`: describe rows, offset-reset plans, datetimes and watch transitions.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "client/admin.h"
#include "client/error.h"
#include "client/topic_partition.h"
#include "protocol/result.h"

namespace gregor::client::cli {

// One row of kafka-consumer-groups --describe (offsets view); "-" marks an unknown cell.
struct OffsetRow {
  TopicPartition tp;
  std::optional<int64_t> current_offset;
  std::optional<int64_t> log_end_offset;
  std::optional<int64_t> lag;
  std::string consumer_id = "-";
  std::string host = "-";
  std::string client_id = "-";
  bool no_partition = false;  // a member without partitions: topic and partition print as "-"
};

// Rows as Kafka builds them: each member's partitions (a member with none gets one "-" row), then
// committed partitions no member owns; sorted by topic and partition, member-less rows last.
std::vector<OffsetRow> offset_rows(const GroupDescription& group,
                                   const std::map<TopicPartition, int64_t>& committed,
                                   const std::map<TopicPartition, int64_t>& log_end_offsets);
// The partitions whose log end offsets offset_rows needs.
std::vector<TopicPartition> partitions_to_describe(const GroupDescription& group,
                                                   const std::map<TopicPartition, int64_t>& committed);
// Cells in the column order GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG CONSUMER-ID HOST
// CLIENT-ID.
std::vector<std::string> offset_row_cells(const std::string& group, const OffsetRow& row);

// What `groups reset-offsets` moves the offsets to.
struct ResetSpec {
  enum class Kind { Earliest, Latest, Offset, Datetime, ShiftBy } kind = Kind::Earliest;
  int64_t value = 0;  // the offset, the shift, or the timestamp (ms)
};

// New offsets for the partitions, as kafka-consumer-groups computes them: to-offset and shift-by are
// clamped into [earliest, latest]; to-datetime uses by_time (the first offset at or after the time,
// -1 = none: the log end); shift-by needs a committed offset.
Result<std::map<TopicPartition, int64_t>, ClientError> plan_reset(
    const ResetSpec& spec, const std::vector<TopicPartition>& partitions,
    const std::map<TopicPartition, int64_t>& committed, const std::map<TopicPartition, int64_t>& earliest,
    const std::map<TopicPartition, int64_t>& latest, const std::map<TopicPartition, int64_t>& by_time);

// "2024-05-01T10:00:00[.123][Z|+02:00|-0130]" (no zone = UTC), or plain ms since the epoch.
Result<int64_t, ClientError> parse_datetime(const std::string& text);

// "t" (all partitions: empty list) or "t:0,2" → (topic, partitions).
Result<std::pair<std::string, std::vector<int32_t>>, ClientError> parse_topic_partitions(
    const std::string& text);

// What `groups watch` compares between two DescribeGroups answers.
struct WatchMember {
  std::string client_id;
  std::string host;
  std::vector<TopicPartition> assignment;
  bool operator==(const WatchMember&) const = default;
};
struct WatchSnapshot {
  std::string state;
  std::string protocol;
  std::map<std::string, WatchMember> members;  // by member id
  bool operator==(const WatchSnapshot&) const = default;
};
WatchSnapshot watch_snapshot(const GroupDescription& g);

// The transition from prev (nullopt: the first observation) to cur.
struct WatchEvent {
  std::string state;
  int64_t rebalances = 0;  // rebalances seen since the watch started
  std::vector<std::string> joined;
  std::vector<std::string> left;
  std::map<std::string, std::vector<TopicPartition>> assignment;  // by member id
};
// nullopt when nothing changed. A rebalance is counted on entering PreparingRebalance or
// CompletingRebalance, or when members or assignments changed while staying Stable (a rebalance
// quicker than the poll interval).
std::optional<WatchEvent> watch_transition(const std::optional<WatchSnapshot>& prev, const WatchSnapshot& cur,
                                           int64_t rebalances_before);
// "state=Stable rebalances=1 members=2 joined=[m1] left=[] assignment={m1=t(0,1) m2=t(2)}"
std::string format_watch_event(const WatchEvent& e);

}  // namespace gregor::client::cli

// Pure helpers of `gregor groups`: row building, reset planning, datetime parsing, watch transitions.
#include "client/cli/group_format.h"

#include <algorithm>
#include <charconv>
#include <ctime>
#include <set>

#include "client/consumer_protocol.h"

namespace gregor::client::cli {

namespace {

std::string cell(const std::optional<int64_t>& v) { return v ? std::to_string(*v) : "-"; }

bool parse_int(std::string_view s, int64_t& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size() && !s.empty();
}

}  // namespace

std::vector<TopicPartition> partitions_to_describe(const GroupDescription& group,
                                                   const std::map<TopicPartition, int64_t>& committed) {
  std::set<TopicPartition> all;
  for (const auto& m : group.members) all.insert(m.assignment.begin(), m.assignment.end());
  for (const auto& [tp, offset] : committed) all.insert(tp);
  return {all.begin(), all.end()};
}

std::vector<OffsetRow> offset_rows(const GroupDescription& group,
                                   const std::map<TopicPartition, int64_t>& committed,
                                   const std::map<TopicPartition, int64_t>& log_end_offsets) {
  std::vector<OffsetRow> owned;
  std::vector<OffsetRow> idle_members;
  std::set<TopicPartition> seen;
  auto fill = [&](OffsetRow& row) {
    auto c = committed.find(row.tp);
    auto e = log_end_offsets.find(row.tp);
    if (c != committed.end()) row.current_offset = c->second;
    if (e != log_end_offsets.end()) row.log_end_offset = e->second;
    if (row.current_offset && row.log_end_offset)
      row.lag = std::max<int64_t>(0, *row.log_end_offset - *row.current_offset);
  };
  for (const auto& m : group.members) {
    if (m.assignment.empty()) {
      OffsetRow row;
      row.no_partition = true;
      row.consumer_id = m.member_id;
      row.host = m.host;
      row.client_id = m.client_id;
      idle_members.push_back(row);
      continue;
    }
    for (const auto& tp : m.assignment) {
      OffsetRow row{tp, {}, {}, {}, m.member_id, m.host, m.client_id, false};
      fill(row);
      owned.push_back(row);
      seen.insert(tp);
    }
  }
  for (const auto& [tp, offset] : committed) {
    if (seen.contains(tp)) continue;
    OffsetRow row;
    row.tp = tp;
    fill(row);
    owned.push_back(row);
  }
  std::ranges::sort(owned, {}, &OffsetRow::tp);
  owned.insert(owned.end(), idle_members.begin(), idle_members.end());
  return owned;
}

std::vector<std::string> offset_row_cells(const std::string& group, const OffsetRow& row) {
  if (row.no_partition) return {group, "-", "-", "-", "-", "-", row.consumer_id, row.host, row.client_id};
  return {group,
          row.tp.topic,
          std::to_string(row.tp.partition),
          cell(row.current_offset),
          cell(row.log_end_offset),
          cell(row.lag),
          row.consumer_id,
          row.host,
          row.client_id};
}

Result<std::map<TopicPartition, int64_t>, ClientError> plan_reset(
    const ResetSpec& spec, const std::vector<TopicPartition>& partitions,
    const std::map<TopicPartition, int64_t>& committed, const std::map<TopicPartition, int64_t>& earliest,
    const std::map<TopicPartition, int64_t>& latest, const std::map<TopicPartition, int64_t>& by_time) {
  std::map<TopicPartition, int64_t> out;
  auto name = [](const TopicPartition& tp) { return tp.topic + "-" + std::to_string(tp.partition); };
  for (const auto& tp : partitions) {
    auto lo = earliest.find(tp);
    auto hi = latest.find(tp);
    if (lo == earliest.end() || hi == latest.end()) {
      return unexpected(make_error(ErrorCode::UNKNOWN_TOPIC_OR_PARTITION, "no offsets for " + name(tp)));
    }
    auto clamp = [&](int64_t v) { return std::clamp(v, lo->second, std::max(lo->second, hi->second)); };
    switch (spec.kind) {
      case ResetSpec::Kind::Earliest:
        out[tp] = lo->second;
        break;
      case ResetSpec::Kind::Latest:
        out[tp] = hi->second;
        break;
      case ResetSpec::Kind::Offset:
        out[tp] = clamp(spec.value);
        break;
      case ResetSpec::Kind::ShiftBy: {
        auto c = committed.find(tp);
        if (c == committed.end()) {
          return unexpected(make_error(ErrorCode::INVALID_REQUEST, "cannot shift the offset of " + name(tp) +
                                                                       ": the group has none committed"));
        }
        out[tp] = clamp(c->second + spec.value);
        break;
      }
      case ResetSpec::Kind::Datetime: {
        auto t = by_time.find(tp);
        out[tp] = (t == by_time.end() || t->second < 0) ? hi->second : t->second;
        break;
      }
    }
  }
  return out;
}

Result<int64_t, ClientError> parse_datetime(const std::string& text) {
  auto bad = [&] {
    return unexpected(
        make_error(ErrorCode::INVALID_CONFIG,
                   "bad datetime '" + text + "': use YYYY-MM-DDTHH:mm:SS[.sss][Z|+HH:MM] or epoch ms"));
  };
  int64_t ms = 0;
  if (parse_int(text, ms)) return ms;
  std::tm tm{};
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s, &consumed) != 6)
    return bad();
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return bad();
  std::string_view rest = std::string_view(text).substr(static_cast<size_t>(consumed));
  int64_t millis = 0;
  if (!rest.empty() && rest.front() == '.') {
    size_t n = 1;
    while (n < rest.size() && std::isdigit(static_cast<unsigned char>(rest[n]))) ++n;
    std::string frac(rest.substr(1, n - 1));
    if (frac.empty()) return bad();
    frac = (frac + "000").substr(0, 3);
    millis = std::stoll(frac);
    rest.remove_prefix(n);
  }
  int64_t offset_minutes = 0;
  if (rest == "Z" || rest.empty()) {
    // UTC
  } else if (rest.front() == '+' || rest.front() == '-') {
    std::string digits;
    for (char c : rest.substr(1))
      if (c != ':') digits += c;
    int64_t v = 0;
    if (digits.size() != 4 || !parse_int(digits, v)) return bad();
    offset_minutes = (v / 100) * 60 + v % 100;
    if (rest.front() == '-') offset_minutes = -offset_minutes;
  } else {
    return bad();
  }
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  int64_t secs = static_cast<int64_t>(timegm(&tm)) - offset_minutes * 60;
  return secs * 1000 + millis;
}

Result<std::pair<std::string, std::vector<int32_t>>, ClientError> parse_topic_partitions(
    const std::string& text) {
  size_t colon = text.find(':');
  std::string topic = text.substr(0, colon);
  if (topic.empty())
    return unexpected(make_error(ErrorCode::INVALID_CONFIG, "empty topic in '" + text + "'"));
  std::vector<int32_t> parts;
  if (colon == std::string::npos) return std::pair{topic, parts};
  std::string_view list = std::string_view(text).substr(colon + 1);
  while (!list.empty()) {
    size_t comma = list.find(',');
    int64_t p = 0;
    if (!parse_int(list.substr(0, comma), p) || p < 0 || p > INT32_MAX) {
      return unexpected(make_error(ErrorCode::INVALID_CONFIG, "bad partition list in '" + text + "'"));
    }
    parts.push_back(static_cast<int32_t>(p));
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  if (parts.empty())
    return unexpected(make_error(ErrorCode::INVALID_CONFIG, "no partitions in '" + text + "'"));
  return std::pair{topic, parts};
}

WatchSnapshot watch_snapshot(const GroupDescription& g) {
  WatchSnapshot s{g.state, g.protocol, {}};
  for (const auto& m : g.members) {
    auto a = m.assignment;
    std::ranges::sort(a);
    s.members[m.member_id] = {m.client_id, m.host, std::move(a)};
  }
  return s;
}

std::optional<WatchEvent> watch_transition(const std::optional<WatchSnapshot>& prev, const WatchSnapshot& cur,
                                           int64_t rebalances_before) {
  if (prev && *prev == cur) return std::nullopt;
  WatchEvent e;
  e.state = cur.state;
  e.rebalances = rebalances_before;
  for (const auto& [id, m] : cur.members) {
    if (!prev || !prev->members.contains(id)) e.joined.push_back(id);
    e.assignment[id] = m.assignment;
  }
  if (prev) {
    for (const auto& [id, m] : prev->members)
      if (!cur.members.contains(id)) e.left.push_back(id);
    bool rebalancing = cur.state == "PreparingRebalance" || cur.state == "CompletingRebalance";
    bool was_rebalancing = prev->state == "PreparingRebalance" || prev->state == "CompletingRebalance";
    bool stable_changed = prev->state == "Stable" && cur.state == "Stable" && prev->members != cur.members;
    if ((rebalancing && !was_rebalancing) || stable_changed) ++e.rebalances;
  }
  return e;
}

std::string format_watch_event(const WatchEvent& e) {
  auto list = [](const std::vector<std::string>& v) {
    std::string s = "[";
    for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + v[i];
    return s + "]";
  };
  std::string out = "state=" + e.state + " rebalances=" + std::to_string(e.rebalances) +
                    " members=" + std::to_string(e.assignment.size()) + " joined=" + list(e.joined) +
                    " left=" + list(e.left) + " assignment={";
  bool first = true;
  for (const auto& [id, parts] : e.assignment) {
    out += (first ? "" : " ") + id + "=" + (parts.empty() ? std::string("-") : format_partitions(parts));
    first = false;
  }
  return out + "}";
}

}  // namespace gregor::client::cli

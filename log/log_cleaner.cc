// LogCleaner: offset map, recopy of segment groups into .cleaned segments, and the swap into the Log.
#include "log/log_cleaner.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <limits>
#include <string>

#include "log/batch_info.h"
#include "log/batch_rewrite.h"
#include "log/cleaner_policy.h"
#include "log/file.h"
#include "log/format.h"
#include "log/logger.h"
#include "protocol/record_batch.h"
#include "protocol/record_batch_header.h"

namespace gregor::log {
namespace {

constexpr int64_t kReadChunk = 1 << 20;
constexpr int64_t kWriteChunk = 1 << 20;

using BatchFn = std::function<Result<void, std::string>(std::span<const uint8_t>)>;

// Calls fn with each whole batch of a segment file (its first `size` bytes), reading in large chunks.
Result<void, std::string> for_each_stored_batch(const SegmentView& seg, const BatchFn& fn) {
  std::vector<uint8_t> buf;
  int64_t pos = 0;
  while (pos < seg.size) {
    int64_t want = std::min(kReadChunk, seg.size - pos);
    buf.resize(static_cast<size_t>(want));
    if (auto r = seg.file->pread_exact(buf, pos); !r) return unexpected(r.error());
    size_t at = 0;
    while (at + batch::kHeaderSize <= buf.size()) {
      batch::Header h(buf.data() + at);
      int64_t size = h.total_size();
      if (size < static_cast<int64_t>(batch::kHeaderSize) ||
          pos + static_cast<int64_t>(at) + size > seg.size) {
        return unexpected(fmt::format("{}: bad batch at position {}", seg.file->path().string(), pos + at));
      }
      if (at + static_cast<size_t>(size) > buf.size()) break;
      if (auto r = fn(std::span<const uint8_t>(buf.data() + at, static_cast<size_t>(size))); !r) return r;
      at += static_cast<size_t>(size);
    }
    if (at == 0) {
      // Either a header straddles the chunk end or the batch is larger than the chunk: read it whole.
      batch::Header h(buf.data());
      int64_t size = buf.size() >= batch::kHeaderSize ? h.total_size() : 0;
      if (size < static_cast<int64_t>(batch::kHeaderSize) || pos + size > seg.size) {
        return unexpected(fmt::format("{}: torn batch at position {}", seg.file->path().string(), pos));
      }
      buf.resize(static_cast<size_t>(size));
      if (auto r = seg.file->pread_exact(buf, pos); !r) return unexpected(r.error());
      if (auto r = fn(buf); !r) return r;
      at = static_cast<size_t>(size);
    }
    pos += static_cast<int64_t>(at);
  }
  return {};
}

std::string key_of(const Record& r) { return std::string(r.key->begin(), r.key->end()); }

using OffsetMap = std::unordered_map<std::string, int64_t>;

Result<OffsetMap, std::string> build_offset_map(const CleanJob& job, CleanerStats& stats) {
  OffsetMap map;
  for (const SegmentView& seg : job.segments) {
    auto r = for_each_stored_batch(seg, [&](std::span<const uint8_t> b) -> Result<void, std::string> {
      stats.bytes_read += static_cast<int64_t>(b.size());
      if (batch::Header(const_cast<uint8_t*>(b.data())).is_control()) return {};
      auto records = decode_records(b);
      if (!records) return unexpected(records.error());
      for (const Record& rec : *records) {
        if (rec.key) map[key_of(rec)] = rec.offset;
      }
      return {};
    });
    if (!r) return unexpected(r.error());
  }
  return map;
}

// Groups consecutive segments whose combined size fits one segment and whose offsets fit int32 deltas
// (Kafka's groupSegmentsBySize).
std::vector<std::vector<SegmentView>> group_segments(const std::vector<SegmentView>& segments,
                                                     int64_t max_bytes) {
  std::vector<std::vector<SegmentView>> groups;
  int64_t bytes = 0;
  for (const SegmentView& seg : segments) {
    bool fits = !groups.empty() && bytes + seg.size <= max_bytes &&
                seg.end_offset - 1 - groups.back().front().base_offset <= std::numeric_limits<int32_t>::max();
    if (!fits) {
      groups.emplace_back();
      bytes = 0;
    }
    groups.back().push_back(seg);
    bytes += seg.size;
  }
  return groups;
}

// Writes the cleaned form of `group` into a new .cleaned segment.
class GroupWriter {
 public:
  GroupWriter(const CleanJob& job, const OffsetMap& map, CleanOutput& out)
      : job_(job), map_(map), out_(out) {}

  Result<std::unique_ptr<Segment>, std::string> write(const std::vector<SegmentView>& group) {
    LogConfig config = job_.config;
    config.preallocate = false;
    auto seg =
        Segment::create(job_.dir, group.front().base_offset, config, job_.now_ms, format::kCleanedSuffix);
    if (!seg) return unexpected(seg.error());
    segment_ = seg->get();
    for (const SegmentView& old : group) {
      auto r = for_each_stored_batch(old, [&](std::span<const uint8_t> b) { return clean_batch(b); });
      if (!r) return fail(std::move(*seg), r.error());
    }
    if (auto r = flush_pending(); !r) return fail(std::move(*seg), r.error());
    if (auto r = segment_->on_become_inactive(); !r) return fail(std::move(*seg), r.error());
    if (auto r = segment_->flush(); !r) return fail(std::move(*seg), r.error());
    return std::move(*seg);
  }

 private:
  Result<std::unique_ptr<Segment>, std::string> fail(std::unique_ptr<Segment> seg, const std::string& why) {
    for (const auto& p : seg->paths()) {
      std::error_code ec;
      std::filesystem::remove(p, ec);
    }
    return unexpected(why);
  }

  Result<void, std::string> clean_batch(std::span<const uint8_t> b) {
    batch::Header h(const_cast<uint8_t*>(b.data()));
    auto records = decode_records(b);
    if (!records) return unexpected(fmt::format("batch at offset {}: {}", h.base_offset(), records.error()));
    CleanerBatchFacts facts;
    facts.control = h.is_control();
    facts.producer_id = h.producer_id();
    auto last = job_.producer_last_offsets.find(h.producer_id());
    facts.last_batch_of_producer =
        last != job_.producer_last_offsets.end() && last->second == h.last_offset();
    if (h.attributes() & batch::kDeleteHorizonBit) facts.delete_horizon_ms = h.base_timestamp();
    std::vector<CleanerRecordFacts> rf;
    rf.reserve(records->size());
    for (const Record& r : *records) {
      int64_t latest = -1;
      if (r.key && !facts.control) {
        auto it = map_.find(key_of(r));
        if (it != map_.end()) latest = it->second;
      }
      rf.push_back({r.offset, r.key.has_value() && !facts.control, r.value.has_value(), latest});
    }
    out_.stats.records_read += static_cast<int64_t>(records->size());
    BatchDecision d = decide_batch(facts, rf, job_.now_ms, job_.config.delete_retention_ms);
    switch (d.action) {
      case BatchAction::drop:
        return {};
      case BatchAction::keep_empty:
        ++out_.stats.batches_rewritten;
        return add(empty_batch_like(b));
      case BatchAction::keep_original:
        out_.stats.records_kept += static_cast<int64_t>(records->size());
        note_horizon(facts.delete_horizon_ms, rf, d.keep);
        return add(std::vector<uint8_t>(b.begin(), b.end()));
      case BatchAction::rewrite: {
        auto rebuilt = rebuild_batch(b, *records, d.keep, d.delete_horizon_ms);
        if (!rebuilt) return unexpected(rebuilt.error());
        out_.stats.records_kept += std::count(d.keep.begin(), d.keep.end(), true);
        ++out_.stats.batches_rewritten;
        note_horizon(d.delete_horizon_ms, rf, d.keep);
        return add(std::move(*rebuilt));
      }
    }
    return {};
  }

  void note_horizon(std::optional<int64_t> horizon, const std::vector<CleanerRecordFacts>& rf,
                    const std::vector<bool>& keep) {
    if (!horizon) return;
    for (size_t i = 0; i < rf.size(); ++i) {
      if (keep[i] && rf[i].has_key && !rf[i].has_value) {
        auto& e = out_.earliest_delete_horizon_ms;
        e = e ? std::min(*e, *horizon) : *horizon;
        return;
      }
    }
  }

  Result<void, std::string> add(std::vector<uint8_t> bytes) {
    pending_infos_.push_back(BatchInfo::from_header(bytes.data()));
    pending_.insert(pending_.end(), bytes.begin(), bytes.end());
    if (static_cast<int64_t>(pending_.size()) >= kWriteChunk) return flush_pending();
    return {};
  }

  Result<void, std::string> flush_pending() {
    if (pending_.empty()) return {};
    if (auto r = segment_->append(pending_, pending_infos_, job_.config.index_interval_bytes); !r) return r;
    out_.stats.bytes_written += static_cast<int64_t>(pending_.size());
    pending_.clear();
    pending_infos_.clear();
    return {};
  }

  const CleanJob& job_;
  const OffsetMap& map_;
  CleanOutput& out_;
  Segment* segment_ = nullptr;
  std::vector<uint8_t> pending_;
  std::vector<BatchInfo> pending_infos_;
};

}  // namespace

std::optional<CleanJob> LogCleaner::prepare(const Log& log, int64_t high_watermark,
                                            int64_t first_dirty_offset, int64_t now_ms) {
  const LogConfig& config = log.config();
  CleanJob job;
  for (const SegmentView& seg : log.inactive_segments()) {
    if (seg.end_offset > high_watermark) break;
    if (config.min_compaction_lag_ms > 0 && seg.max_timestamp > now_ms - config.min_compaction_lag_ms) break;
    job.segments.push_back(seg);
  }
  if (job.segments.empty()) return std::nullopt;
  job.tp = log.topic_partition();
  job.dir = log.dir();
  job.config = config;
  job.first_dirty_offset = std::clamp(first_dirty_offset, log.log_start_offset(), log.log_end_offset());
  job.producer_last_offsets = log.producer_last_batch_offsets();
  job.now_ms = now_ms;
  return job;
}

double LogCleaner::dirty_ratio(const CleanJob& job) {
  int64_t clean = 0, dirty = 0;
  for (const SegmentView& seg : job.segments)
    (seg.end_offset <= job.first_dirty_offset ? clean : dirty) += seg.size;
  return clean + dirty == 0 ? 0.0 : static_cast<double>(dirty) / static_cast<double>(clean + dirty);
}

Result<CleanOutput, std::string> LogCleaner::clean(const CleanJob& job, const CleanerHook& hook) {
  CleanOutput out;
  out.end_offset = job.end_offset();
  auto map = build_offset_map(job, out.stats);
  if (!map)
    return unexpected(fmt::format("[{}] building the offset map: {}", job.tp.to_string(), map.error()));
  GroupWriter writer(job, *map, out);
  auto groups = group_segments(job.segments, job.config.segment_bytes);
  for (size_t i = 0; i < groups.size(); ++i) {
    auto seg = writer.write(groups[i]);
    if (!seg) {
      discard(out);
      return unexpected(fmt::format("[{}] cleaning segment {}: {}", job.tp.to_string(),
                                    groups[i].front().base_offset, seg.error()));
    }
    out.groups.push_back({std::move(groups[i]), std::move(*seg)});
  }
  if (auto r = fsync_dir(job.dir); !r) {
    discard(out);
    return unexpected(r.error());
  }
  for (size_t i = 0; i < out.groups.size(); ++i) {
    if (hook) hook(CleanerStep::cleaned_written, i);
  }
  return out;
}

Result<void, std::string> LogCleaner::install(Log& log, CleanOutput& output, const CleanerHook& hook) {
  for (size_t i = 0; i < output.groups.size(); ++i) {
    CleanedGroup& g = output.groups[i];
    if (auto r = log.replace_segments(std::move(g.segment), g.old, hook, i); !r) {
      discard(output);
      return r;
    }
  }
  logger().info("[{}] cleaned up to offset {}: {} of {} records kept, {} -> {} bytes",
                log.topic_partition().to_string(), output.end_offset, output.stats.records_kept,
                output.stats.records_read, output.stats.bytes_read, output.stats.bytes_written);
  return {};
}

void LogCleaner::discard(CleanOutput& output) {
  for (CleanedGroup& g : output.groups) {
    if (!g.segment) continue;
    for (const auto& p : g.segment->paths()) {
      std::error_code ec;
      std::filesystem::remove(p, ec);
      if (ec) logger().error("cannot delete {}: {}", p.string(), ec.message());
    }
    g.segment.reset();
  }
}

Result<std::optional<CleanOutput>, std::string> LogCleaner::clean_now(Log& log, int64_t high_watermark,
                                                                      int64_t first_dirty_offset,
                                                                      int64_t now_ms,
                                                                      const CleanerHook& hook) {
  auto job = prepare(log, high_watermark, first_dirty_offset, now_ms);
  if (!job) return std::optional<CleanOutput>();
  auto out = clean(*job, hook);
  if (!out) return unexpected(out.error());
  if (auto r = install(log, *out, hook); !r) return unexpected(r.error());
  return std::optional<CleanOutput>(std::move(*out));
}

}  // namespace gregor::log

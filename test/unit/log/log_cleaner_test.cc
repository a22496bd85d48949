// LogCleaner: compaction against a std::map model, tombstone horizons, producer batches, high watermark,
// crash safety at every swap step (forked child exits mid-swap), and LogManager::run_cleaner.
#ifndef BOOST_TEST_DYN_LINK
#define BOOST_TEST_DYN_LINK
#endif
#include "log/log_cleaner.h"

#include <sys/wait.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <deque>
#include <map>
#include <mutex>
#include <random>

#include "batch_maker.h"
#include "log/format.h"
#include "log/log_manager.h"
#include "protocol/record_batch.h"
#include "test_util.h"

using namespace gregor;
using namespace gregor::log;
using namespace gregor::log::test;

namespace {

constexpr int64_t kNow = 1'700'000'000'000;
constexpr int64_t kRetention = 1000;

LogConfig compact_config() {
  LogConfig c;
  c.segment_bytes = 1024;
  c.segment_ms = 1'000'000;
  c.index_interval_bytes = 128;
  c.segment_index_bytes = 4096;
  c.cleanup_compact = true;
  c.cleanup_delete = false;
  c.delete_retention_ms = kRetention;
  c.file_delete_delay_ms = 0;
  return c;
}

std::unique_ptr<Log> open_log(const std::filesystem::path& dir, LogConfig config = compact_config(),
                              bool clean = true) {
  auto log = Log::open(dir, TopicPartition{"t", 0}, config, 0, clean, 0);
  BOOST_REQUIRE_MESSAGE(log.has_value(), (log ? "" : log.error().message));
  return std::move(*log);
}

// A record as written or read: offset, key, value (nullopt = tombstone).
struct Kv {
  int64_t offset;
  std::optional<std::string> key;
  std::optional<std::string> value;
  bool operator==(const Kv&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Kv& kv) {
  return os << kv.offset << ":" << kv.key.value_or("<null>") << "=" << kv.value.value_or("<null>");
}

// Appends one batch; returns the records with their offsets.
std::vector<Kv> append(Log& log, const std::vector<TestRecord>& records, const BatchOptions& options = {}) {
  auto bytes = make_batch(records, options);
  auto info = log.append_as_leader(bytes, 0, std::nullopt);
  BOOST_REQUIRE_MESSAGE(info.has_value(), (info ? "" : info.error().message));
  std::vector<Kv> out;
  for (size_t i = 0; i < records.size(); ++i) {
    out.push_back({info->first_offset + static_cast<int64_t>(i), records[i].key, records[i].value});
  }
  return out;
}

// Appends a batch in a new segment (its timestamp jumps past segment.ms).
int64_t roll_ts = 1'000'000'000;
std::vector<Kv> append_in_new_segment(Log& log, const std::vector<TestRecord>& records) {
  roll_ts += 10'000'000;
  std::vector<TestRecord> stamped = records;
  for (auto& r : stamped) r.timestamp = roll_ts;
  size_t before = log.segment_count();
  auto kvs = append(log, stamped);
  BOOST_REQUIRE(log.segment_count() == before + 1);
  return kvs;
}

std::optional<std::string> text(const std::optional<std::vector<uint8_t>>& b) {
  if (!b) return std::nullopt;
  return std::string(b->begin(), b->end());
}

// Every batch from the log start to the end, decoded (decode_batches checks each CRC).
std::vector<gregor::BatchInfo> read_batches(const Log& log) {
  auto r = log.read(log.log_start_offset(), INT32_MAX, INT64_MAX, true);
  BOOST_REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().message));
  auto bytes = region_bytes(*r);
  auto batches = decode_batches(bytes, false);
  BOOST_REQUIRE_MESSAGE(batches.has_value(), (batches ? "" : batches.error()));
  return std::move(*batches);
}

std::vector<Kv> read_records(const Log& log) {
  std::vector<Kv> out;
  for (const gregor::BatchInfo& b : read_batches(log)) {
    for (const Record& r : b.records) out.push_back({r.offset, text(r.key), text(r.value)});
  }
  return out;
}

// What compaction of [.., end) must leave: per key the last record below `end` (tombstones only while
// keep_tombstones), keyless records, and everything from `end` on.
std::vector<Kv> expected_after_clean(const std::vector<Kv>& records, int64_t end, bool keep_tombstones) {
  std::map<std::string, int64_t> last;
  for (const Kv& kv : records) {
    if (kv.offset < end && kv.key) last[*kv.key] = kv.offset;
  }
  std::vector<Kv> out;
  for (const Kv& kv : records) {
    bool keep = kv.offset >= end || !kv.key || (last[*kv.key] == kv.offset && (kv.value || keep_tombstones));
    if (keep) out.push_back(kv);
  }
  return out;
}

// The key -> value view a consumer reading the whole log ends up with.
std::map<std::string, std::string> fold(const std::vector<Kv>& records) {
  std::map<std::string, std::string> m;
  for (const Kv& kv : records) {
    if (!kv.key) continue;
    if (kv.value) {
      m[*kv.key] = *kv.value;
    } else {
      m.erase(*kv.key);
    }
  }
  return m;
}

int64_t first_uncleanable(const Log& log) { return log.segment_base_offsets().back(); }

CleanOutput clean(Log& log, int64_t now_ms, int64_t hw = INT64_MAX, const CleanerHook& hook = {}) {
  auto r = LogCleaner::clean_now(log, hw, 0, now_ms, hook);
  BOOST_REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error()));
  BOOST_REQUIRE(r->has_value());
  return std::move(**r);
}

// Random updates (about 10% tombstones) of `keys` keys in batches of 1..4 records. With `unique_keys`, each
// batch also writes a key of its own, so every segment holds latest values.
std::vector<Kv> random_updates(Log& log, std::mt19937& rng, int batches, int keys, bool unique_keys = false) {
  std::vector<Kv> written;
  for (int i = 0; i < batches; ++i) {
    std::vector<TestRecord> records;
    if (unique_keys) records.push_back({"unique" + std::to_string(log.log_end_offset()), "u", 1000 + i});
    int n = std::uniform_int_distribution<int>(1, 4)(rng);
    for (int j = 0; j < n; ++j) {
      std::string key = "key" + std::to_string(std::uniform_int_distribution<int>(0, keys - 1)(rng));
      std::optional<std::string> value;
      if (std::uniform_int_distribution<int>(0, 9)(rng) != 0)
        value = "value-" + std::to_string(rng() % 100000);
      records.push_back({key, value, 1000 + i});
    }
    auto kvs = append(log, records);
    written.insert(written.end(), kvs.begin(), kvs.end());
  }
  return written;
}

std::vector<std::string> leftover_temp_files(const std::filesystem::path& dir) {
  std::vector<std::string> found;
  for (const auto& de : std::filesystem::directory_iterator(dir)) {
    std::string name = de.path().filename().string();
    if (name.ends_with(".cleaned") || name.ends_with(".swap") || name.ends_with(".deleted"))
      found.push_back(name);
  }
  return found;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(log_cleaner)

BOOST_AUTO_TEST_CASE(keeps_exactly_the_latest_record_per_key_against_a_model) {
  TempDir dir;
  auto log = open_log(dir.path());
  std::mt19937 rng(12345);
  std::vector<Kv> log_records = random_updates(*log, rng, 400, 60);
  std::vector<Kv> all_writes = log_records;
  BOOST_REQUIRE_GT(log->segment_count(), 20u);
  size_t segments_before = log->segment_count();
  int64_t leo = log->log_end_offset();

  // Pass 1: tombstones are seen for the first time and stay.
  int64_t end = first_uncleanable(*log);
  CleanOutput out = clean(*log, kNow);
  BOOST_TEST(out.end_offset == end);
  log_records = expected_after_clean(log_records, end, true);
  BOOST_TEST(read_records(*log) == log_records, boost::test_tools::per_element());
  BOOST_TEST(fold(read_records(*log)) == fold(all_writes));
  BOOST_TEST(log->segment_count() == segments_before);  // groups are formed by the old sizes: 1 each here
  BOOST_TEST(log->log_end_offset() == leo);
  BOOST_TEST(leftover_temp_files(dir.path()).empty());

  // More appends, pass 2 over old and new segments.
  auto more = random_updates(*log, rng, 200, 60);
  log_records.insert(log_records.end(), more.begin(), more.end());
  all_writes.insert(all_writes.end(), more.begin(), more.end());
  end = first_uncleanable(*log);
  size_t segments_before_pass2 = log->segment_count();
  clean(*log, kNow);
  log_records = expected_after_clean(log_records, end, true);
  BOOST_TEST(read_records(*log) == log_records, boost::test_tools::per_element());
  BOOST_TEST(fold(read_records(*log)) == fold(all_writes));
  BOOST_TEST(log->segment_count() < segments_before_pass2 - 5);  // small cleaned segments are merged

  // Reopen with full recovery (CRCs, indexes rebuilt): same records.
  BOOST_REQUIRE(log->close().has_value());
  log.reset();
  log = open_log(dir.path(), compact_config(), false);
  BOOST_TEST(read_records(*log) == log_records, boost::test_tools::per_element());

  // Pass 3 after delete.retention.ms: every tombstone below the cleaned end has a horizon now and goes.
  clean(*log, kNow + kRetention);
  log_records = expected_after_clean(log_records, end, false);
  BOOST_TEST(read_records(*log) == log_records, boost::test_tools::per_element());
  BOOST_TEST(fold(read_records(*log)) == fold(all_writes));

  // Fetches by offset still work from any kept offset, including in cleaned gaps.
  for (const Kv& kv : log_records) {
    auto r = log->read(kv.offset, 1, INT64_MAX, true);
    BOOST_REQUIRE(r.has_value());
    auto batches = decode_batches(region_bytes(*r), false);
    BOOST_REQUIRE(batches.has_value());
    BOOST_REQUIRE(!batches->empty());
    BOOST_TEST(batches->front().last_offset >= kv.offset);
  }
}

BOOST_AUTO_TEST_CASE(tombstones_go_after_delete_retention_and_stay_before) {
  TempDir dir;
  auto log = open_log(dir.path());
  append(*log, {{"k1", "v1", 1000}});
  append(*log, {{"k1", std::nullopt, 1001}, {"k2", "v2", 1002}});
  append_in_new_segment(*log, {{"k3", "v3", 0}});

  clean(*log, kNow);
  std::vector<Kv> expected{{1, "k1", std::nullopt}, {2, "k2", "v2"}, {3, "k3", "v3"}};
  BOOST_TEST(read_records(*log) == expected, boost::test_tools::per_element());
  // The tombstone's batch carries the horizon: attribute bit 6, baseTimestamp = now + delete.retention.ms.
  auto batches = read_batches(*log);
  BOOST_REQUIRE(batches.size() == 2u);
  BOOST_TEST((batches[0].attributes & batch::kDeleteHorizonBit) != 0);
  BOOST_TEST(batches[0].base_timestamp == kNow + kRetention);
  BOOST_TEST(batches[0].base_offset == 1);
  BOOST_TEST(batches[0].last_offset == 2);
  BOOST_TEST(batches[0].records[1].timestamp == 1002);  // record timestamps survive the new base

  clean(*log, kNow + kRetention - 1);
  BOOST_TEST(read_records(*log) == expected, boost::test_tools::per_element());

  clean(*log, kNow + kRetention);
  expected.erase(expected.begin());
  BOOST_TEST(read_records(*log) == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(high_watermark_and_active_segment_bound_the_cleaning) {
  TempDir dir;
  auto log = open_log(dir.path());
  append(*log, {{"k", "a", 1000}});
  append(*log, {{"k", "b", 1001}});
  append_in_new_segment(*log, {{"k", "c", 0}});
  append(*log, {{"k", "d", 0}});
  append_in_new_segment(*log, {{"k", "e", 0}});
  // Segments [0,2) [2,4) and the active one at 4. HW 3 stops before the second segment.
  auto r = LogCleaner::clean_now(*log, 1, 0, kNow);
  BOOST_REQUIRE(r.has_value());
  BOOST_TEST(!r->has_value());  // nothing wholly below the high watermark
  clean(*log, kNow, 3);
  std::vector<Kv> expected{{1, "k", "b"}, {2, "k", "c"}, {3, "k", "d"}, {4, "k", "e"}};
  BOOST_TEST(read_records(*log) == expected, boost::test_tools::per_element());
  clean(*log, kNow);
  expected = {{3, "k", "d"}, {4, "k", "e"}};
  BOOST_TEST(read_records(*log) == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(keyless_records_are_kept) {
  TempDir dir;
  auto log = open_log(dir.path());
  append(*log, {{std::nullopt, "x", 1000}, {"k", "a", 1000}});
  append(*log, {{"k", "b", 1001}, {std::nullopt, "y", 1001}});
  append_in_new_segment(*log, {{"z", "z", 0}});
  clean(*log, kNow);
  std::vector<Kv> expected{{0, std::nullopt, "x"}, {2, "k", "b"}, {3, std::nullopt, "y"}, {4, "z", "z"}};
  BOOST_TEST(read_records(*log) == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(producer_last_batch_survives_emptied_and_idempotence_state_with_it) {
  TempDir dir;
  auto log = open_log(dir.path());
  BatchOptions producer{0, -1, 42, 0, 0};
  append(*log, {{"k", "from-producer", 1000}}, producer);  // offset 0, seq 0
  append(*log, {{"k", "plain", 1001}});                    // offset 1 supersedes it
  append_in_new_segment(*log, {{"other", "x", 0}});
  clean(*log, kNow);

  auto batches = read_batches(*log);
  BOOST_REQUIRE(batches.size() == 3u);
  BOOST_TEST(batches[0].records_count == 0);  // emptied but kept
  BOOST_TEST(batches[0].producer_id == 42);
  BOOST_TEST(batches[0].base_sequence == 0);
  BOOST_TEST(batches[0].base_offset == 0);
  BOOST_TEST(batches[0].last_offset == 0);

  // After a full recovery the producer state still knows sequence 0 at offset 0.
  BOOST_REQUIRE(log->close().has_value());
  log.reset();
  log = open_log(dir.path(), compact_config(), false);
  auto retry = make_batch({{"k", "from-producer", 1000}}, producer);
  auto dup = log->append_as_leader(retry, 0, std::nullopt);
  BOOST_REQUIRE(dup.has_value());
  BOOST_TEST(dup->duplicate);
  BOOST_TEST(dup->first_offset == 0);
  BatchOptions next = producer;
  next.base_sequence = 1;
  auto ok = make_batch({{"k", "seq1", 1000}}, next);
  auto appended = log->append_as_leader(ok, 0, std::nullopt);
  BOOST_REQUIRE(appended.has_value());
  BOOST_TEST(!appended->duplicate);
  // An older batch of the same producer is not protected.
  append_in_new_segment(*log, {{"k", "last", 0}});
  clean(*log, kNow);
  for (const gregor::BatchInfo& b : read_batches(*log)) {
    if (b.producer_id == 42) BOOST_TEST(b.base_sequence == 1);
  }
}

BOOST_AUTO_TEST_CASE(cleaned_segments_are_valid_for_recovery_and_indexes) {
  TempDir dir;
  auto log = open_log(dir.path());
  std::mt19937 rng(7);
  auto written = random_updates(*log, rng, 150, 8);
  clean(*log, kNow);
  auto expected = read_records(*log);
  BOOST_REQUIRE(log->close().has_value());
  log.reset();
  // Clean open trusts the indexes written by the cleaner; unclean open rebuilds them: same answers.
  for (bool clean_open : {true, false}) {
    auto reopened = open_log(dir.path(), compact_config(), clean_open);
    BOOST_TEST(read_records(*reopened) == expected, boost::test_tools::per_element());
    for (const Kv& kv : expected) {
      auto r = reopened->read(kv.offset, 1, INT64_MAX, true);
      BOOST_REQUIRE(r.has_value());
      auto batches = decode_batches(region_bytes(*r), false);
      BOOST_REQUIRE(batches.has_value());
      bool found = false;
      for (const Record& rec : batches->front().records) found = found || rec.offset == kv.offset;
      BOOST_TEST(found);
    }
    BOOST_REQUIRE(reopened->close().has_value());
  }
}

// Crash safety: a child process cleans and _exits right after one step of one group; the parent reopens
// the log (unclean) and checks it is valid, complete and free of temporary files.
BOOST_AUTO_TEST_CASE(crash_at_every_swap_step_leaves_a_valid_log) {
  const CleanerStep steps[] = {CleanerStep::cleaned_written, CleanerStep::renamed_to_swap,
                               CleanerStep::swapped_in_memory, CleanerStep::old_renamed_deleted,
                               CleanerStep::swap_done};
  for (size_t group : {0u, 1u}) {
    for (CleanerStep step : steps) {
      BOOST_TEST_CONTEXT("step " << static_cast<int>(step) << " group " << group) {
        TempDir dir;
        std::vector<Kv> written;
        int64_t leo = 0, end = 0;
        size_t groups = 0;
        {
          auto log = open_log(dir.path());
          std::mt19937 rng(99);
          written = random_updates(*log, rng, 100, 15, true);
          leo = log->log_end_offset();
          end = first_uncleanable(*log);
          auto job = LogCleaner::prepare(*log, INT64_MAX, 0, kNow);
          BOOST_REQUIRE(job.has_value());
          groups = job->segments.size();  // one segment per group here: each is close to segment.bytes
          BOOST_REQUIRE(log->close().has_value());
        }
        BOOST_REQUIRE_GT(groups, 2u);
        pid_t pid = ::fork();
        BOOST_REQUIRE(pid >= 0);
        if (pid == 0) {
          LogConfig config = compact_config();
          config.file_delete_delay_ms = 60'000;  // .deleted files stay on disk at the crash
          auto log = Log::open(dir.path(), TopicPartition{"t", 0}, config, 0, true, 0);
          if (!log) ::_exit(2);
          BackgroundTasks background({});
          (*log)->set_background(&background);
          auto r = LogCleaner::clean_now(**log, INT64_MAX, 0, kNow, [&](CleanerStep s, size_t g) {
            if (s == step && g == group) ::_exit(0);
          });
          ::_exit(r ? 3 : 4);  // the hook never fired
        }
        int status = 0;
        BOOST_REQUIRE(::waitpid(pid, &status, 0) == pid);
        BOOST_REQUIRE(WIFEXITED(status));
        BOOST_REQUIRE_EQUAL(WEXITSTATUS(status), 0);

        auto log = open_log(dir.path(), compact_config(), false);
        BOOST_TEST(leftover_temp_files(dir.path()).empty());
        BOOST_TEST(log->log_end_offset() == leo);
        auto records = read_records(*log);
        BOOST_TEST(fold(records) == fold(written));
        // Offsets increase, keys below the cleaned end are either cleaned or original, and the uncleaned
        // tail is dense and untouched.
        std::vector<Kv> tail, tail_expected;
        for (size_t i = 0; i < records.size(); ++i) {
          if (i > 0) BOOST_TEST(records[i].offset > records[i - 1].offset);
          if (records[i].offset >= end) tail.push_back(records[i]);
        }
        for (const Kv& kv : written) {
          if (kv.offset >= end) tail_expected.push_back(kv);
        }
        BOOST_TEST(tail == tail_expected, boost::test_tools::per_element());
        for (const Kv& kv : records) {
          BOOST_TEST((std::find(written.begin(), written.end(), kv) != written.end()));
        }
        // The recovered log can be cleaned to the final state.
        clean(*log, kNow);
        BOOST_TEST(read_records(*log) == expected_after_clean(written, end, true),
                   boost::test_tools::per_element());
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(recovery_completes_a_swap_and_drops_unfinished_cleaned_files) {
  TempDir dir;
  std::vector<Kv> written;
  {
    auto log = open_log(dir.path());
    std::mt19937 rng(5);
    written = random_updates(*log, rng, 60, 5);
    BOOST_REQUIRE(log->close().has_value());
  }
  // Hand-made leftovers: a stray .cleaned and an index .swap are removed; the log still opens.
  write_file(dir.path() / "00000000000000000000.log.cleaned", {1, 2, 3});
  write_file(dir.path() / "00000000000000000000.index.swap", {0, 0, 0, 0, 0, 0, 0, 0});
  auto log = open_log(dir.path(), compact_config(), false);
  BOOST_TEST(leftover_temp_files(dir.path()).empty());
  BOOST_TEST(fold(read_records(*log)) == fold(written));
}

BOOST_AUTO_TEST_SUITE_END()

namespace {

struct FakeLoop {
  std::mutex mu;
  std::deque<std::function<void()>> tasks;
  std::function<void(std::function<void()>)> poster() {
    return [this](std::function<void()> f) {
      std::lock_guard lock(mu);
      tasks.push_back(std::move(f));
    };
  }
  void drain() {
    std::deque<std::function<void()>> run;
    {
      std::lock_guard lock(mu);
      run.swap(tasks);
    }
    for (auto& f : run) f();
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(log_manager_cleaner)

BOOST_AUTO_TEST_CASE(run_cleaner_cleans_dirty_compacted_logs_off_the_loop_and_checkpoints) {
  TempDir dir;
  FakeLoop loop;
  TopicPartition compacted{"compacted", 0}, plain{"plain", 0};
  int64_t end = 0;
  int64_t size_before = 0;
  {
    LogManager manager({dir.path()}, compact_config(), loop.poster());
    BOOST_REQUIRE(manager.startup({}).has_value());
    Log* log = *manager.get_or_create_log(compacted, compact_config());
    LogConfig delete_config = compact_config();
    delete_config.cleanup_compact = false;
    delete_config.cleanup_delete = true;
    Log* other = *manager.get_or_create_log(plain, delete_config);
    std::mt19937 rng(3);
    random_updates(*log, rng, 100, 4);
    random_updates(*other, rng, 100, 4);
    auto written = read_records(*log);
    end = first_uncleanable(*log);
    size_before = log->size_in_bytes();
    size_t other_segments = other->segment_count();

    auto leo = [&](const TopicPartition& tp) { return manager.get_log(tp)->log_end_offset(); };
    // HW at 0: nothing is cleanable yet.
    manager.run_cleaner(kNow, [](const TopicPartition&) { return int64_t{0}; });
    BOOST_TEST(manager.cleanings_in_progress() == 0u);

    manager.run_cleaner(kNow, leo);
    BOOST_TEST(manager.cleanings_in_progress() == 1u);
    manager.run_cleaner(kNow, leo);  // already in flight: not started twice
    manager.wait_for_background(false);
    BOOST_TEST(log->segment_count() > 2u);  // the swap waits for the loop
    loop.drain();
    BOOST_TEST(manager.cleanings_in_progress() == 0u);
    BOOST_TEST(log->size_in_bytes() < size_before);
    BOOST_TEST(fold(read_records(*log)) == fold(written));
    BOOST_TEST(other->segment_count() == other_segments);
    BOOST_TEST(manager.cleaner_checkpoint(compacted) == end);
    BOOST_TEST(read_text(dir.path() / "cleaner-offset-checkpoint") ==
               "0\n1\ncompacted 0 " + std::to_string(end) + "\n");

    // Clean part only now: ratio 0 is not above min.cleanable.dirty.ratio.
    manager.run_cleaner(kNow, leo);
    BOOST_TEST(manager.cleanings_in_progress() == 0u);
    // Tombstones kept with a horizon make the log due again once it passes.
    manager.run_cleaner(kNow + kRetention, leo);
    manager.wait_for_background(false);
    loop.drain();
    for (const Kv& kv : read_records(*log)) {
      if (kv.offset < end) BOOST_TEST(kv.value.has_value());
    }
    manager.shutdown(leo);
  }
  LogManager again({dir.path()}, compact_config(), loop.poster());
  BOOST_REQUIRE(again.startup({}).has_value());
  BOOST_TEST(again.cleaner_checkpoint(compacted) == end);
  BOOST_TEST(again.cleaner_checkpoint(plain) == -1);
}

BOOST_AUTO_TEST_CASE(cleaning_of_a_deleted_log_is_discarded) {
  TempDir dir;
  FakeLoop loop;
  TopicPartition tp{"gone", 0};
  LogManager manager({dir.path()}, compact_config(), loop.poster());
  BOOST_REQUIRE(manager.startup({}).has_value());
  Log* log = *manager.get_or_create_log(tp, compact_config());
  std::mt19937 rng(4);
  random_updates(*log, rng, 60, 3);
  auto leo = [&](const TopicPartition&) { return INT64_MAX; };
  manager.run_cleaner(kNow, leo);
  BOOST_TEST(manager.cleanings_in_progress() == 1u);
  manager.delete_log(tp);
  manager.wait_for_background(true);
  loop.drain();
  BOOST_TEST(manager.get_log(tp) == nullptr);
  BOOST_TEST(manager.cleaner_checkpoint(tp) == -1);
}

BOOST_AUTO_TEST_SUITE_END()

// LogManager: locking, clean/unclean start-up, checkpoints, placement, deletion, flushing.
#ifndef BOOST_TEST_DYN_LINK
#define BOOST_TEST_DYN_LINK
#endif
#include "log/log_manager.h"

#include <boost/test/unit_test.hpp>
#include <deque>
#include <mutex>

#include "batch_maker.h"
#include "test_util.h"

using namespace gregor;
using namespace gregor::log;
using namespace gregor::log::test;

namespace {

// Stands in for the broker's loop: completions queue up and run when the test drains them.
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

LogConfig config() {
  LogConfig c;
  c.segment_bytes = 2048;
  c.segment_index_bytes = 4096;
  return c;
}

void fill(Log& log, int n) {
  for (int i = 0; i < n; ++i) {
    auto b = make_simple_batch(2, 1000 + i, 50);
    BOOST_REQUIRE(log.append_as_leader(b, 0, std::nullopt).has_value());
  }
}

int64_t hw_is_leo(LogManager& m, const TopicPartition& tp) { return m.get_log(tp)->log_end_offset(); }

}  // namespace

BOOST_AUTO_TEST_SUITE(log_manager_test)

BOOST_AUTO_TEST_CASE(SecondManagerOnLockedDirFailsNamingTheDir) {
  TempDir tmp;
  auto dir = tmp.path() / "logs";
  LogManager first({dir}, config(), {});
  BOOST_REQUIRE(first.startup({}).has_value());
  BOOST_TEST(std::filesystem::exists(dir / ".lock"));
  LogManager second({dir}, config(), {});
  auto r = second.startup({});
  BOOST_REQUIRE(!r.has_value());
  BOOST_TEST(r.error().find(dir.string()) != std::string::npos);
}

BOOST_AUTO_TEST_CASE(CleanShutdownThenStartupRestoresLogsAndCheckpoints) {
  TempDir tmp;
  auto dir = tmp.path() / "logs";
  TopicPartition a{"orders", 0}, b{"my-topic", 3};
  {
    FakeLoop loop;
    LogManager m({dir}, config(), loop.poster());
    BOOST_REQUIRE(m.startup({}).has_value());
    fill(**m.get_or_create_log(a, config()), 40);
    fill(**m.get_or_create_log(b, config()), 5);
    m.shutdown([&](const TopicPartition& tp) { return tp == a ? 70 : 10; });
    loop.drain();
  }
  BOOST_TEST(std::filesystem::exists(dir / ".kafka_cleanshutdown"));
  BOOST_TEST(read_text(dir / "recovery-point-offset-checkpoint") == "0\n2\nmy-topic 3 10\norders 0 80\n");
  BOOST_TEST(read_text(dir / "replication-offset-checkpoint") == "0\n2\nmy-topic 3 10\norders 0 70\n");
  BOOST_TEST(read_text(dir / "log-start-offset-checkpoint") == "0\n0\n");
  FakeLoop loop;
  LogManager m({dir}, config(), loop.poster());
  std::vector<std::string> asked;
  BOOST_REQUIRE(m.startup([&](const std::string& topic) {
                   asked.push_back(topic);
                   return config();
                 }).has_value());
  BOOST_TEST(!std::filesystem::exists(dir / ".kafka_cleanshutdown"));
  BOOST_TEST(asked.size() == 2u);
  BOOST_REQUIRE(m.get_log(a) != nullptr);
  BOOST_TEST(m.get_log(a)->log_end_offset() == 80);
  BOOST_TEST(m.get_log(b)->log_end_offset() == 10);
  BOOST_TEST(m.high_watermark_checkpoint(a) == 70);
  BOOST_TEST(m.high_watermark_checkpoint(TopicPartition{"nope", 0}) == -1);
  BOOST_TEST(m.all_partitions().size() == 2u);
}

BOOST_AUTO_TEST_CASE(UncleanStartupRecoversFromTheRecoveryPoint) {
  TempDir tmp;
  auto dir = tmp.path() / "logs";
  TopicPartition a{"t", 0};
  int64_t seg_base = 0;
  {
    LogManager m({dir}, config(), {});
    BOOST_REQUIRE(m.startup({}).has_value());
    Log* log = *m.get_or_create_log(a, config());
    fill(*log, 40);
    m.checkpoint_recovery_points();
    m.wait_for_background(false);  // checkpoints are written on the helper thread
    seg_base = log->segment_base_offsets().back();
  }  // no shutdown(): like a crash
  BOOST_TEST(!std::filesystem::exists(dir / ".kafka_cleanshutdown"));
  auto seg = dir / "t-0" /
             (std::string(20 - std::to_string(seg_base).size(), '0') + std::to_string(seg_base) + ".log");
  std::filesystem::resize_file(seg, std::filesystem::file_size(seg) - 5);
  LogManager m({dir}, config(), {});
  BOOST_REQUIRE(m.startup({}).has_value());
  BOOST_TEST(m.get_log(a)->log_end_offset() == 78);
}

BOOST_AUTO_TEST_CASE(NewPartitionsGoToTheDirWithFewestPartitions) {
  TempDir tmp;
  auto d1 = tmp.path() / "d1", d2 = tmp.path() / "d2";
  LogManager m({d1, d2}, config(), {});
  BOOST_REQUIRE(m.startup({}).has_value());
  for (int p = 0; p < 4; ++p)
    BOOST_REQUIRE(m.get_or_create_log(TopicPartition{"t", p}, config()).has_value());
  int in_d1 = 0, in_d2 = 0;
  for (int p = 0; p < 4; ++p) {
    in_d1 += std::filesystem::exists(d1 / ("t-" + std::to_string(p)));
    in_d2 += std::filesystem::exists(d2 / ("t-" + std::to_string(p)));
  }
  BOOST_TEST(in_d1 == 2);
  BOOST_TEST(in_d2 == 2);
}

BOOST_AUTO_TEST_CASE(PartitionMetadataIsWritten) {
  TempDir tmp;
  auto dir = tmp.path() / "logs";
  LogManager m({dir}, config(), {});
  BOOST_REQUIRE(m.startup({}).has_value());
  TopicPartition tp{"t", 1};
  m.set_topic_id(tp, "nVk7yqMhRp2XOCuWYaHZrw");
  BOOST_REQUIRE(m.get_or_create_log(tp, config()).has_value());
  m.wait_for_background(false);  // written on the helper thread
  BOOST_TEST(read_text(dir / "t-1" / "partition.metadata") ==
             "version: 0\ntopic_id: nVk7yqMhRp2XOCuWYaHZrw\n");
}

BOOST_AUTO_TEST_CASE(DeleteLogRenamesDirAndRemovesItInTheBackground) {
  TempDir tmp;
  auto dir = tmp.path() / "logs";
  LogManager m({dir}, config(), {});
  BOOST_REQUIRE(m.startup({}).has_value());
  TopicPartition tp{"gone", 0};
  fill(**m.get_or_create_log(tp, config()), 5);
  m.delete_log(tp);
  BOOST_TEST(m.get_log(tp) == nullptr);
  BOOST_TEST(!std::filesystem::exists(dir / "gone-0"));
  m.wait_for_background(false);
  for (const auto& de : std::filesystem::directory_iterator(dir)) {
    BOOST_TEST(de.path().filename().string().find("gone-0") == std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(LeftoverDeleteDirsAreRemovedAtStartup) {
  TempDir tmp;
  auto dir = tmp.path() / "logs";
  auto leftover = dir / ("x-0." + random_hex_uuid() + "-delete");
  std::filesystem::create_directories(leftover);
  write_file(leftover / "00000000000000000000.log", {1, 2, 3});
  LogManager m({dir}, config(), {});
  BOOST_REQUIRE(m.startup({}).has_value());
  BOOST_TEST(!std::filesystem::exists(leftover));
  BOOST_TEST(m.all_partitions().empty());
}

BOOST_AUTO_TEST_CASE(FlushDirtyLogsHonoursFlushMessagesAndAdvancesRecoveryPoint) {
  TempDir tmp;
  FakeLoop loop;
  LogConfig c;
  c.flush_messages = 10;
  LogManager m({tmp.path() / "logs"}, c, loop.poster());
  BOOST_REQUIRE(m.startup({}).has_value());
  Log* log = *m.get_or_create_log(TopicPartition{"t", 0}, c);
  fill(*log, 3);  // 6 messages: below flush.messages
  m.flush_dirty_logs(0);
  m.wait_for_background(false);
  loop.drain();
  BOOST_TEST(log->recovery_point() == 0);
  fill(*log, 2);  // 10 messages
  m.flush_dirty_logs(0);
  m.wait_for_background(false);
  loop.drain();
  BOOST_TEST(log->recovery_point() == 10);
  BOOST_TEST(log->unflushed_messages() == 0);
}

BOOST_AUTO_TEST_CASE(RunRetentionUsesTheHighWatermarkOfEachLog) {
  TempDir tmp;
  LogConfig c = config();
  c.retention_ms = 1;
  c.file_delete_delay_ms = 0;
  LogManager m({tmp.path() / "logs"}, c, {});
  BOOST_REQUIRE(m.startup({}).has_value());
  TopicPartition a{"a", 0}, b{"b", 0};
  fill(**m.get_or_create_log(a, c), 40);
  fill(**m.get_or_create_log(b, c), 40);
  m.run_retention(10'000'000, [&](const TopicPartition& tp) { return tp == a ? hw_is_leo(m, tp) : 0; });
  BOOST_TEST(m.get_log(a)->segment_count() == 1u);
  BOOST_TEST(m.get_log(b)->segment_count() > 1u);
  BOOST_TEST(m.get_log(b)->log_start_offset() == 0);
}

BOOST_AUTO_TEST_SUITE_END()

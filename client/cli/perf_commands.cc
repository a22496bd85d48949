// `gregor perf produce|consume`: load tests printing the lines of kafka-producer/consumer-perf-test.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>

#include "client/cli/commands.h"
#include "client/cli/text_format.h"
#include "client/consumer.h"
#include "client/producer.h"

namespace gregor::client::cli {

Result<batch::Compression, ClientError> parse_compression(const std::string& name);

namespace {

constexpr double kMiB = 1024.0 * 1024.0;
constexpr size_t kBufferMemory = 32 * 1024 * 1024;  // Java producer buffer.memory default

// Latencies of one reporting window (ProducerPerformance.Stats).
struct Window {
  int64_t count = 0;
  int64_t bytes = 0;
  int64_t total_latency = 0;
  int64_t max_latency = 0;
  Clock::time_point start = Clock::now();
};

// The p-th percentile as ProducerPerformance reads it from sorted latencies (sorted[p * n]). Asked in
// increasing p, each nth_element only partitions what lies above the previous answer (`from`), so
// the four percentiles cost O(n) instead of sorting tens of millions of latencies.
int64_t percentile(std::vector<int32_t>& latencies, double p, size_t& from) {
  if (latencies.empty()) return 0;
  size_t index =
      std::min(static_cast<size_t>(p * static_cast<double>(latencies.size())), latencies.size() - 1);
  index = std::max(index, from);
  std::nth_element(latencies.begin() + static_cast<std::ptrdiff_t>(from),
                   latencies.begin() + static_cast<std::ptrdiff_t>(index), latencies.end());
  from = index;
  return latencies[index];
}

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

Result<void, ClientError> apply_producer_props(ProducerConfig& c, const std::vector<std::string>& props) {
  for (const auto& kv : props) {
    auto parsed = parse_key_value(kv);
    if (!parsed) return unexpected(parsed.error());
    const auto& [k, v] = *parsed;
    try {
      if (k == "acks")
        c.acks = v == "all" ? -1 : static_cast<int16_t>(std::stoi(v));
      else if (k == "linger.ms")
        c.linger = std::chrono::milliseconds(std::stoll(v));
      else if (k == "batch.size")
        c.batch_size = std::stoull(v);
      else if (k == "compression.type") {
        auto codec = parse_compression(v);
        if (!codec) return unexpected(codec.error());
        c.compression = *codec;
      } else if (k == "enable.idempotence")
        c.enable_idempotence = v == "true";
      else if (k == "bootstrap.servers")
        c.client.bootstrap_servers = v;
      else if (k == "max.in.flight.requests.per.connection")
        c.max_in_flight_per_connection = std::stoull(v);
      else if (k == "client.id")
        c.client.client_id = v;
      else
        return unexpected(make_error(ErrorCode::INVALID_CONFIG, "unsupported producer property " + k));
    } catch (const std::exception&) {
      return unexpected(make_error(ErrorCode::INVALID_CONFIG, "bad value for " + k + ": " + v));
    }
  }
  return {};
}

std::string wall_time(std::chrono::system_clock::time_point t) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  localtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return fmt::format("{}:{:03d}", buf, ms % 1000);
}

}  // namespace

int run_perf_produce(const CliOptions& o) {
  const PerfOptions& p = o.perf;
  ProducerConfig config;
  config.client = client_config(o.global);
  config.linger = std::chrono::milliseconds(0);  // Kafka 3.9's default
  if (auto r = apply_producer_props(config, p.producer_props); !r) return fail(r.error());
  auto producer = Producer::create(config);
  if (!producer) return fail(producer.error());
  Producer& prod = **producer;

  std::mt19937 rng(12345);
  std::string payload(static_cast<size_t>(p.record_size), 'A');
  for (char& ch : payload) ch = static_cast<char>('A' + rng() % 26);
  std::vector<uint8_t> value(payload.begin(), payload.end());

  std::vector<int32_t> latencies;
  latencies.reserve(static_cast<size_t>(std::min<int64_t>(p.num_records, 50'000'000)));
  Window total, window;
  int64_t errors = 0;
  std::optional<ClientError> first_error;
  auto report_window = [&] {
    double secs = seconds_since(window.start);
    fmt::print(
        "{} records sent, {:.1f} records/sec ({:.2f} MB/sec), {:.1f} ms avg latency, {:.1f} ms max "
        "latency.\n",
        window.count, window.count / secs, window.bytes / kMiB / secs,
        window.count ? static_cast<double>(window.total_latency) / window.count : 0.0,
        static_cast<double>(window.max_latency));
    std::fflush(stdout);
    window = Window{};
  };

  // Latency in wall-clock milliseconds, as ProducerPerformance (System.currentTimeMillis): the send
  // time is also the record's timestamp.
  auto wall_ms = [] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
  // A clock read costs about a fifth of a record's work, so it is not done per record: records of
  // one batch are acknowledged by one response, their callbacks run back to back, and one reading
  // per completed batch (batches_completed() moved on) gives each of them its acknowledgement time.
  uint64_t acked_batch = 0;
  int64_t acked_ms = 0;
  auto delivered = [&](int64_t send_ms, const std::optional<ClientError>& e) {
    if (e) {
      ++errors;
      if (!first_error) first_error = e;
      return;
    }
    if (acked_batch != prod.batches_completed()) {
      acked_batch = prod.batches_completed();
      acked_ms = wall_ms();
    }
    int64_t latency = std::max<int64_t>(acked_ms - send_ms, 0);
    latencies.push_back(static_cast<int32_t>(latency));
    for (Window* w : {&total, &window}) {
      ++w->count;
      w->bytes += p.record_size;
      w->total_latency += latency;
      w->max_latency = std::max<int64_t>(w->max_latency, latency);
    }
  };

  // Back-pressure like Java's buffer.memory (32 MiB): with large batches a fixed record count
  // would leave too few batches to keep every partition's pipeline full.
  const size_t max_pending =
      std::max<size_t>(100000, kBufferMemory / static_cast<size_t>(std::max<int64_t>(p.record_size, 1)));
  const std::vector<RecordHeader> no_headers;
  const std::span<const uint8_t> value_view(value);
  auto start = Clock::now();
  // The send time is read every kClockEvery records of the tight send loop (a few microseconds
  // apart, far below the millisecond timestamps) and again after anything that may have waited.
  constexpr int64_t kClockEvery = 16;
  int64_t send_ms = 0;
  bool clock_stale = true;
  for (int64_t i = 0; i < p.num_records; ++i) {
    if (clock_stale || i % kClockEvery == 0) {
      send_ms = wall_ms();
      clock_stale = false;
    }
    // One payload buffer for every record, as ProducerPerformance reuses its byte[].
    ProducerRecordView record{p.topic, std::nullopt, std::nullopt, value_view, no_headers, send_ms};
    auto r =
        prod.send(record, [&delivered, send_ms](const RecordMetadata&, const std::optional<ClientError>& e) {
          delivered(send_ms, e);  // two words captured: std::function keeps them without allocating
        });
    if (!r) return fail(r.error());
    if (i % 128 == 0) {
      prod.poll(std::chrono::milliseconds(0));
      clock_stale = true;
    }
    while (prod.pending() > max_pending) {
      prod.poll(std::chrono::milliseconds(1));
      clock_stale = true;
    }
    if (p.throughput > 0) {
      // Throttle: keep sent/elapsed at or below the requested rate.
      while (static_cast<double>(i + 1) > p.throughput * seconds_since(start)) {
        prod.poll(std::chrono::milliseconds(1));
        clock_stale = true;
      }
    }
    if (i % 256 == 0 && seconds_since(window.start) * 1000 >= static_cast<double>(p.reporting_interval_ms))
      report_window();
  }
  auto flushed = prod.close(std::chrono::milliseconds(300000));
  double secs = seconds_since(start);
  size_t ranked = 0;
  double rate = total.count / secs;
  double mb = total.bytes / kMiB / secs;
  double avg = total.count ? static_cast<double>(total.total_latency) / total.count : 0.0;
  int64_t p50 = percentile(latencies, 0.5, ranked), p95 = percentile(latencies, 0.95, ranked),
          p99 = percentile(latencies, 0.99, ranked), p999 = percentile(latencies, 0.999, ranked);
  fmt::print(
      "{} records sent, {:f} records/sec ({:.2f} MB/sec), {:.2f} ms avg latency, {:.2f} ms max latency, {} "
      "ms 50th, "
      "{} ms 95th, {} ms 99th, {} ms 99.9th.\n",
      total.count, rate, mb, avg, static_cast<double>(total.max_latency), p50, p95, p99, p999);
  nlohmann::json j = {{"records", total.count},
                      {"records_per_sec", rate},
                      {"mb_per_sec", mb},
                      {"avg_latency_ms", avg},
                      {"max_latency_ms", total.max_latency},
                      {"p50_ms", p50},
                      {"p95_ms", p95},
                      {"p99_ms", p99},
                      {"p999_ms", p999},
                      {"errors", errors},
                      {"max_batches_in_flight_per_partition", prod.max_batches_in_flight_per_partition()}};
  std::cout << j.dump() << std::endl;
  if (first_error) return fail(std::to_string(errors) + " records failed: " + first_error->to_string());
  if (!flushed) return fail(flushed.error());
  return 0;
}

int run_perf_consume(const CliOptions& o) {
  const PerfOptions& p = o.perf;
  ConsumerConfig config;
  config.client = client_config(o.global);
  config.auto_offset_reset = "earliest";
  auto consumer = Consumer::create(config);
  if (!consumer) return fail(consumer.error());
  Consumer& cons = **consumer;
  auto wall_start = std::chrono::system_clock::now();
  auto start = Clock::now();
  auto tps = cons.partitions_for(p.topic);
  if (!tps) return fail(tps.error());
  if (auto r = cons.assign(*tps); !r) return fail(r.error());
  if (auto r = cons.seek_to_beginning(*tps); !r) return fail(r.error());
  auto fetch_start = Clock::now();
  int64_t messages = 0, bytes = 0;
  auto last = Clock::now();
  while (messages < p.messages) {
    // Views into the fetched data, as Java's consumer hands out records over its fetch buffers:
    // every record is decoded (CRC checked), and key, value, offset and timestamp are there to read.
    auto records = cons.poll_views(std::chrono::milliseconds(100));
    if (!records) return fail(records.error());
    if (records->empty()) {
      if (Clock::now() - last > std::chrono::milliseconds(p.consume_timeout_ms)) break;
      continue;
    }
    last = Clock::now();
    for (const auto& r : *records) {
      ++messages;
      bytes += static_cast<int64_t>((r.key ? r.key->size() : 0) + (r.value ? r.value->size() : 0));
    }
  }
  auto wall_end = std::chrono::system_clock::now();
  double secs = seconds_since(start);
  double fetch_secs = seconds_since(fetch_start);
  double mb = bytes / kMiB;
  auto rebalance_ms = std::chrono::duration_cast<std::chrono::milliseconds>(fetch_start - start).count();
  fmt::print(
      "start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, "
      "rebalance.time.ms, "
      "fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec\n");
  fmt::print("{}, {}, {:.4f}, {:.4f}, {}, {:.4f}, {}, {}, {:.4f}, {:.4f}\n", wall_time(wall_start),
             wall_time(wall_end), mb, mb / secs, messages, messages / secs, rebalance_ms,
             static_cast<int64_t>(fetch_secs * 1000), mb / fetch_secs, messages / fetch_secs);
  nlohmann::json j = {
      {"messages", messages}, {"mb", mb}, {"mb_per_sec", mb / secs}, {"msg_per_sec", messages / secs}};
  std::cout << j.dump() << std::endl;
  if (messages < p.messages) {
    return fail("only " + std::to_string(messages) + " of " + std::to_string(p.messages) +
                " records before timeout");
  }
  return 0;
}

}  // namespace gregor::client::cli

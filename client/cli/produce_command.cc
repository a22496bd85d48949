// `gregor produce`: one record per input line (optionally "key<sep>value"), with headers, compression and
// acks.
#include <poll.h>
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "client/cli/commands.h"
#include "client/cli/text_format.h"
#include "client/producer.h"

namespace gregor::client::cli {

namespace {

// Back-pressure: stop reading input while this many records wait for delivery.
constexpr size_t kMaxPendingRecords = 200000;

std::vector<uint8_t> to_bytes(const std::string& s) { return {s.begin(), s.end()}; }

// While stdin has nothing to read (a pipe or terminal between lines), keep the producer's loop
// going, so lingered batches are sent and answers handled instead of waiting for the next line.
void wait_for_stdin(Producer& prod) {
  if (std::cin.rdbuf()->in_avail() > 0) return;
  pollfd fd{STDIN_FILENO, POLLIN, 0};
  while (::poll(&fd, 1, 0) == 0) prod.poll(std::chrono::milliseconds(10));
}

}  // namespace

Result<batch::Compression, ClientError> parse_compression(const std::string& name) {
  if (name == "none") return batch::Compression::none;
  if (name == "gzip") return batch::Compression::gzip;
  if (name == "snappy") return batch::Compression::snappy;
  if (name == "lz4") return batch::Compression::lz4;
  if (name == "zstd") return batch::Compression::zstd;
  return unexpected(make_error(ErrorCode::INVALID_CONFIG, "unknown compression '" + name + "'"));
}

int run_produce(const CliOptions& o) {
  const ProduceOptions& p = o.produce;
  ProducerConfig config;
  config.client = client_config(o.global);
  config.acks = p.acks == "all" ? -1 : static_cast<int16_t>(std::stoi(p.acks));
  config.linger = std::chrono::milliseconds(p.linger_ms);
  config.batch_size = static_cast<size_t>(p.batch_size);
  config.enable_idempotence = p.idempotence;
  config.max_in_flight_per_connection = p.max_in_flight;
  config.max_block = std::chrono::milliseconds(o.global.timeout_ms);
  auto codec = parse_compression(p.compression);
  if (!codec) return fail(codec.error());
  config.compression = *codec;

  std::vector<RecordHeader> headers;
  for (const auto& h : p.headers) {
    auto kv = parse_key_value(h);
    if (!kv) return fail(kv.error());
    headers.push_back({kv->first, to_bytes(kv->second)});
  }

  std::ifstream file;
  // Our own stdin buffer (not stdio's), so wait_for_stdin() sees the lines already read ahead.
  if (p.input.empty() || p.input == "-") std::ios::sync_with_stdio(false);
  std::istream* in = &std::cin;
  if (!p.input.empty() && p.input != "-") {
    file.open(p.input);
    if (!file) return fail("cannot open " + p.input);
    in = &file;
  }

  auto producer = Producer::create(config);
  if (!producer) return fail(producer.error());
  Producer& prod = **producer;

  size_t sent = 0, delivered = 0, failed = 0;
  std::optional<ClientError> first_error;
  bool json_reports = o.global.format == "json";
  auto on_delivery = [&](const RecordMetadata& md, const std::optional<ClientError>& error) {
    if (error) {
      ++failed;
      if (!first_error) first_error = error;
      return;
    }
    ++delivered;
    if (json_reports) {
      std::cout
          << nlohmann::json{{"topic", md.topic}, {"partition", md.partition}, {"offset", md.offset}}.dump()
          << '\n';
    }
  };

  std::string line;
  while (true) {
    if (in == &std::cin) wait_for_stdin(prod);
    if (!std::getline(*in, line)) break;
    auto [key, value] = split_key_value(line, p.key_separator);
    ProducerRecord record{p.topic,         p.partition, key ? std::optional(to_bytes(*key)) : std::nullopt,
                          to_bytes(value), headers,     -1};
    auto r = prod.send(std::move(record), on_delivery);
    if (!r) return fail(r.error());
    ++sent;
    if (sent % 64 == 0) prod.poll(std::chrono::milliseconds(0));
    while (prod.pending() > kMaxPendingRecords) prod.poll(std::chrono::milliseconds(10));
  }
  auto flushed = prod.close(std::chrono::milliseconds(std::max<int64_t>(o.global.timeout_ms, 120000)));
  if (p.stats) {
    std::cerr << nlohmann::json{{"sent", sent},
                                {"delivered", delivered},
                                {"failed", failed},
                                {"max_batches_in_flight_per_partition",
                                 prod.max_batches_in_flight_per_partition()}}
                     .dump()
              << '\n';
  }
  if (first_error) {
    return fail(std::to_string(failed) + " of " + std::to_string(sent) +
                " records failed: " + first_error->to_string());
  }
  if (!flushed) return fail(flushed.error());
  if (isatty(STDERR_FILENO)) std::cerr << delivered << " records produced to " << p.topic << '\n';
  return 0;
}

}  // namespace gregor::client::cli

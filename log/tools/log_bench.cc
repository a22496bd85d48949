// gregor-log-bench: the storage engine's own speed — append, sendfile reads and recovery of one partition,
// each beside the same-size sequential `dd`-style file operation on the same disk, in the same run.
//
// Usage: gregor-log-bench <dir> [--mib N]   (prints one JSON object; ./dev bench runs it)
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "log/log.h"
#include "protocol/record_batch.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using gregor::log::Log;
using gregor::log::LogConfig;

namespace {

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// One 16 KiB batch of 16 x 1 KiB records (Kafka's default batch.size with 1 KiB values).
std::vector<uint8_t> make_batch() {
  gregor::RecordBatchBuilder b;
  std::vector<uint8_t> value(1000, 'x');
  for (int i = 0; i < 16; ++i) b.append(std::nullopt, std::span<const uint8_t>(value), {}, 1700000000000 + i);
  return b.build();
}

std::unique_ptr<Log> open_log(const fs::path& dir, bool clean) {
  LogConfig config;
  // One segment however much is written: the broker flushes a rolled segment on a background thread,
  // this tool has none, so a roll would put a synchronous fsync of the whole segment into the timing.
  config.segment_bytes = std::numeric_limits<int32_t>::max();
  auto log = Log::open(dir, {"bench", 0}, config, 0, clean, 0);
  if (!log) throw std::runtime_error("cannot open log in " + dir.string() + ": " + log.error().message);
  return std::move(*log);
}

// Appends `bytes` worth of batches through the leader path. No fsync, as Kafka's default (flush.messages
// unset): both this and the dd baseline measure writing into the page cache, i.e. our overhead over write().
double bench_append(const fs::path& dir, int64_t bytes) {
  auto log = open_log(dir, true);
  auto batch = make_batch();
  std::vector<uint8_t> work = batch;
  auto t0 = Clock::now();
  for (int64_t written = 0; written < bytes; written += static_cast<int64_t>(batch.size())) {
    // The leader rewrites base offset and leader epoch in place (outside the CRC), so one buffer serves
    // every append, as a request's buffer does in the broker (no copy that dd would not make).
    auto r = log->append_as_leader(work, 0, std::nullopt);
    if (!r) throw std::runtime_error("append failed: " + r.error().message);
  }
  double s = seconds_since(t0);
  (void)log->close();
  return static_cast<double>(bytes) / s;
}

// dd if=/dev/zero of=<file> bs=<batch size> count=N (page cache, no fsync): the same write sizes as the
// log's appends, which are not page-aligned (a 16-record batch is 16,1xx bytes), so both pay the same
// partial-page work.
double bench_dd_write(const fs::path& file, int64_t bytes, size_t block_bytes) {
  std::vector<uint8_t> block(block_bytes, 'x');
  int fd = ::open(file.c_str(), O_CREAT | O_TRUNC | O_WRONLY, 0644);
  if (fd < 0) throw std::runtime_error("open " + file.string());
  auto t0 = Clock::now();
  for (int64_t w = 0; w < bytes; w += static_cast<int64_t>(block.size())) {
    if (::write(fd, block.data(), block.size()) != static_cast<ssize_t>(block.size()))
      throw std::runtime_error("write");
  }
  double s = seconds_since(t0);
  ::close(fd);
  return static_cast<double>(bytes) / s;
}

// A loopback TCP connection whose far end is drained by a thread, as a consumer's socket would be.
struct Sink {
  int listen_fd = -1, send_fd = -1;
  std::thread reader;
  int64_t received = 0;
  Sink() {
    listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(listen_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    listen(listen_fd, 1);
    socklen_t len = sizeof addr;
    getsockname(listen_fd, reinterpret_cast<sockaddr*>(&addr), &len);
    send_fd = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(send_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
      throw std::runtime_error("connect");
    int recv_fd = accept(listen_fd, nullptr, nullptr);
    reader = std::thread([this, recv_fd] {
      std::vector<char> buf(1 << 20);
      for (ssize_t n; (n = ::read(recv_fd, buf.data(), buf.size())) > 0;) received += n;
      ::close(recv_fd);
    });
  }
  void finish() {
    shutdown(send_fd, SHUT_WR);
    reader.join();
    ::close(send_fd);
    ::close(listen_fd);
  }
};

// Reads the whole log as a consumer fetch loop does (Log::read → file regions) and sendfiles each region.
// Every batch is the same size with 16 records, so the next fetch offset follows from the bytes returned.
double bench_sendfile_read(const fs::path& dir, int64_t batch_bytes, int64_t& total) {
  auto log = open_log(dir, true);
  Sink sink;
  total = 0;
  auto t0 = Clock::now();
  for (int64_t offset = log->log_start_offset(); offset < log->log_end_offset();) {
    auto data = log->read(offset, 1 << 20, log->log_end_offset(), true);
    if (!data || data->bytes == 0) throw std::runtime_error("read failed");
    for (auto& region : data->regions) {
      off_t pos = region.offset;
      for (int64_t left = region.length; left > 0;) {
        ssize_t n = sendfile(sink.send_fd, region.fd, &pos, static_cast<size_t>(left));
        if (n <= 0) throw std::runtime_error("sendfile failed");
        left -= n;
      }
      total += region.length;
    }
    offset += data->bytes / batch_bytes * 16;
  }
  sink.finish();
  double s = seconds_since(t0);
  (void)log->close();
  return static_cast<double>(total) / s;
}

}  // namespace

namespace {

// dd if=<file> of=/dev/null bs=1M, from the page cache (the file was just read once).
double bench_dd_read(const fs::path& file) {
  std::vector<char> buf(1 << 20);
  int fd = ::open(file.c_str(), O_RDONLY);
  int64_t total = 0;
  auto t0 = Clock::now();
  for (ssize_t n; (n = ::read(fd, buf.data(), buf.size())) > 0;) total += n;
  double s = seconds_since(t0);
  ::close(fd);
  return static_cast<double>(total) / s;
}

// The copy path sendfile avoids: read() the file into a buffer and write() it to the same kind of socket.
double bench_copy_to_socket(const fs::path& file) {
  std::vector<char> buf(1 << 20);
  int fd = ::open(file.c_str(), O_RDONLY);
  Sink sink;
  int64_t total = 0;
  auto t0 = Clock::now();
  for (ssize_t n; (n = ::read(fd, buf.data(), buf.size())) > 0;) {
    for (ssize_t off = 0; off < n;) {
      ssize_t w = ::write(sink.send_fd, buf.data() + off, static_cast<size_t>(n - off));
      if (w <= 0) throw std::runtime_error("write to socket failed");
      off += w;
    }
    total += n;
  }
  sink.finish();
  double s = seconds_since(t0);
  ::close(fd);
  return static_cast<double>(total) / s;
}

// The real `dd if=<file> bs=1M` with its stdout on the same kind of socket: the reader-side baseline for
// sendfile (dd to /dev/null copies nothing out, so it bounds the page cache, not a fetch).
double bench_dd_to_socket(const fs::path& file) {
  Sink sink;
  auto t0 = Clock::now();
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork");
  if (pid == 0) {
    ::dup2(sink.send_fd, STDOUT_FILENO);
    std::string in = "if=" + file.string();
    ::execlp("dd", "dd", in.c_str(), "bs=1M", "status=none", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  sink.finish();
  double s = seconds_since(t0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) throw std::runtime_error("dd failed");
  return static_cast<double>(sink.received) / s;
}

void warm(const fs::path& dir) {
  for (auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".log") bench_dd_read(e.path());
  }
}

// Unclean shutdown: every batch after recovery point 0 is scanned (sizes, magic, CRC-32C) and indexes
// rebuilt.
double bench_recovery(const fs::path& dir, int64_t bytes) {
  for (auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".index" || e.path().extension() == ".timeindex") fs::remove(e.path());
  }
  warm(dir);  // measure the CPU work (CRC, index rebuild), not the disk
  auto t0 = Clock::now();
  auto log = open_log(dir, false);
  double s = seconds_since(t0);
  (void)log->close();
  return static_cast<double>(bytes) / s;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: gregor-log-bench <dir> [--mib N]\n");
    return 2;
  }
  fs::path root = argv[1];
  int64_t mib = 1024;
  if (argc >= 4 && std::string(argv[2]) == "--mib") mib = std::stoll(argv[3]);
  int64_t bytes = mib << 20;
  fs::create_directories(root);
  fs::path log_dir = root / "bench-0";
  fs::remove_all(log_dir);
  try {
    int64_t batch_bytes = static_cast<int64_t>(make_batch().size());
    // Alternate the two writers and keep each one's best run: page-cache writeback of the other's dirty
    // pages otherwise favours whichever runs first.
    double dd_write = 0, append = 0;
    for (int round = 0; round < 3; ++round) {
      fs::remove_all(log_dir);
      append = std::max(append, bench_append(log_dir, bytes));
      dd_write = std::max(dd_write, bench_dd_write(root / "dd.bin", bytes, static_cast<size_t>(batch_bytes)));
      fs::remove(root / "dd.bin");
    }
    warm(log_dir);
    fs::path segment;
    for (auto& e : fs::directory_iterator(log_dir)) {
      if (e.path().extension() == ".log" && (segment.empty() || e.file_size() > fs::file_size(segment)))
        segment = e.path();  // the only segment (see open_log); the largest if that ever changes
    }
    // Three alternating rounds, best of each: the loopback socket and the scheduler are noisy on 2 cores.
    int64_t total = 0;
    double sendfile_read = 0, dd_read = 0, copy_read = 0, dd_socket = 0;
    for (int round = 0; round < 3; ++round) {
      sendfile_read = std::max(sendfile_read, bench_sendfile_read(log_dir, batch_bytes, total));
      dd_socket = std::max(dd_socket, bench_dd_to_socket(segment));
      copy_read = std::max(copy_read, bench_copy_to_socket(segment));
      dd_read = std::max(dd_read, bench_dd_read(segment));
    }
    double recovery = bench_recovery(log_dir, bytes);
    std::printf(
        "{\"bytes\": %lld, \"append_MBps\": %.1f, \"dd_write_MBps\": %.1f, \"append_vs_dd\": %.3f, "
        "\"sendfile_read_MBps\": %.1f, \"dd_to_socket_MBps\": %.1f, \"read_vs_dd_to_socket\": %.3f, "
        "\"dd_read_MBps\": %.1f, \"read_vs_dd\": %.3f, \"read_write_socket_MBps\": %.1f, "
        "\"recovery_MBps\": %.1f}\n",
        static_cast<long long>(bytes), append / 1e6, dd_write / 1e6, append / dd_write, sendfile_read / 1e6,
        dd_socket / 1e6, sendfile_read / dd_socket, dd_read / 1e6, sendfile_read / dd_read, copy_read / 1e6,
        recovery / 1e6);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "gregor-log-bench: %s\n", e.what());
    return 1;
  }
  fs::remove_all(log_dir);
  return 0;
}

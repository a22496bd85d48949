// PreviousSession: "session.id=<hex>\npassword=<hex>\n" in <log dir>/gregor-zookeeper-session.
#include "broker/previous_session.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "broker/logging.h"

namespace gregor::broker::previous_session {

namespace {

constexpr const char* kFileName = "gregor-zookeeper-session";

std::string to_hex(const std::string& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::optional<std::string> from_hex(const std::string& hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = hex_digit(hex[i]), lo = hex_digit(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

}  // namespace

void remember(const std::filesystem::path& log_dir, const zk::Session::Credentials& credentials) {
  auto path = log_dir / kFileName;
  auto tmp = log_dir / (std::string(kFileName) + ".tmp");
  std::string text = "session.id=" + std::to_string(credentials.session_id) +
                     "\npassword=" + to_hex(credentials.password) + "\n";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  bool ok = fd >= 0 && ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  if (fd >= 0) ::close(fd);
  std::error_code ec;
  if (ok) std::filesystem::rename(tmp, path, ec);
  if (!ok || ec) {
    // Only a quick restart after a crash gets slower (it waits for the old session to expire).
    logger("broker")->warn("cannot write {}: {}", path.string(), ok ? ec.message() : std::strerror(errno));
  }
}

std::optional<zk::Session::Credentials> recall(const std::filesystem::path& log_dir) {
  auto path = log_dir / kFileName;
  std::ifstream in(path);
  if (!in) return std::nullopt;
  zk::Session::Credentials c;
  std::optional<std::string> password;
  std::string line;
  while (std::getline(in, line)) {
    auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string key = line.substr(0, eq), value = line.substr(eq + 1);
    if (key == "session.id") c.session_id = std::strtoll(value.c_str(), nullptr, 10);
    if (key == "password") password = from_hex(value);
  }
  if (c.session_id == 0 || !password) {
    logger("broker")->warn("ignoring malformed {}", path.string());
    return std::nullopt;
  }
  c.password = *password;
  return c;
}

void forget(const std::filesystem::path& log_dir) {
  std::error_code ec;
  std::filesystem::remove(log_dir / kFileName, ec);
}

}  // namespace gregor::broker::previous_session

// Test fixture: starts and stops a real ZooKeeper server process; a small event_base wrapper.
#include "test/unit/zk/zk_server.h"

#include <arpa/inet.h>
#include <event2/event.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <thread>

#include "zk/session.h"

namespace gregor::zk::test {
namespace {

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    throw std::runtime_error("bind failed");
  }
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

std::unique_ptr<ZkServer>& shared_slot() {
  static std::unique_ptr<ZkServer> server;
  return server;
}

}  // namespace

ZkServer::ZkServer() {
  char tmpl[] = "/tmp/gregor-zk-test-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) throw std::runtime_error("mkdtemp failed");
  dir_ = tmpl;
  port_ = free_port();
  std::filesystem::create_directories(dir_ + "/data");
  std::filesystem::create_directories(dir_ + "/log");
  {
    std::ofstream cfg(dir_ + "/zoo.cfg");
    cfg << "tickTime=500\n"
        << "dataDir=" << dir_ << "/data\n"
        << "clientPort=" << port_ << "\n"
        << "clientPortAddress=127.0.0.1\n"
        << "maxClientCnxns=0\n"
        << "# stop the AdminServer from taking port 8080\n"
        << "admin.enableServer=false\n"
        << "4lw.commands.whitelist=ruok,srvr,mntr\n";
  }
  start();
}

void ZkServer::start() {
  std::string cfg_path = dir_ + "/zoo.cfg";
  std::string out_path = dir_ + "/server.out";
  std::string log_dir = dir_ + "/log";
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    ::setpgid(0, 0);  // own process group: the script execs java, but kill the group to be sure
    int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (out >= 0) {
      ::dup2(out, 1);
      ::dup2(out, 2);
    }
    ::setenv("ZOO_LOG_DIR", log_dir.c_str(), 1);
    ::setenv("JVMFLAGS", "-Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1", 1);
    ::execl("/usr/share/zookeeper/bin/zkServer.sh", "zkServer.sh", "start-foreground", cfg_path.c_str(),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::setpgid(pid_, pid_);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (four_letter("ruok") != "imok") {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("ZooKeeper exited during start-up; see " + out_path);
    }
    if (std::chrono::steady_clock::now() > deadline)
      throw std::runtime_error("ZooKeeper did not start; see " + out_path);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

ZkServer::~ZkServer() {
  stop();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

void ZkServer::stop() {
  if (pid_ > 0) {
    ::kill(-pid_, SIGTERM);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        ::kill(-pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    pid_ = -1;
  }
}

std::string ZkServer::connect_string() const { return "127.0.0.1:" + std::to_string(port_); }

std::string ZkServer::four_letter(const std::string& word) const {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return {};
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port_));
  timeval tv{2, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  std::string answer;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      ::write(fd, word.data(), word.size()) == static_cast<ssize_t>(word.size())) {
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof(buf))) > 0) answer.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return answer;
}

ZkServer& shared_server() {
  auto& slot = shared_slot();
  if (!slot) slot = std::make_unique<ZkServer>();
  return *slot;
}

void stop_shared_server() { shared_slot().reset(); }

Loop::Loop() : base_(event_base_new()) {}
Loop::~Loop() { event_base_free(base_); }

bool Loop::run_until(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
  return zk::run_until(base_, pred, timeout);
}

void Loop::run_for(std::chrono::milliseconds span) {
  zk::run_until(
      base_, [] { return false; }, span);
}

std::string unique_chroot(const std::string& name) {
  static std::atomic<int> counter{0};
  return "/gregor-test/" + name + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
}

}  // namespace gregor::zk::test

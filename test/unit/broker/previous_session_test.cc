// The previous-session file: round trip of a binary password, owner-only mode, missing and malformed files.
#ifndef BOOST_TEST_DYN_LINK
#define BOOST_TEST_DYN_LINK
#endif
#include "broker/previous_session.h"

#include <sys/stat.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using namespace gregor::broker;

namespace {
struct TempDir {
  fs::path path = fs::temp_directory_path() / ("previous-session-" + std::to_string(::getpid()));
  TempDir() { fs::create_directories(path); }
  ~TempDir() { fs::remove_all(path); }
};
}  // namespace

BOOST_AUTO_TEST_SUITE(previous_session_file)

BOOST_AUTO_TEST_CASE(round_trip_keeps_every_password_byte_and_is_owner_only) {
  TempDir dir;
  gregor::zk::Session::Credentials c{0x1234abcd5678ef01, std::string("\x00\xff\x10 pass\n=", 10)};
  previous_session::remember(dir.path, c);
  auto back = previous_session::recall(dir.path);
  BOOST_REQUIRE(back.has_value());
  BOOST_TEST(back->session_id == c.session_id);
  BOOST_TEST(back->password == c.password);
  struct stat st {};
  BOOST_REQUIRE(::stat((dir.path / "gregor-zookeeper-session").c_str(), &st) == 0);
  BOOST_TEST((st.st_mode & 0777) == 0600);
  previous_session::forget(dir.path);
  BOOST_TEST(!previous_session::recall(dir.path).has_value());
}

BOOST_AUTO_TEST_CASE(missing_or_malformed_file_gives_nothing) {
  TempDir dir;
  BOOST_TEST(!previous_session::recall(dir.path).has_value());
  for (const char* text : {"session.id=12\n", "password=00ff\n", "session.id=12\npassword=0g\n",
                           "session.id=12\npassword=abc\n", "garbage"}) {
    std::ofstream(dir.path / "gregor-zookeeper-session") << text;
    BOOST_TEST(!previous_session::recall(dir.path).has_value(), text);
  }
}

BOOST_AUTO_TEST_SUITE_END()

// Boost.Test entry point for zk/ unit tests; stops the shared ZooKeeper server at exit.
#define BOOST_TEST_MODULE gregor_zk
#ifndef BOOST_TEST_DYN_LINK  // meson's boost dependency may define it already
#define BOOST_TEST_DYN_LINK
#endif
#include <boost/test/unit_test.hpp>

#include "test/unit/zk/zk_server.h"

struct SharedServerTeardown {
  ~SharedServerTeardown() { gregor::zk::test::stop_shared_server(); }
};
BOOST_TEST_GLOBAL_FIXTURE(SharedServerTeardown);

// Boost.Test entry point of the replication unit tests (broker/: replica state, truncation, control plane).
#define BOOST_TEST_MODULE gregor_broker_replication
#ifndef BOOST_TEST_DYN_LINK
#define BOOST_TEST_DYN_LINK
#endif
#include <boost/test/unit_test.hpp>

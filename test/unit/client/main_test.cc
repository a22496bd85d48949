// Boost.Test entry point for the client unit tests.
#define BOOST_TEST_MODULE client
#ifndef BOOST_TEST_DYN_LINK
#define BOOST_TEST_DYN_LINK
#endif
#include <boost/test/unit_test.hpp>

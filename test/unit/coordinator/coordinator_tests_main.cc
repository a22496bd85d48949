// Boost.Test entry point of the coordinator/ unit tests.
#define BOOST_TEST_MODULE coordinator
#ifndef BOOST_TEST_DYN_LINK
#define BOOST_TEST_DYN_LINK
#endif
#include <boost/test/unit_test.hpp>

// Boost.Test entry point of the controller unit tests (broker/controller/).
#define BOOST_TEST_MODULE controller
#ifndef BOOST_TEST_DYN_LINK
#define BOOST_TEST_DYN_LINK
#endif
#include <boost/test/unit_test.hpp>

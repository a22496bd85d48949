// Boost.Test entry point of the unit_protocol executable (the only BOOST_TEST_MODULE here).
#ifndef BOOST_TEST_DYN_LINK  // meson's boost dependency may define it already
#define BOOST_TEST_DYN_LINK
#endif
#define BOOST_TEST_MODULE unit_protocol
#include <boost/test/unit_test.hpp>

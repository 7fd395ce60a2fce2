#define BOOST_TEST_MODULE pincer
#include <boost/test/unit_test.hpp>

#include "storage/pipelined_read.hpp"

#include <stdexcept>

#include <boost/test/unit_test.hpp>

#include "tests/storage/temp_dir.hpp"

using namespace pincer;
using pincer::test::request;

namespace {

/// A memory store holding `n` events, one per request, over a few streams.
std::unique_ptr<event_store> store_with(uint64_t n) {
  auto s = make_memory_store();
  std::vector<append_request> reqs;
  for (uint64_t i = 0; i < n; ++i)
    reqs.push_back(request("group/g" + std::to_string(i % 3), i / 3, {"t" + std::to_string(i)}));
  for (auto& r : s->append(reqs))
    BOOST_REQUIRE(r);
  return s;
}

} // namespace

BOOST_AUTO_TEST_SUITE(storage_pipelined_read)

BOOST_AUTO_TEST_CASE(every_record_arrives_once_in_order_across_many_batches) {
  auto s = store_with(5000);
  uint64_t expected = 1;
  BOOST_REQUIRE(read_all_pipelined(*s, 0, [&](const record& r) {
    BOOST_REQUIRE_EQUAL(r.seq, expected);
    BOOST_REQUIRE_EQUAL(r.type, "t" + std::to_string(expected - 1));
    ++expected;
    return true;
  }));
  BOOST_TEST(expected == 5001u);
}

BOOST_AUTO_TEST_CASE(reading_starts_after_the_given_sequence) {
  auto s = store_with(600);
  std::vector<uint64_t> seqs;
  BOOST_REQUIRE(read_all_pipelined(*s, 597, [&](const record& r) {
    seqs.push_back(r.seq);
    return true;
  }));
  BOOST_TEST((seqs == std::vector<uint64_t>{598, 599, 600}));
  seqs.clear();
  BOOST_REQUIRE(read_all_pipelined(*s, 600, [&](const record& r) {
    seqs.push_back(r.seq);
    return true;
  }));
  BOOST_TEST(seqs.empty());
}

BOOST_AUTO_TEST_CASE(a_false_from_the_visitor_stops_the_read) {
  auto s = store_with(5000);
  uint64_t visited = 0;
  BOOST_REQUIRE(read_all_pipelined(*s, 0, [&](const record&) { return ++visited < 300; }));
  BOOST_TEST(visited == 300u);
}

BOOST_AUTO_TEST_CASE(an_exception_from_the_visitor_reaches_the_caller) {
  auto s = store_with(5000);
  uint64_t visited = 0;
  BOOST_CHECK_THROW(read_all_pipelined(*s, 0,
                                       [&](const record&) -> bool {
                                         if (++visited == 1000)
                                           throw std::runtime_error("visitor failed");
                                         return true;
                                       }),
                    std::runtime_error);
  BOOST_TEST(visited == 1000u);
}

BOOST_AUTO_TEST_SUITE_END()

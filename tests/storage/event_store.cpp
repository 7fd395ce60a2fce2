#include "storage/event_store.hpp"

#include <atomic>
#include <thread>

#include <boost/mpl/list.hpp>
#include <boost/test/unit_test.hpp>

#include "events/time.hpp"
#include "tests/storage/temp_dir.hpp"

using namespace pincer;
using pincer::test::request;

namespace {

/// The in-memory store.
struct memory_backend {
  std::unique_ptr<event_store> store = make_memory_store();
};

/// The RocksDB store in a fresh temp folder.
struct rocksdb_backend {
  test::temp_dir dir;
  std::unique_ptr<event_store> store = open(dir.sub("events"));

  static std::unique_ptr<event_store> open(const std::string& path) {
    auto res = open_rocksdb_store(path, rocksdb_options{false, false});
    if (!res)
      throw std::runtime_error(res.err().message);
    return std::move(*res);
  }
};

using backends = boost::mpl::list<memory_backend, rocksdb_backend>;

std::vector<record> read_stream(const event_store& s, const std::string& stream,
                                uint64_t after = 0) {
  std::vector<record> out;
  auto res = s.read_stream(stream, after, [&](const record& r) {
    out.push_back(r);
    return true;
  });
  BOOST_REQUIRE(res);
  return out;
}

std::vector<record> read_all(const event_store& s, uint64_t after = 0) {
  std::vector<record> out;
  auto res = s.read_all(after, [&](const record& r) {
    out.push_back(r);
    return true;
  });
  BOOST_REQUIRE(res);
  return out;
}

std::vector<row> scan(const event_store& s, const std::string& projection,
                      const std::string& start, bool reverse) {
  std::vector<row> out;
  auto res = s.scan_projection(projection, start, reverse,
                               [&](const std::string& k, const std::string& v) {
                                 out.emplace_back(k, v);
                                 return true;
                               });
  BOOST_REQUIRE(res);
  return out;
}

std::vector<uint64_t> seqs(const std::vector<record>& rs) {
  std::vector<uint64_t> out;
  for (const auto& r : rs)
    out.push_back(r.seq);
  return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(storage_contract)

BOOST_AUTO_TEST_CASE_TEMPLATE(an_empty_store_has_no_events_and_no_streams, B, backends) {
  B b;
  BOOST_TEST(b.store->last_seq() == 0u);
  BOOST_TEST(b.store->stream_version("namespace/x") == 0u);
  BOOST_TEST(read_all(*b.store).empty());
  BOOST_TEST(read_stream(*b.store, "namespace/x").empty());
  BOOST_TEST(b.store->streams("").empty());
}

BOOST_AUTO_TEST_CASE_TEMPLATE(appended_events_read_back_with_every_header_field, B, backends) {
  B b;
  auto before = now_ms();
  auto res = b.store->append({request("namespace/x", 0, {"namespace.created", "namespace.renamed"})});
  auto after = now_ms();
  BOOST_REQUIRE_EQUAL(res.size(), 1u);
  BOOST_REQUIRE(res[0]);
  BOOST_REQUIRE_EQUAL(res[0]->size(), 2u);
  auto stored = read_stream(*b.store, "namespace/x");
  BOOST_REQUIRE_EQUAL(stored.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    const auto& r = stored[i];
    BOOST_TEST(r.seq == i + 1);
    BOOST_TEST(r.stream == "namespace/x");
    BOOST_TEST(r.stream_version == i + 1);
    BOOST_TEST(r.type == (i == 0 ? "namespace.created" : "namespace.renamed"));
    BOOST_TEST(r.schema_version == 1u);
    BOOST_TEST(r.at >= before);
    BOOST_TEST(r.at <= after);
    BOOST_TEST(r.actor == "key:test");
    BOOST_TEST(r.request_id == "req-1");
    BOOST_TEST(json::parse(r.data) == (json{{"n", i}}));
    BOOST_TEST(r.checksum_ok);
    BOOST_TEST((*res[0])[i].seq == r.seq);
    BOOST_TEST((*res[0])[i].data == r.data);
    BOOST_TEST((*res[0])[i].at == r.at);
  }
  BOOST_TEST(b.store->last_seq() == 2u);
  BOOST_TEST(b.store->stream_version("namespace/x") == 2u);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(append_with_matching_expected_version_succeeds, B, backends) {
  B b;
  BOOST_REQUIRE(b.store->append({request("namespace/x", 0, {"a", "b"})})[0]);
  auto res = b.store->append({request("namespace/x", 2, {"c"})});
  BOOST_REQUIRE(res[0]);
  BOOST_TEST((*res[0])[0].stream_version == 3u);
  BOOST_TEST((*res[0])[0].seq == 3u);
  auto any = b.store->append({request("namespace/x", any_version, {"d"})});
  BOOST_REQUIRE(any[0]);
  BOOST_TEST((*any[0])[0].stream_version == 4u);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(append_with_stale_version_is_a_conflict_and_writes_nothing, B, backends) {
  B b;
  BOOST_REQUIRE(b.store->append({request("namespace/x", 0, {"a", "b", "c"})})[0]);
  auto res = b.store->append({request("namespace/x", 2, {"d"})});
  BOOST_REQUIRE(!res[0]);
  BOOST_TEST(res[0].err().code == ec::conflict);
  BOOST_TEST(res[0].err().message == "stream namespace/x is at version 3, expected 2");
  BOOST_TEST(b.store->last_seq() == 3u);
  BOOST_TEST(b.store->stream_version("namespace/x") == 3u);
  BOOST_TEST(read_all(*b.store).size() == 3u);
  // The conflict consumed no sequence number.
  auto next = b.store->append({request("namespace/y", 0, {"e"})});
  BOOST_REQUIRE(next[0]);
  BOOST_TEST((*next[0])[0].seq == 4u);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(expected_version_zero_requires_a_new_stream, B, backends) {
  B b;
  BOOST_REQUIRE(b.store->append({request("namespace/x", 0, {"a"})})[0]);
  auto res = b.store->append({request("namespace/x", 0, {"a"})});
  BOOST_REQUIRE(!res[0]);
  BOOST_TEST(res[0].err().code == ec::conflict);
  BOOST_TEST(res[0].err().message == "stream namespace/x is at version 1, expected 0");
}

BOOST_AUTO_TEST_CASE_TEMPLATE(one_conflicting_request_does_not_stop_the_others_in_the_same_call, B, backends) {
  B b;
  BOOST_REQUIRE(b.store->append({request("channel/c", 0, {"a"})})[0]);
  auto res = b.store->append({
    request("namespace/x", 0, {"a", "b"}),
    request("channel/c", 5, {"bad"}),
    request("namespace/x", 2, {"c"}), // counts the first request of this call
    request("namespace/x", 2, {"stale"}),
    request("channel/c", 1, {"d"}),
  });
  BOOST_REQUIRE_EQUAL(res.size(), 5u);
  BOOST_TEST(static_cast<bool>(res[0]));
  BOOST_TEST(!res[1]);
  BOOST_TEST(res[1].err().code == ec::conflict);
  BOOST_TEST(static_cast<bool>(res[2]));
  BOOST_TEST(!res[3]);
  BOOST_TEST(res[3].err().message == "stream namespace/x is at version 3, expected 2");
  BOOST_REQUIRE(res[4]);
  BOOST_TEST((*res[2])[0].stream_version == 3u);
  BOOST_TEST((*res[4])[0].stream_version == 2u);
  auto all = read_all(*b.store);
  BOOST_TEST(seqs(all) == (std::vector<uint64_t>{1, 2, 3, 4, 5}), boost::test_tools::per_element());
  BOOST_TEST(all[3].type == "c");
  BOOST_TEST(all[4].type == "d");
  BOOST_TEST(b.store->last_seq() == 5u);
  BOOST_TEST(b.store->stream_version("namespace/x") == 3u);
  BOOST_TEST(b.store->stream_version("channel/c") == 2u);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(invalid_stream_name_is_rejected_with_validation_failed, B, backends) {
  B b;
  auto res = b.store->append({request("", 0, {"a"}), request("has space", any_version, {"a"}),
                              request(std::string{"nul\0x", 5}, 0, {"a"}),
                              request(std::string(201, 'x'), 0, {"a"}),
                              request("namespace/ok", 0, {"a"})});
  for (size_t i = 0; i < 4; ++i) {
    BOOST_REQUIRE(!res[i]);
    BOOST_TEST(res[i].err().code == ec::validation_failed);
    BOOST_TEST(res[i].err().field == "stream");
  }
  BOOST_REQUIRE(res[4]);
  BOOST_TEST((*res[4])[0].seq == 1u);
  BOOST_TEST(b.store->last_seq() == 1u);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(read_stream_visits_only_versions_after_the_given_one, B, backends) {
  B b;
  b.store->append({request("namespace/x", 0, {"a", "b"}), request("namespace/y", 0, {"z"}),
                   request("namespace/x", 2, {"c", "d"})});
  auto rs = read_stream(*b.store, "namespace/x", 2);
  BOOST_REQUIRE_EQUAL(rs.size(), 2u);
  BOOST_TEST(rs[0].type == "c");
  BOOST_TEST(rs[0].stream_version == 3u);
  BOOST_TEST(rs[0].seq == 4u);
  BOOST_TEST(rs[1].type == "d");
  BOOST_TEST(read_stream(*b.store, "namespace/x", 4).empty());
  BOOST_TEST(read_stream(*b.store, "namespace").empty());
  size_t visited = 0;
  b.store->read_stream("namespace/x", 0, [&](const record&) { return ++visited < 2; });
  BOOST_TEST(visited == 2u);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(read_all_visits_the_log_in_order_from_a_sequence, B, backends) {
  B b;
  for (int i = 0; i < 10; ++i)
    b.store->append({request("namespace/s" + std::to_string(i % 3), any_version, {"e"})});
  auto rs = read_all(*b.store, 6);
  BOOST_TEST(seqs(rs) == (std::vector<uint64_t>{7, 8, 9, 10}), boost::test_tools::per_element());
  BOOST_TEST(rs[0].stream == "namespace/s0");
  BOOST_TEST(rs[0].stream_version == 3u);
  BOOST_TEST(read_all(*b.store, 10).empty());
  size_t visited = 0;
  b.store->read_all(0, [&](const record&) { return ++visited < 3; });
  BOOST_TEST(visited == 3u);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(streams_lists_the_streams_under_a_prefix_with_their_versions, B, backends) {
  B b;
  b.store->append({request("namespace/a", 0, {"x", "y"}), request("namespace/a2", 0, {"x"}),
                   request("channel/a", 0, {"x", "y", "z"}), request("namespace", 0, {"x"})});
  using list = std::vector<std::pair<std::string, uint64_t>>;
  auto ns = b.store->streams("namespace/");
  BOOST_TEST((ns == list{{"namespace/a", 2}, {"namespace/a2", 1}}));
  auto all = b.store->streams("");
  BOOST_TEST((all == list{{"channel/a", 3}, {"namespace", 1}, {"namespace/a", 2}, {"namespace/a2", 1}}));
  BOOST_TEST(b.store->streams("schedule/").empty());
}

BOOST_AUTO_TEST_CASE_TEMPLATE(streams_gives_the_last_version_of_short_and_long_streams, B, backends) {
  B b;
  auto events = [](size_t n) { return std::vector<std::string>(n, "x"); };
  for (size_t n : {1, 8, 9, 10, 40}) {
    auto name = "group/g" + std::to_string(n);
    for (size_t done = 0; done < n; done += 5) // several appends per stream
      b.store->append({request(name, done, events(std::min<size_t>(5, n - done)))});
  }
  b.store->append({request("group/g1x", 0, events(3))});
  using list = std::vector<std::pair<std::string, uint64_t>>;
  auto got = b.store->streams("group/");
  BOOST_TEST((got == list{{"group/g1", 1}, {"group/g10", 10}, {"group/g1x", 3}, {"group/g40", 40},
                          {"group/g8", 8}, {"group/g9", 9}}));
}

BOOST_AUTO_TEST_CASE_TEMPLATE(projection_rows_and_checkpoint_are_committed_together, B, backends) {
  B b;
  BOOST_TEST(b.store->checkpoint("audit") == 0u);
  BOOST_REQUIRE(b.store->commit_projection("audit", 7, {{"k1", "v1"}, {"k2", "v2"}}));
  BOOST_TEST(b.store->checkpoint("audit") == 7u);
  BOOST_REQUIRE(b.store->commit_projection("audit", 9, {{"k1", "v1b"}}));
  BOOST_TEST(b.store->checkpoint("audit") == 9u);
  auto rows = scan(*b.store, "audit", "", false);
  BOOST_TEST((rows == std::vector<row>{{"k1", "v1b"}, {"k2", "v2"}}));
  BOOST_TEST(b.store->checkpoint("audit2") == 0u);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(several_projections_are_committed_in_one_write_or_not_at_all, B, backends) {
  B b;
  BOOST_REQUIRE(b.store->commit_projections({{"audit", 4, {{"k1", "a1"}}},
                                             {"runs", 3, {{"k1", "r1"}, {"k2", "r2"}}}}));
  BOOST_TEST(b.store->checkpoint("audit") == 4u);
  BOOST_TEST(b.store->checkpoint("runs") == 3u);
  BOOST_TEST((scan(*b.store, "audit", "", false) == std::vector<row>{{"k1", "a1"}}));
  BOOST_TEST((scan(*b.store, "runs", "", false) == std::vector<row>{{"k1", "r1"}, {"k2", "r2"}}));
  // One invalid name: nothing of the other projection is stored either.
  BOOST_TEST(!b.store->commit_projections({{"audit", 9, {{"k2", "a2"}}},
                                           {"", 9, {}}}));
  BOOST_TEST(b.store->checkpoint("audit") == 4u);
  BOOST_TEST(scan(*b.store, "audit", "", false).size() == 1u);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(scan_projection_runs_forward_and_reverse_from_a_start_key, B, backends) {
  B b;
  BOOST_REQUIRE(b.store->commit_projection("runs", 1, {{"b", "2"}, {"d", "4"}, {"a", "1"}, {"c", "3"}}));
  BOOST_REQUIRE(b.store->commit_projection("runs2", 1, {{"a", "x"}, {"z", "x"}}));
  BOOST_REQUIRE(b.store->commit_projection("run", 1, {{"zz", "x"}}));
  using rows = std::vector<row>;
  BOOST_TEST((scan(*b.store, "runs", "", false) == rows{{"a", "1"}, {"b", "2"}, {"c", "3"}, {"d", "4"}}));
  BOOST_TEST((scan(*b.store, "runs", "b", false) == rows{{"b", "2"}, {"c", "3"}, {"d", "4"}}));
  BOOST_TEST((scan(*b.store, "runs", "bb", false) == rows{{"c", "3"}, {"d", "4"}}));
  BOOST_TEST((scan(*b.store, "runs", "", true) == rows{{"d", "4"}, {"c", "3"}, {"b", "2"}, {"a", "1"}}));
  BOOST_TEST((scan(*b.store, "runs", "c", true) == rows{{"c", "3"}, {"b", "2"}, {"a", "1"}}));
  BOOST_TEST((scan(*b.store, "runs", "bb", true) == rows{{"b", "2"}, {"a", "1"}}));
  BOOST_TEST((scan(*b.store, "runs", "zzz", true).size() == 4u));
  BOOST_TEST(scan(*b.store, "runs", "e", false).empty());
  BOOST_TEST(scan(*b.store, "missing", "", true).empty());
  std::vector<std::string> seen;
  b.store->scan_projection("runs", "", true, [&](const std::string& k, const std::string&) {
    seen.push_back(k);
    return seen.size() < 2;
  });
  BOOST_TEST((seen == std::vector<std::string>{"d", "c"}));
}

BOOST_AUTO_TEST_CASE_TEMPLATE(clear_projection_removes_its_rows_and_checkpoint_only, B, backends) {
  B b;
  BOOST_REQUIRE(b.store->commit_projection("runs", 5, {{"a", "1"}, {"b", "2"}}));
  BOOST_REQUIRE(b.store->commit_projection("runs2", 6, {{"a", "x"}}));
  BOOST_REQUIRE(b.store->clear_projection("runs"));
  BOOST_TEST(b.store->checkpoint("runs") == 0u);
  BOOST_TEST(scan(*b.store, "runs", "", false).empty());
  BOOST_TEST(b.store->checkpoint("runs2") == 6u);
  BOOST_TEST(scan(*b.store, "runs2", "", false).size() == 1u);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(key_store_puts_gets_overwrites_and_erases_material, B, backends) {
  B b;
  BOOST_TEST(!b.store->key("dk-1").has_value());
  BOOST_REQUIRE(b.store->put_key("dk-1", std::string{"\x01\x00\xffsecret", 9}));
  BOOST_REQUIRE(b.store->put_key("dk-2", "other"));
  BOOST_TEST(b.store->key("dk-1").value() == std::string("\x01\x00\xffsecret", 9));
  BOOST_REQUIRE(b.store->put_key("dk-1", "replaced"));
  BOOST_TEST(b.store->key("dk-1").value() == "replaced");
  BOOST_REQUIRE(b.store->erase_key("dk-1"));
  BOOST_TEST(!b.store->key("dk-1").has_value());
  BOOST_TEST(b.store->key("dk-2").value() == "other");
  BOOST_TEST(static_cast<bool>(b.store->erase_key("never-stored")));
}

BOOST_AUTO_TEST_CASE_TEMPLATE(readers_on_other_threads_see_a_gap_free_log_while_one_thread_writes, B, backends) {
  B b;
  constexpr int calls = 300;
  std::atomic<bool> done{false};
  std::atomic<int> failures{0};
  auto reader = [&] {
    while (!done.load()) {
      uint64_t expect = 1;
      auto last = b.store->last_seq();
      b.store->read_all(0, [&](const record& r) {
        if (r.seq != expect++ || !r.checksum_ok)
          ++failures;
        return true;
      });
      if (expect - 1 < last)
        ++failures;
      auto v = b.store->stream_version("namespace/w");
      if (read_stream(*b.store, "namespace/w").size() < v)
        ++failures;
    }
  };
  std::thread r1{reader};
  std::thread r2{reader};
  for (int i = 0; i < calls; ++i)
    b.store->append({request("namespace/w", static_cast<uint64_t>(i) * 2, {"a", "b"}),
                     request("namespace/v" + std::to_string(i % 5), any_version, {"c"})});
  done = true;
  r1.join();
  r2.join();
  BOOST_TEST(failures.load() == 0);
  BOOST_TEST(b.store->last_seq() == uint64_t{calls} * 3);
  BOOST_TEST(b.store->stream_version("namespace/w") == uint64_t{calls} * 2);
}

BOOST_AUTO_TEST_SUITE_END()

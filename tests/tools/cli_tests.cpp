#include <filesystem>
#include <fstream>
#include <sstream>

#include <boost/test/unit_test.hpp>
#include <rocksdb/db.h>

#include "storage/keys.hpp"
#include "tests/storage/temp_dir.hpp"
#include "tests/tools/tool_fixtures.hpp"
#include "tools/inspect.hpp"
#include "tools/inspect_verify.hpp"

using namespace pincer;
using pincer::test::fill_small_log;
using pincer::test::json_lines;
using pincer::test::shell_quoted;
using pincer::test::run_command;

namespace {

/// A data folder whose `events/` holds the small five-event log, written by
/// the RocksDB store and closed again.
struct data_folder {
  test::temp_dir dir;

  data_folder() {
    auto store = open_rocksdb_store(events_path(), rocksdb_options{false, false});
    if (!store)
      BOOST_FAIL("cannot create store: " << store.err().message);
    fill_small_log(**store);
  }

  std::string path() const {
    return dir.path().string();
  }

  std::string events_path() const {
    return dir.sub("events");
  }

  /// Runs `pincer <args> --data-dir <folder>`.
  test::process_result pincer(const std::string& args) const {
    return run_command(std::string{PINCER_BINARY} + " " + args + " --data-dir "
                       + shell_quoted(path()) + " 2>/dev/null");
  }

  /// Opens the folder with plain RocksDB, bypassing the store.
  std::unique_ptr<rocksdb::DB> open_raw() const {
    rocksdb::DB* raw = nullptr;
    auto st = rocksdb::DB::Open(rocksdb::Options{}, events_path(), &raw);
    BOOST_REQUIRE_MESSAGE(st.ok(), st.ToString());
    return std::unique_ptr<rocksdb::DB>{raw};
  }

  /// Deletes one log entry behind the store's back.
  void delete_log_entry(uint64_t seq) const {
    auto st = open_raw()->Delete(rocksdb::WriteOptions{}, keys::log_key(seq));
    BOOST_REQUIRE_MESSAGE(st.ok(), st.ToString());
  }

  /// Flips a bit in the data of one log entry, so its checksum no longer matches.
  void corrupt_log_entry(uint64_t seq) const {
    auto db = open_raw();
    std::string value;
    auto st = db->Get(rocksdb::ReadOptions{}, keys::log_key(seq), &value);
    BOOST_REQUIRE_MESSAGE(st.ok(), st.ToString());
    value.back() ^= 0x01;
    st = db->Put(rocksdb::WriteOptions{}, keys::log_key(seq), value);
    BOOST_REQUIRE_MESSAGE(st.ok(), st.ToString());
  }
};

std::vector<uint64_t> seqs(const std::string& text) {
  std::vector<uint64_t> out;
  for (auto& j : json_lines(text))
    out.push_back(j.at("seq").get<uint64_t>());
  return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(tools_cli)

BOOST_FIXTURE_TEST_CASE(verify_finds_a_gap_left_by_a_deleted_log_entry, data_folder) {
  delete_log_entry(3);
  auto store = open_event_log(path());
  BOOST_REQUIRE(store);
  std::ostringstream out;
  auto summary = verify_log(**store, out);
  BOOST_REQUIRE(summary);
  BOOST_TEST(summary->gaps == 1u);
  BOOST_TEST(summary->missing == 1u);
  BOOST_TEST(summary->events == 4u);
  auto got = json_lines(out.str());
  BOOST_REQUIRE_EQUAL(got.size(), 2u);
  BOOST_TEST(got[0].at("problem") == "gap");
  BOOST_TEST(got[0].at("after") == 2);
  BOOST_TEST(got[0].at("next") == 4);
}

BOOST_FIXTURE_TEST_CASE(verify_finds_a_log_entry_whose_checksum_does_not_match, data_folder) {
  corrupt_log_entry(4);
  auto store = open_event_log(path());
  BOOST_REQUIRE(store);
  std::ostringstream out;
  auto summary = verify_log(**store, out);
  BOOST_REQUIRE(summary);
  BOOST_TEST(summary->checksum_failures == 1u);
  BOOST_TEST(summary->undecodable == 0u);
  BOOST_TEST(!summary->clean());
  auto got = json_lines(out.str());
  BOOST_REQUIRE_EQUAL(got.size(), 2u);
  BOOST_TEST(got[0].at("problem") == "checksum");
  BOOST_TEST(got[0].at("seq") == 4);
}

BOOST_FIXTURE_TEST_CASE(the_binary_dumps_a_stopped_servers_log_as_json_lines, data_folder) {
  auto res = pincer("events dump");
  BOOST_TEST(res.exit_code == 0);
  BOOST_TEST(seqs(res.out) == (std::vector<uint64_t>{1, 2, 3, 4, 5}),
             boost::test_tools::per_element());
  auto first = json_lines(res.out).at(0);
  BOOST_TEST(first.at("type") == "namespace.created");
  BOOST_TEST(first.at("stream") == "namespace/a");
  BOOST_TEST(first.at("schemaVersion") == 2);
}

BOOST_FIXTURE_TEST_CASE(the_binary_applies_dump_filters, data_folder) {
  auto res = pincer("events dump --after 1 --stream namespace/ --type namespace.created");
  BOOST_TEST(res.exit_code == 0);
  BOOST_TEST(seqs(res.out) == (std::vector<uint64_t>{3}), boost::test_tools::per_element());
  res = pincer("events dump --limit 2");
  BOOST_TEST(seqs(res.out) == (std::vector<uint64_t>{1, 2}), boost::test_tools::per_element());
}

BOOST_FIXTURE_TEST_CASE(the_binary_lists_streams_tails_and_counts, data_folder) {
  auto ls = pincer("events ls --prefix namespace/");
  BOOST_TEST(ls.exit_code == 0);
  BOOST_TEST(json_lines(ls.out).size() == 2u);
  auto tail = pincer("events tail -n 2");
  BOOST_TEST(tail.exit_code == 0);
  BOOST_TEST(seqs(tail.out) == (std::vector<uint64_t>{4, 5}), boost::test_tools::per_element());
  auto stats = pincer("events stats");
  BOOST_TEST(stats.exit_code == 0);
  BOOST_TEST(json::parse(stats.out).at("events") == 5);
}

BOOST_FIXTURE_TEST_CASE(the_binary_shows_one_event_and_fails_on_an_unknown_one, data_folder) {
  auto shown = pincer("events show 2");
  BOOST_TEST(shown.exit_code == 0);
  BOOST_TEST(json::parse(shown.out).at("seq") == 2);
  auto missing = pincer("events show 99");
  BOOST_TEST(missing.exit_code == 1);
  BOOST_TEST(missing.out.empty());
}

BOOST_FIXTURE_TEST_CASE(the_binary_verify_exits_one_on_a_gap_and_zero_when_clean, data_folder) {
  auto clean = pincer("events verify");
  BOOST_TEST(clean.exit_code == 0);
  BOOST_TEST(json_lines(clean.out).back().at("ok") == true);
  delete_log_entry(2);
  auto broken = pincer("events verify");
  BOOST_TEST(broken.exit_code == 1);
  auto got = json_lines(broken.out);
  BOOST_REQUIRE_EQUAL(got.size(), 2u);
  BOOST_TEST(got[0].at("problem") == "gap");
}

BOOST_FIXTURE_TEST_CASE(the_binary_replays_the_audit_log_and_exports_rows, data_folder) {
  auto file = dir.sub("audit.jsonl");
  auto res = pincer("replay audit --output " + shell_quoted(file));
  BOOST_TEST(res.exit_code == 0);
  auto counts = json::parse(res.out);
  BOOST_TEST(counts.at("events") == 5);
  BOOST_TEST(counts.at("rows") == 5);
  std::ifstream in{file};
  std::stringstream text;
  text << in.rdbuf();
  BOOST_TEST(seqs(text.str()) == (std::vector<uint64_t>{1, 2, 3, 4, 5}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(the_binary_exits_two_when_the_data_folder_is_missing) {
  test::temp_dir dir;
  auto missing = shell_quoted(dir.sub("nothing-here"));
  for (auto args : {"events ls", "events dump", "events verify", "replay audit"}) {
    auto res = run_command(std::string{PINCER_BINARY} + " " + args + " --data-dir " + missing
                           + " 2>&1");
    BOOST_TEST(res.exit_code == 2, args);
    BOOST_TEST(res.out.find("no event store at") != std::string::npos, args);
  }
}

BOOST_AUTO_TEST_SUITE_END()

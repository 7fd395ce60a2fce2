#include "storage/event_store.hpp"

#include <fstream>
#include <iterator>

#include <boost/test/unit_test.hpp>
#include <rocksdb/db.h>

#include "storage/keys.hpp"
#include "tests/storage/legacy_record.hpp"
#include "tests/storage/temp_dir.hpp"

using namespace pincer;
using pincer::test::request;

namespace {

std::unique_ptr<event_store> open(const std::string& path, bool read_only = false) {
  auto res = open_rocksdb_store(path, rocksdb_options{false, read_only});
  if (!res)
    BOOST_FAIL("cannot open " << path << ": " << res.err().message);
  return std::move(*res);
}

/// Opens the folder with plain RocksDB, bypassing the store.
std::unique_ptr<rocksdb::DB> open_raw(const std::string& path) {
  rocksdb::DB* db = nullptr;
  auto st = rocksdb::DB::Open(rocksdb::Options{}, path, &db);
  BOOST_REQUIRE_MESSAGE(st.ok(), st.ToString());
  return std::unique_ptr<rocksdb::DB>{db};
}

std::vector<record> read_all(const event_store& s) {
  std::vector<record> out;
  BOOST_REQUIRE(s.read_all(0, [&](const record& r) {
    out.push_back(r);
    return true;
  }));
  return out;
}

/// Whether any file below `dir` contains `needle`.
bool any_file_contains(const std::filesystem::path& dir, const std::string& needle) {
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file())
      continue;
    std::ifstream in{entry.path(), std::ios::binary};
    std::string content{std::istreambuf_iterator<char>{in}, {}};
    if (content.find(needle) != std::string::npos)
      return true;
  }
  return false;
}

} // namespace

BOOST_AUTO_TEST_SUITE(storage_rocksdb)

BOOST_AUTO_TEST_CASE(data_survives_close_and_reopen) {
  test::temp_dir dir;
  auto path = dir.sub("events");
  {
    auto s = open(path);
    BOOST_REQUIRE(s->append({request("namespace/x", 0, {"a", "b"}), request("channel/c", 0, {"c"})})[0]);
    BOOST_REQUIRE(s->commit_projection("audit", 3, {{"r", "v"}}));
    BOOST_REQUIRE(s->put_key("dk", "material"));
  }
  auto s = open(path);
  BOOST_TEST(s->last_seq() == 3u);
  BOOST_TEST(s->stream_version("namespace/x") == 2u);
  BOOST_TEST(s->stream_version("channel/c") == 1u);
  BOOST_TEST(s->checkpoint("audit") == 3u);
  BOOST_TEST(s->key("dk").value() == "material");
  BOOST_TEST(read_all(*s).size() == 3u);
  auto stale = s->append({request("namespace/x", 1, {"d"})});
  BOOST_REQUIRE(!stale[0]);
  BOOST_TEST(stale[0].err().message == "stream namespace/x is at version 2, expected 1");
  auto res = s->append({request("namespace/x", 2, {"d"})});
  BOOST_REQUIRE(res[0]);
  BOOST_TEST((*res[0])[0].seq == 4u);
  BOOST_TEST((*res[0])[0].stream_version == 3u);
}

BOOST_AUTO_TEST_CASE(a_reopened_store_knows_every_stream_including_names_that_prefix_others) {
  test::temp_dir dir;
  auto path = dir.sub("events");
  {
    auto s = open(path);
    BOOST_REQUIRE(s->append({request("group/a", 0, {"a1", "a2"}), request("group/a-b", 0, {"b1"}),
                             request("group/ab", 0, {"c1", "c2", "c3"}),
                             request("schedule/a", 0, {"d1"})})[0]);
  }
  auto s = open(path);
  BOOST_TEST(s->stream_version("group/a") == 2u);
  BOOST_TEST(s->stream_version("group/a-b") == 1u);
  BOOST_TEST(s->stream_version("group/ab") == 3u);
  BOOST_TEST(s->stream_version("schedule/a") == 1u);
  BOOST_TEST(s->stream_version("group/b") == 0u);
  std::vector<std::string> types;
  BOOST_REQUIRE(s->read_stream("group/ab", 1, [&](const record& r) {
    types.push_back(r.type);
    return true;
  }));
  BOOST_TEST(types == (std::vector<std::string>{"c2", "c3"}), boost::test_tools::per_element());
  BOOST_REQUIRE(s->read_stream("group/b", 0, [&](const record& r) {
    types.push_back(r.type);
    return true;
  }));
  BOOST_TEST(types.size() == 2u);
  // A stream first written after the reopen is counted from 1.
  auto res = s->append({request("group/b", 0, {"e1"})});
  BOOST_REQUIRE(res[0]);
  BOOST_TEST((*res[0])[0].stream_version == 1u);
  BOOST_TEST(s->stream_version("group/b") == 1u);
}

BOOST_AUTO_TEST_CASE(closing_a_store_leaves_no_write_ahead_log_to_replay) {
  test::temp_dir dir;
  auto path = dir.sub("events");
  auto wal_bytes = [&] {
    uintmax_t total = 0;
    for (const auto& entry : std::filesystem::directory_iterator(path))
      if (entry.path().extension() == ".log")
        total += entry.file_size();
    return total;
  };
  {
    auto s = open(path);
    for (int i = 0; i < 100; ++i)
      BOOST_REQUIRE(s->append({request("group/g" + std::to_string(i), 0, {"a", "b"})})[0]);
    BOOST_TEST(wal_bytes() > 0u);
  }
  BOOST_TEST(wal_bytes() == 0u);
  BOOST_TEST(open(path)->last_seq() == 200u);
}

BOOST_AUTO_TEST_CASE(open_creates_the_folder_and_its_missing_parents) {
  test::temp_dir dir;
  auto path = dir.sub("a/b/events");
  auto s = open(path);
  BOOST_TEST(std::filesystem::is_directory(path));
  auto raw_layout = std::string{};
  s.reset();
  auto db = open_raw(path);
  BOOST_REQUIRE(db->Get({}, keys::layout_key(), &raw_layout).ok());
  BOOST_REQUIRE_EQUAL(raw_layout.size(), 4u);
  BOOST_TEST(keys::be32(raw_layout.data()) == storage_layout_version);
}

BOOST_AUTO_TEST_CASE(newer_layout_version_is_refused_with_layout_too_new) {
  test::temp_dir dir;
  auto path = dir.sub("events");
  open(path).reset();
  {
    auto db = open_raw(path);
    std::string v;
    keys::put_be32(v, 7);
    BOOST_REQUIRE(db->Put({}, keys::layout_key(), v).ok());
  }
  for (bool read_only : {false, true}) {
    auto res = open_rocksdb_store(path, rocksdb_options{true, read_only});
    BOOST_REQUIRE(!res);
    BOOST_TEST(res.err().code == ec::layout_too_new);
    BOOST_TEST(res.err().message
               == "data folder " + path
                    + " uses storage layout 7, this pincer supports up to 2; upgrade pincer");
  }
}

BOOST_AUTO_TEST_CASE(a_layout_1_store_keeps_its_records_readable_and_is_marked_layout_2) {
  test::temp_dir dir;
  auto path = dir.sub("events");
  open(path)->append({request("namespace/x", 0, {"a", "b"})});
  auto layout_of = [&] {
    std::string v;
    BOOST_REQUIRE(open_raw(path)->Get({}, keys::layout_key(), &v).ok());
    BOOST_REQUIRE_EQUAL(v.size(), 4u);
    return keys::be32(v.data());
  };
  {
    // What layout 1 wrote: the layout key 1, records of codec version 1
    // (zlib's CRC-32 over the same payload).
    auto db = open_raw(path);
    std::string layout;
    keys::put_be32(layout, 1);
    BOOST_REQUIRE(db->Put({}, keys::layout_key(), layout).ok());
    for (uint64_t seq : {1, 2}) {
      std::string v;
      BOOST_REQUIRE(db->Get({}, keys::log_key(seq), &v).ok());
      BOOST_REQUIRE(db->Put({}, keys::log_key(seq), test::as_codec_version_1(v)).ok());
    }
  }
  {
    auto reader = open(path, true);
    auto all = read_all(*reader);
    BOOST_REQUIRE_EQUAL(all.size(), 2u);
    BOOST_TEST((all[0].checksum_ok && all[1].checksum_ok));
  }
  BOOST_TEST(layout_of() == 1u); // a read-only open changes nothing
  {
    auto s = open(path);
    BOOST_REQUIRE(s->append({request("namespace/x", 2, {"c"})})[0]);
    auto all = read_all(*s);
    BOOST_REQUIRE_EQUAL(all.size(), 3u);
    for (const auto& r : all)
      BOOST_TEST(r.checksum_ok, "seq " << r.seq);
    BOOST_TEST(all[2].type == "c");
  }
  BOOST_TEST(layout_of() == 2u);
}

BOOST_AUTO_TEST_CASE(read_only_open_beside_an_open_writer_sees_the_data) {
  test::temp_dir dir;
  auto path = dir.sub("events");
  auto writer = open(path);
  BOOST_REQUIRE(writer->append({request("namespace/x", 0, {"a", "b"})})[0]);
  BOOST_REQUIRE(writer->commit_projection("audit", 2, {{"k", "v"}}));
  auto reader = open(path, true);
  BOOST_TEST(reader->last_seq() == 2u);
  BOOST_TEST(reader->stream_version("namespace/x") == 2u);
  BOOST_TEST(read_all(*reader).size() == 2u);
  BOOST_TEST(reader->checkpoint("audit") == 2u);
  auto refused = reader->append({request("namespace/x", 2, {"c"})});
  BOOST_REQUIRE(!refused[0]);
  BOOST_TEST(refused[0].err().code == ec::storage_failed);
  BOOST_TEST(!reader->put_key("dk", "m"));
  // The writer keeps working while the reader is open.
  BOOST_TEST(static_cast<bool>(writer->append({request("namespace/x", 2, {"c"})})[0]));
}

BOOST_AUTO_TEST_CASE(read_only_open_of_a_missing_folder_fails_without_creating_it) {
  test::temp_dir dir;
  auto path = dir.sub("nothing/here");
  auto res = open_rocksdb_store(path, rocksdb_options{true, true});
  BOOST_REQUIRE(!res);
  BOOST_TEST(res.err().code == ec::storage_failed);
  BOOST_TEST(!std::filesystem::exists(path));
}

BOOST_AUTO_TEST_CASE(a_corrupted_value_is_read_with_checksum_ok_false) {
  test::temp_dir dir;
  auto path = dir.sub("events");
  {
    auto s = open(path);
    BOOST_REQUIRE(s->append({request("namespace/x", 0, {"a", "b"})})[0]);
  }
  {
    auto db = open_raw(path);
    std::string v;
    BOOST_REQUIRE(db->Get({}, keys::log_key(2), &v).ok());
    v.back() ^= 0x20; // flips a byte of the data JSON
    BOOST_REQUIRE(db->Put({}, keys::log_key(2), v).ok());
  }
  auto s = open(path);
  auto all = read_all(*s);
  BOOST_REQUIRE_EQUAL(all.size(), 2u);
  BOOST_TEST(all[0].checksum_ok);
  BOOST_TEST(!all[1].checksum_ok);
  BOOST_TEST(all[1].seq == 2u);
  BOOST_TEST(all[1].type == "b");
  std::vector<bool> flags;
  BOOST_REQUIRE(s->read_stream("namespace/x", 0, [&](const record& r) {
    flags.push_back(r.checksum_ok);
    return true;
  }));
  BOOST_TEST((flags == std::vector<bool>{true, false}));
}

BOOST_AUTO_TEST_CASE(a_truncated_value_is_read_with_checksum_ok_false) {
  test::temp_dir dir;
  auto path = dir.sub("events");
  open(path)->append({request("namespace/x", 0, {"a"})});
  open_raw(path)->Put({}, keys::log_key(1), "\x01\x00");
  auto all = read_all(*open(path));
  BOOST_REQUIRE_EQUAL(all.size(), 1u);
  BOOST_TEST(all[0].seq == 1u);
  BOOST_TEST(!all[0].checksum_ok);
}

BOOST_AUTO_TEST_CASE(reads_far_behind_and_near_the_end_of_a_flushed_log_see_every_event) {
  test::temp_dir dir;
  auto path = dir.sub("events");
  constexpr uint64_t total = 20000; // more than a long scan's distance from the end
  {
    auto s = open(path);
    std::vector<append_request> batch;
    for (uint64_t i = 0; i < total; ++i)
      batch.push_back(request("namespace/n" + std::to_string(i), 0, {"a"}));
    for (auto& r : s->append(batch))
      BOOST_REQUIRE(r);
  }
  auto s = open(path); // reopened: the events are in table files
  for (uint64_t after : {uint64_t{0}, total - 16384, total - 16383, total - 10, total}) {
    uint64_t expected = after;
    BOOST_REQUIRE(s->read_all(after, [&](const record& r) {
      BOOST_REQUIRE_EQUAL(r.seq, expected + 1);
      BOOST_REQUIRE(r.checksum_ok);
      expected = r.seq;
      return true;
    }));
    BOOST_TEST(expected == total, "read after " << after);
  }
}

BOOST_AUTO_TEST_CASE(erased_key_material_is_not_left_in_the_data_files) {
  test::temp_dir dir;
  auto path = dir.sub("events");
  const std::string material = "MATERIAL-5f0c2a9e71d84b3c";
  {
    auto s = open(path);
    BOOST_REQUIRE(s->put_key("dk-1", material));
    BOOST_REQUIRE(s->put_key("dk-2", "kept"));
  }
  // Reopening flushes the recovered log into a table file.
  auto s = open(path);
  BOOST_REQUIRE(any_file_contains(path, material));
  BOOST_REQUIRE(s->erase_key("dk-1"));
  BOOST_TEST(!s->key("dk-1").has_value());
  BOOST_TEST(s->key("dk-2").value() == "kept");
  BOOST_TEST(!any_file_contains(path, material));
}

BOOST_AUTO_TEST_CASE(key_material_erased_before_any_flush_is_not_left_in_the_data_files) {
  test::temp_dir dir;
  auto path = dir.sub("events");
  const std::string material = "MATERIAL-0b7e4d2c95a1f368";
  auto s = open(path);
  BOOST_REQUIRE(s->put_key("dk-1", material));
  BOOST_REQUIRE(any_file_contains(path, material)); // in the write-ahead log
  BOOST_REQUIRE(s->erase_key("dk-1"));
  BOOST_TEST(!s->key("dk-1").has_value());
  BOOST_TEST(!any_file_contains(path, material));
}

BOOST_AUTO_TEST_SUITE_END()

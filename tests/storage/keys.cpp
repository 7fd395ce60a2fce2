#include "storage/keys.hpp"

#include <algorithm>

#include <boost/test/unit_test.hpp>
#include "storage/crc32c.hpp"
#include "tests/storage/legacy_record.hpp"

using namespace pincer;

namespace {

/// Bytewise (unsigned) order, as RocksDB's default comparator sorts keys.
bool before(const std::string& a, const std::string& b) {
  return a.compare(b) < 0;
}

record sample() {
  record r;
  r.stream = "namespace/reporting";
  r.stream_version = 42;
  r.type = "namespace.created";
  r.schema_version = 3;
  r.at = 1773568800123;
  r.actor = "key:abcdef12";
  r.request_id = "b9b1c1a2-0000-4000-8000-000000000000";
  r.data = R"({"name":"reporting","folder":"groups/reporting"})";
  return r;
}

} // namespace

BOOST_AUTO_TEST_SUITE(storage_keys)

BOOST_AUTO_TEST_CASE(crc32c_gives_the_standard_check_value) {
  const std::string check = "123456789";
  BOOST_TEST(crc32c::software(check.data(), check.size()) == 0xE3069283u);
  BOOST_TEST(crc32c::compute(check.data(), check.size()) == 0xE3069283u);
  BOOST_TEST(crc32c::software("", 0) == 0u);
}

BOOST_AUTO_TEST_CASE(crc32c_hardware_and_software_agree_on_every_length_and_alignment) {
  if (!crc32c::hardware_available()) {
    BOOST_TEST_MESSAGE("no SSE4.2 on this CPU: compute() is the software path");
    BOOST_TEST(crc32c::compute("abc", 3) == crc32c::software("abc", 3));
    return;
  }
  std::string buf(300, '\0');
  for (size_t i = 0; i < buf.size(); ++i)
    buf[i] = static_cast<char>((i * 131 + 7) & 0xff);
  for (size_t offset = 0; offset < 8; ++offset)
    for (size_t n = 0; n + offset <= buf.size(); n += (n < 40 ? 1 : 37))
      BOOST_TEST(crc32c::hardware(buf.data() + offset, n)
                   == crc32c::software(buf.data() + offset, n),
                 "offset " << offset << " length " << n);
}

BOOST_AUTO_TEST_CASE(records_are_written_with_the_current_codec_version) {
  std::string v;
  keys::encode_record(sample(), v);
  BOOST_REQUIRE(!v.empty());
  BOOST_TEST(static_cast<int>(static_cast<uint8_t>(v[0])) == 2);
  BOOST_TEST(keys::be32(v.data() + 1) == crc32c::compute(v.data() + 5, v.size() - 5));
}

BOOST_AUTO_TEST_CASE(version_1_records_still_decode_with_their_own_checksum) {
  std::string v2;
  keys::encode_record(sample(), v2);
  auto v1 = test::as_codec_version_1(v2);
  BOOST_REQUIRE(v1 != v2);
  record out;
  BOOST_REQUIRE(keys::decode_record(v1, out));
  BOOST_TEST(out.checksum_ok);
  BOOST_TEST(out.type == sample().type);
  BOOST_TEST(out.data == sample().data);
  auto bad = v1;
  bad.back() ^= 0x01;
  BOOST_REQUIRE(keys::decode_record(bad, out));
  BOOST_TEST(!out.checksum_ok);
  // A version 1 header over a CRC-32C sum is not accepted either.
  auto mixed = v2;
  mixed[0] = 1;
  BOOST_REQUIRE(keys::decode_record(mixed, out));
  BOOST_TEST(!out.checksum_ok);
}

BOOST_AUTO_TEST_CASE(unknown_codec_versions_are_malformed) {
  std::string v;
  keys::encode_record(sample(), v);
  for (int version : {0, 3, 255}) {
    auto bad = v;
    bad[0] = static_cast<char>(version);
    record out;
    out.checksum_ok = true;
    BOOST_TEST(!keys::decode_record(bad, out), "version " << version);
    BOOST_TEST(!out.checksum_ok);
  }
}

BOOST_AUTO_TEST_CASE(log_keys_sort_bytewise_in_numeric_order) {
  std::vector<uint64_t> nums{0, 1, 2, 255, 256, 257, 65535, 65536, 1ull << 32,
                             (1ull << 32) + 1, 1ull << 56, 1ull << 63, UINT64_MAX};
  for (size_t i = 0; i + 1 < nums.size(); ++i) {
    BOOST_TEST(before(keys::log_key(nums[i]), keys::log_key(nums[i + 1])));
    BOOST_TEST(keys::be64(keys::log_key(nums[i]).data() + 1) == nums[i]);
  }
  BOOST_TEST(keys::log_key(1).size() == 9u);
  BOOST_TEST(keys::log_key(1)[0] == 'L');
}

BOOST_AUTO_TEST_CASE(stream_keys_sort_by_version_and_never_interleave_between_streams) {
  std::vector<std::string> ks{keys::stream_key("a/b", 1),   keys::stream_key("a", 256),
                              keys::stream_key("a", 1),     keys::stream_key("ab", 1),
                              keys::stream_key("a", 2),     keys::stream_key("a/b", 300)};
  std::sort(ks.begin(), ks.end());
  std::vector<std::string> expected{keys::stream_key("a", 1),   keys::stream_key("a", 2),
                                    keys::stream_key("a", 256), keys::stream_key("a/b", 1),
                                    keys::stream_key("a/b", 300), keys::stream_key("ab", 1)};
  BOOST_TEST((ks == expected));
  auto prefix = keys::stream_index_prefix("a");
  BOOST_TEST(before(keys::stream_key("a", UINT64_MAX), keys::prefix_end(prefix)));
  BOOST_TEST(before(keys::prefix_end(prefix), keys::stream_key("a/b", 0)));
}

BOOST_AUTO_TEST_CASE(prefixes_keep_each_kind_of_key_apart) {
  BOOST_TEST(before(keys::log_key(UINT64_MAX), keys::layout_key()));
  BOOST_TEST(keys::checkpoint_key("audit")[0] == 'C');
  BOOST_TEST(keys::row_key("audit", "r1") == std::string("Paudit\0r1", 9));
  BOOST_TEST(keys::key_store_key("dk") == "Kdk");
  BOOST_TEST(keys::layout_key() == "Mlayout");
}

BOOST_AUTO_TEST_CASE(prefix_end_increments_the_last_byte_below_ff) {
  BOOST_TEST(keys::prefix_end("ab") == "ac");
  BOOST_TEST(keys::prefix_end(std::string("a\xff", 2)) == "b");
  BOOST_TEST(keys::prefix_end(std::string("\xff\xff", 2)).empty());
  BOOST_TEST(keys::prefix_end(std::string("a\0", 2)) == std::string("a\1", 2));
}

BOOST_AUTO_TEST_CASE(a_record_round_trips_through_the_codec) {
  auto r = sample();
  std::string v;
  keys::encode_record(r, v);
  record out;
  out.seq = 9;
  BOOST_REQUIRE(keys::decode_record(v, out));
  BOOST_TEST(out.checksum_ok);
  BOOST_TEST(out.seq == 9u);
  BOOST_TEST(out.stream == r.stream);
  BOOST_TEST(out.stream_version == r.stream_version);
  BOOST_TEST(out.type == r.type);
  BOOST_TEST(out.schema_version == r.schema_version);
  BOOST_TEST(out.at == r.at);
  BOOST_TEST(out.actor == r.actor);
  BOOST_TEST(out.request_id == r.request_id);
  BOOST_TEST(out.data == r.data);
}

BOOST_AUTO_TEST_CASE(empty_strings_negative_times_and_long_fields_round_trip) {
  record r;
  r.at = -5;
  r.stream = std::string(300, 's');
  r.data = std::string(70000, 'd');
  std::string v;
  keys::encode_record(r, v);
  record out;
  BOOST_REQUIRE(keys::decode_record(v, out));
  BOOST_TEST(out.checksum_ok);
  BOOST_TEST(out.at == -5);
  BOOST_TEST(out.stream == r.stream);
  BOOST_TEST(out.type.empty());
  BOOST_TEST(out.data.size() == 70000u);
}

BOOST_AUTO_TEST_CASE(any_flipped_byte_fails_the_checksum_or_the_decode) {
  std::string v;
  keys::encode_record(sample(), v);
  for (size_t i = 0; i < v.size(); ++i) {
    auto bad = v;
    bad[i] ^= 0x01;
    record out;
    auto ok = keys::decode_record(bad, out);
    BOOST_TEST(!(ok && out.checksum_ok), "byte " << i);
  }
}

BOOST_AUTO_TEST_CASE(truncated_values_are_malformed) {
  std::string v;
  keys::encode_record(sample(), v);
  record out;
  BOOST_TEST(!keys::decode_record(std::string_view{v}.substr(0, 10), out));
  BOOST_TEST(!out.checksum_ok);
  BOOST_TEST(!keys::decode_record({}, out));
}

BOOST_AUTO_TEST_SUITE_END()

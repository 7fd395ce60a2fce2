#include "storage/files.hpp"

#include <filesystem>

#include <boost/test/unit_test.hpp>

#include "tests/support/temp_dir.hpp"

using namespace pincer;

BOOST_AUTO_TEST_SUITE(storage_files)

BOOST_AUTO_TEST_CASE(read_file_returns_what_write_file_atomic_wrote_of_any_size) {
  test::temp_dir dir;
  // Empty, one byte, and larger than one read() of the reader.
  for (size_t size : {size_t{0}, size_t{1}, size_t{8192}, size_t{100000}}) {
    std::string content(size, 'x');
    for (size_t i = 0; i < size; ++i)
      content[i] = static_cast<char>('a' + i % 26);
    auto path = dir.sub("f/" + std::to_string(size) + ".md");
    BOOST_REQUIRE(write_file_atomic(path, content));
    auto read = read_file(path);
    BOOST_REQUIRE(read.has_value());
    BOOST_TEST(read->size() == size);
    BOOST_TEST((*read == content));
  }
}

BOOST_AUTO_TEST_CASE(read_file_of_a_missing_file_or_a_folder_is_empty_handed) {
  test::temp_dir dir;
  BOOST_TEST(!read_file(dir.sub("missing.md")).has_value());
  std::filesystem::create_directories(dir.sub("folder"));
  BOOST_TEST(!read_file(dir.sub("folder")).has_value());
}

BOOST_AUTO_TEST_SUITE_END()

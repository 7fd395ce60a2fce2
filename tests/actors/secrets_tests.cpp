#include "actors/secrets.hpp"

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>

#include <boost/test/unit_test.hpp>

#include "events/sealed.hpp"
#include "tests/support/temp_dir.hpp"

using namespace pincer;
using namespace pincer::test;

namespace {

/// Runs with `PINCER_MASTER_KEY` set (or unset for nullptr), restoring it.
struct master_env {
  explicit master_env(const char* value) {
    if (auto old = std::getenv("PINCER_MASTER_KEY"))
      saved = old;
    if (value)
      ::setenv("PINCER_MASTER_KEY", value, 1);
    else
      ::unsetenv("PINCER_MASTER_KEY");
  }
  ~master_env() {
    if (saved)
      ::setenv("PINCER_MASTER_KEY", saved->c_str(), 1);
    else
      ::unsetenv("PINCER_MASTER_KEY");
  }
  std::optional<std::string> saved;
};

struct secrets_fixture {
  std::shared_ptr<event_store> store{make_memory_store()};
  secret_box box{store, std::string(secret_key_size, '\x42')};
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(actors_secrets, secrets_fixture)

BOOST_AUTO_TEST_CASE(a_sealed_secret_opens_for_its_owner_only) {
  auto sealed = box.seal("credential-proxy/a", "sk-ant-very-secret");
  BOOST_TEST_REQUIRE(bool(sealed));
  BOOST_TEST(is_sealed(*sealed));
  BOOST_TEST((*sealed)["sealed"] == "aes-256-gcm");
  BOOST_TEST(sealed->dump().find("very-secret") == std::string::npos);
  auto opened = box.open("credential-proxy/a", *sealed);
  BOOST_TEST_REQUIRE(bool(opened));
  BOOST_TEST(*opened == "sk-ant-very-secret");
  BOOST_TEST(!box.open("credential-proxy/b", *sealed));
  box.seal("credential-proxy/b", "other");
  BOOST_TEST(!box.open("credential-proxy/b", *sealed)); // another key, another owner
}

BOOST_AUTO_TEST_CASE(sealing_twice_gives_different_ciphertexts_with_one_data_key) {
  auto a = box.seal("o", "same");
  auto b = box.seal("o", "same");
  BOOST_TEST((*a)["data"] != (*b)["data"]);
  BOOST_TEST(*box.open("o", *a) == "same");
  BOOST_TEST(*box.open("o", *b) == "same");
  auto wrapped = store->key(secret_box::key_id("o"));
  BOOST_TEST_REQUIRE(wrapped.has_value());
  BOOST_TEST(wrapped->size() == 12u + 32u + 16u);
}

BOOST_AUTO_TEST_CASE(a_tampered_secret_does_not_open) {
  auto sealed = *box.seal("o", "secret value");
  auto data = sealed["data"].get<std::string>();
  data[0] = data[0] == 'A' ? 'B' : 'A';
  auto bad = sealed;
  bad["data"] = data;
  BOOST_TEST(!box.open("o", bad));
  BOOST_TEST(!box.open("o", json{{"sealed", "aes-256-gcm"}}));
  BOOST_TEST(!box.open("o", json("plain")));
}

BOOST_AUTO_TEST_CASE(forgetting_an_owner_makes_every_copy_unreadable) {
  auto sealed = *box.seal("o", "secret value");
  BOOST_TEST(box.knows("o"));
  BOOST_TEST_REQUIRE(bool(box.forget("o")));
  BOOST_TEST(!box.knows("o"));
  auto opened = box.open("o", sealed);
  BOOST_TEST_REQUIRE(!opened);
  BOOST_TEST((opened.err().code == ec::not_found));
  BOOST_TEST(bool(box.forget("o"))); // idempotent
  // A new secret of the same owner gets a new key; the old copy stays shut.
  box.seal("o", "new");
  BOOST_TEST(!box.open("o", sealed));
}

BOOST_AUTO_TEST_CASE(another_master_key_cannot_open_the_data_keys) {
  auto sealed = *box.seal("o", "secret value");
  secret_box other{store, std::string(secret_key_size, '\x43')};
  BOOST_TEST(!other.open("o", sealed));
}

BOOST_AUTO_TEST_CASE(display_forms_show_sealed_values_as_redacted) {
  envelope e;
  e.type = "proxy.mapping_added";
  e.data = json{{"name", "n"}, {"credential", *box.seal("o", "xyz")}, {"list", {*box.seal("o", "q")}}};
  auto shown = to_json(e);
  BOOST_TEST(shown["data"]["credential"] == "[redacted]");
  BOOST_TEST(shown["data"]["list"][0] == "[redacted]");
  BOOST_TEST(shown["data"]["name"] == "n");
  record r;
  r.data = e.data.dump();
  BOOST_TEST(to_json(r)["data"]["credential"] == "[redacted]");
}

BOOST_AUTO_TEST_CASE(the_master_key_file_is_created_once_with_mode_0600) {
  master_env env{nullptr};
  temp_dir dir;
  auto data = dir.sub("data");
  auto first = load_master_key(data);
  BOOST_TEST_REQUIRE(bool(first));
  BOOST_TEST(first->size() == secret_key_size);
  struct stat st {};
  BOOST_TEST_REQUIRE(::stat((data + "/master.key").c_str(), &st) == 0);
  BOOST_TEST((st.st_mode & 0777) == 0600u);
  auto second = load_master_key(data);
  BOOST_TEST_REQUIRE(bool(second));
  BOOST_TEST(*first == *second);
  std::ofstream{data + "/master.key"} << "not a key\n";
  BOOST_TEST(!load_master_key(data));
}

BOOST_AUTO_TEST_CASE(the_master_key_comes_from_the_environment_when_set) {
  temp_dir dir;
  {
    master_env env{"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"};
    auto key = load_master_key(dir.sub("data"));
    BOOST_TEST_REQUIRE(bool(key));
    BOOST_TEST(static_cast<int>((*key)[31]) == 0x1f);
    BOOST_TEST(!std::filesystem::exists(dir.sub("data") + "/master.key"));
  }
  {
    master_env env{"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="};
    auto key = load_master_key(dir.sub("data"));
    BOOST_TEST_REQUIRE(bool(key));
    BOOST_TEST(static_cast<int>((*key)[31]) == 0x1f);
  }
  {
    master_env env{"too-short"};
    auto key = load_master_key(dir.sub("data"));
    BOOST_TEST_REQUIRE(!key);
    BOOST_TEST((key.err().code == ec::validation_failed));
  }
}

BOOST_AUTO_TEST_SUITE_END()

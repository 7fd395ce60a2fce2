#include <fstream>

#include <boost/test/unit_test.hpp>
#include <openssl/sha.h>

#include "tests/e2e/fixture.hpp"

using namespace pincer::e2e;

namespace {

/// `key:` and the first 8 hex characters of the key's SHA-256.
std::string fingerprint(const std::string& key) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(key.data()), key.size(), digest);
  static constexpr char hex[] = "0123456789abcdef";
  std::string out = "key:";
  for (int i = 0; i < 4; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 0x0f];
  }
  return out;
}

/// A server started with `PINCER_API_KEYS=k1,k2`.
struct keyed_fixture {
  keyed_fixture() {
    server = server_process::serve(dir.sub("data"), {}, {{"PINCER_API_KEYS", "k1, k2"}});
    client = std::make_unique<http_client>(server->base_url());
  }

  scratch_dir dir;
  std::unique_ptr<server_process> server;
  std::unique_ptr<http_client> client;
};

} // namespace

BOOST_AUTO_TEST_SUITE(e2e_auth)

BOOST_FIXTURE_TEST_CASE(requests_without_a_valid_key_are_unauthorized, keyed_fixture) {
  auto body = json{{"name", "alpha"}};
  check_error(client->get(namespaces), 401, "unauthorized");
  check_error(client->post(namespaces, body), 401, "unauthorized");
  check_error(client->post(namespaces, body, {"X-API-Key: k3"}), 401, "unauthorized");
  check_error(client->post(namespaces, body, {"X-API-Key: K1"}), 401, "unauthorized");
  check_error(client->post(namespaces, body, {"X-API-Key: k1 k2"}), 401, "unauthorized");
  check_error(client->get(api + "/container/audit-log", {"X-API-Key:  "}), 401,
              "unauthorized");
  check_error(client->get(api + "/events/stream?after=0"), 401, "unauthorized");
  // Unknown paths and wrong methods do not reveal anything without a key.
  check_error(client->get(api + "/nope"), 401, "unauthorized");
  check_error(client->request("DELETE", namespaces), 401, "unauthorized");
  auto health = client->get(api + "/health");
  BOOST_TEST(health.status == 200);
  BOOST_TEST(health.json_body()["lastEventSeq"] == 0);
}

BOOST_FIXTURE_TEST_CASE(every_configured_key_works_and_the_audit_log_names_its_fingerprint,
                        keyed_fixture) {
  auto res = client->post(namespaces, json{{"name", "alpha"}}, {"X-API-Key: k2"});
  BOOST_TEST_REQUIRE(res.status == 201, res.body);
  res = client->post(namespaces, json{{"name", "beta"}}, {"X-API-Key: k1"});
  BOOST_TEST_REQUIRE(res.status == 201, res.body);
  client->default_headers({"X-API-Key: k1"});
  auto items = client->get(api + "/container/audit-log").json_body()["items"];
  BOOST_TEST_REQUIRE(items.size() == 2u);
  BOOST_TEST(items[0]["resource"] == "namespace/beta");
  BOOST_TEST(items[0]["actor"] == fingerprint("k1"));
  BOOST_TEST(items[1]["resource"] == "namespace/alpha");
  BOOST_TEST(items[1]["actor"] == fingerprint("k2"));
  BOOST_TEST(fingerprint("k1") != fingerprint("k2"));
  auto events = client->get(api + "/events?after=0").json_body()["items"];
  BOOST_TEST_REQUIRE(events.size() == 2u);
  BOOST_TEST(events[0]["actor"] == fingerprint("k2"));
  // The key itself appears nowhere in the answers or the server's output.
  auto text = items.dump() + events.dump();
  BOOST_TEST(text.find("\"k1\"") == std::string::npos);
  BOOST_TEST(text.find("\"k2\"") == std::string::npos);
  auto filtered = client->get(api + "/container/audit-log?actor=" + fingerprint("k2"));
  BOOST_TEST(filtered.json_body()["items"].size() == 1u);
}

BOOST_AUTO_TEST_CASE(keys_from_an_api_key_file_work) {
  scratch_dir dir;
  auto file = dir.sub("keys.txt");
  std::ofstream{file} << "# operators\nfile-key-1\n\n  file-key-2  \n";
  auto server = server_process::serve(dir.sub("data"), {"--api-key-file", file});
  http_client client{server->base_url()};
  check_error(client.get(namespaces), 401, "unauthorized");
  check_error(client.get(namespaces, {"X-API-Key: # operators"}), 401, "unauthorized");
  BOOST_TEST(client.get(namespaces, {"X-API-Key: file-key-1"}).status == 200);
  BOOST_TEST(client.get(namespaces, {"X-API-Key: file-key-2"}).status == 200);
  BOOST_TEST(server->stop() == 0);
}

BOOST_AUTO_TEST_CASE(the_server_refuses_a_public_address_without_a_key) {
  scratch_dir dir;
  auto res = run_pincer({"serve", "--host", "0.0.0.0", "--port", "0", "--data-dir",
                         dir.sub("data")},
                        {}, std::chrono::seconds{20});
  BOOST_TEST(res.exit_code != 0);
  BOOST_TEST(res.exit_code != -1, "pincer serve kept running on 0.0.0.0 without a key");
  BOOST_TEST(res.output.find("refusing") != std::string::npos, res.output);
  BOOST_TEST(res.output.find("pincer listening") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_server_listens_on_a_public_address_with_a_key) {
  scratch_dir dir;
  server_process server{{"serve", "--host", "0.0.0.0", "--port", "0", "--data-dir",
                         dir.sub("data")},
                        {{"PINCER_API_KEYS", "k1"}}};
  BOOST_TEST_REQUIRE(server.wait_listening(std::chrono::seconds{20}), server.output());
  http_client client{server.base_url()};
  check_error(client.get(namespaces), 401, "unauthorized");
  BOOST_TEST(client.get(namespaces, {"X-API-Key: k1"}).status == 200);
  BOOST_TEST(server.stop() == 0);
}

BOOST_AUTO_TEST_SUITE_END()

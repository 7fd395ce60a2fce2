// The credential proxy through the real server: the API, the listener,
// secrets at rest, and a real container calling it through the host gateway.

#include <cstdio>
#include <fstream>
#include <random>
#include <set>

#include <boost/asio/ip/tcp.hpp>

#include "actors/proxy_listener.hpp"
#include "actors/proxy_state.hpp"
#include "actors/secrets.hpp"
#include "events/proxy_events.hpp"
#include "tests/e2e/fixture.hpp"
#include "tests/support/upstream_server.hpp"

using namespace pincer;
using namespace pincer::e2e;

namespace {

const std::string proxy_api = api + "/container/credential-proxy";

uint16_t free_port() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor a{io, {boost::asio::ip::make_address("127.0.0.1"), 0}};
  return a.local_endpoint().port();
}

/// A credential nobody else uses, so a byte scan cannot match by chance.
std::string unique_credential() {
  std::random_device rd;
  char buf[64];
  std::snprintf(buf, sizeof buf, "sk-ant-%08x%08x-unique", rd(), rd());
  return buf;
}

/// A kB-sized field from /proc/<pid>/status (VmRSS, VmHWM).
long proc_kb(pid_t pid, const std::string& field) {
  std::ifstream in{"/proc/" + std::to_string(pid) + "/status"};
  for (std::string line; std::getline(in, line);)
    if (line.rfind(field + ":", 0) == 0)
      return std::stol(line.substr(field.size() + 1));
  return -1;
}

/// Whether any file under `dir` contains `needle`.
std::vector<std::string> files_containing(const std::string& dir, const std::string& needle) {
  std::vector<std::string> out;
  for (auto& entry : std::filesystem::recursive_directory_iterator{dir}) {
    if (!entry.is_regular_file())
      continue;
    auto text = file_text(entry.path());
    if (text.find(needle) != std::string::npos)
      out.push_back(entry.path().string());
  }
  return out;
}

struct proxy_fixture : server_fixture {
  test::upstream_server upstream;
  uint16_t proxy_port = free_port();

  proxy_fixture() : server_fixture(deferred_start{}) {
    start({"--proxy-host", "127.0.0.1", "--proxy-port", std::to_string(proxy_port)});
  }

  json add(const std::string& name, const std::string& credential,
           const std::string& type = "api_key") {
    auto res = client->post(proxy_api + "/mappings", json{{"name", name},
                                                          {"upstreamUrl", upstream.url()},
                                                          {"credentialType", type},
                                                          {"credential", credential}});
    BOOST_TEST_REQUIRE(res.status == 201, res.body);
    return res.json_body();
  }

  json start_proxy() {
    auto res = client->request("POST", proxy_api + "/start", "", {"Content-Type:"});
    BOOST_TEST_REQUIRE(res.status == 200, res.body);
    return res.json_body();
  }

  /// A client for the proxy listener itself.
  http_client proxy_client(uint16_t port) {
    return http_client{"http://127.0.0.1:" + std::to_string(port)};
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(e2e_proxy, proxy_fixture)

BOOST_AUTO_TEST_CASE(mappings_start_stop_and_status_work_over_the_api) {
  auto status = get_ok(proxy_api + "/status");
  BOOST_TEST(status["running"] == false);
  BOOST_TEST(status["host"] == "127.0.0.1");
  BOOST_TEST(status["port"] == proxy_port);
  auto m = add("Anthropic API", "sk-ant-api");
  auto id = m["id"].get<std::string>();
  BOOST_TEST(m.size() == 4u);
  BOOST_TEST(m["proxyPath"] == "/m/" + id);
  check_error(client->post(proxy_api + "/mappings",
                           json{{"name", "anthropic api"}, {"upstreamUrl", upstream.url()},
                                {"credentialType", "bearer"}, {"credential", "x"}}),
              409, "conflict");
  auto started = start_proxy();
  BOOST_TEST(started["running"] == true);
  BOOST_TEST(start_proxy()["startedAt"] == started["startedAt"]);
  auto pc = proxy_client(proxy_port);
  auto res = pc.get("/m/" + id + "/v1/models?beta=true",
                    {"x-api-key: CREDENTIAL_PROXY_PLACEHOLDER", "Connection: keep-alive"});
  BOOST_TEST(res.status == 200);
  BOOST_TEST(upstream.last().target == "/v1/models?beta=true");
  BOOST_TEST(upstream.last().header("x-api-key").value_or("") == "sk-ant-api");
  BOOST_TEST(pc.get("/m/00000000-0000-4000-8000-000000000000/x").status == 404);
  status = get_ok(proxy_api + "/status");
  BOOST_TEST(status["requestsServed"] == 2);
  BOOST_TEST(status["mappings"][0]["requestsServed"] == 1);
  BOOST_TEST(status.dump().find("sk-ant-api") == std::string::npos);
  auto stopped = client->request("POST", proxy_api + "/stop", "{}");
  BOOST_TEST(stopped.status == 200);
  BOOST_TEST(stopped.json_body()["running"] == false);
  BOOST_TEST(client->request("POST", proxy_api + "/stop", "", {"Content-Type:"}).status == 200);
  BOOST_TEST(pc.get("/m/" + id + "/x").status == 0);
  BOOST_TEST(client->del(proxy_api + "/mappings/" + id).status == 204);
  check_error(client->del(proxy_api + "/mappings/" + id), 404, "not_found");
  auto audit = audit_items(1000);
  std::set<std::string> actions;
  for (auto& item : audit) {
    actions.insert(item["action"].get<std::string>());
    BOOST_TEST(item.dump().find("sk-ant-api") == std::string::npos);
  }
  for (auto a : {"proxy.started", "proxy.stopped", "proxy.mapping_added", "proxy.mapping_removed"})
    BOOST_TEST(actions.count(a) == 1u, a);
}

BOOST_AUTO_TEST_CASE(bad_input_on_every_endpoint_is_refused_and_changes_nothing) {
  add("Existing", "sk-1");
  auto before = last_seq();
  auto good = json{{"name", "New"}, {"upstreamUrl", upstream.url()},
                   {"credentialType", "api_key"}, {"credential", "c"}};
  auto with = [&](const std::string& key, json value) {
    auto b = good;
    if (value.is_null())
      b.erase(key);
    else
      b[key] = value;
    return b;
  };
  struct bad_case {
    json body;
    std::string field;
  };
  std::vector<bad_case> cases{
    {with("upstreamUrl", "ftp://example.com"), "upstreamUrl"},
    {with("upstreamUrl", "javascript:alert(1)"), "upstreamUrl"},
    {with("upstreamUrl", nullptr), "upstreamUrl"},
    {with("credential", nullptr), "credential"},
    {with("credential", ""), "credential"},
    {with("credential", "a\r\nX-Injected: 1"), "credential"},
    {with("credentialType", "oauth"), "credentialType"},
    {with("credentialType", "header"), "headerName"},
    {with("name", "x\r\nSet-Cookie: a=b"), "name"},
    {with("name", nullptr), "name"},
    {with("name", 12), "name"}};
  auto header = with("credentialType", "header");
  header["headerName"] = "X-Key\r\nX-Evil: 1";
  cases.push_back({header, "headerName"});
  header["headerName"] = "Bad Name";
  cases.push_back({header, "headerName"});
  for (auto& c : cases)
    BOOST_TEST_CONTEXT(c.body.dump()) {
      check_error(client->post(proxy_api + "/mappings", c.body), 400, "validation_failed",
                  c.field);
    }
  for (auto port : {json(0), json(70000), json("3001"), json(-5), json(nullptr)})
    BOOST_TEST_CONTEXT(port.dump()) {
      check_error(client->put(proxy_api + "/port", json{{"port", port}}), 400,
                  "validation_failed", "port");
    }
  check_error(client->request("POST", proxy_api + "/mappings", "{nope"), 400, "invalid_json");
  check_error(client->request("PUT", proxy_api + "/port", "[1]"), 400, "invalid_json");
  check_error(client->del(proxy_api + "/mappings/unknown-id"), 404, "not_found");
  check_error(client->get(proxy_api + "/mappings"), 405, "method_not_allowed");
  BOOST_TEST(last_seq() == before);
  BOOST_TEST(get_ok(proxy_api + "/status")["mappings"].size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_port_change_and_a_restart_keep_the_proxy_running) {
  auto id = add("Svc", "sk-restart")["id"].get<std::string>();
  start_proxy();
  auto next = free_port();
  auto r = client->put(proxy_api + "/port", json{{"port", next}});
  BOOST_TEST_REQUIRE(r.status == 200, r.body);
  BOOST_TEST(r.json_body()["port"] == next);
  BOOST_TEST(proxy_client(proxy_port).get("/m/" + id + "/a").status == 0);
  BOOST_TEST(proxy_client(next).get("/m/" + id + "/a").status == 200);
  stop();
  start({"--proxy-host", "127.0.0.1", "--proxy-port", std::to_string(proxy_port)});
  auto status = get_ok(proxy_api + "/status");
  BOOST_TEST(status["running"] == true);
  BOOST_TEST(status["port"] == next); // the PUT outlives the command-line default
  BOOST_TEST(proxy_client(next).get("/m/" + id + "/b").status == 200);
  BOOST_TEST(upstream.last().header("x-api-key").value_or("") == "sk-restart");
}

BOOST_AUTO_TEST_CASE(a_50_mib_upload_streams_through_with_bounded_memory) {
  auto id = add("Big", "sk-big")["id"].get<std::string>();
  start_proxy();
  auto pc = proxy_client(proxy_port);
  BOOST_TEST(pc.post("/m/" + id + "/warm", json{{"x", 1}}).status == 200);
  auto hwm_before = proc_kb(server->pid(), "VmHWM");
  std::string body(50 * 1024 * 1024, 'z');
  pc.timeout(std::chrono::seconds{120});
  auto res = pc.request("POST", "/m/" + id + "/upload", body,
                        {"Content-Type: application/octet-stream"});
  BOOST_TEST(res.status == 200, res.body);
  BOOST_TEST(res.body == "{\"ok\":true,\"bytes\":52428800}");
  BOOST_TEST(upstream.last().body_bytes == 52428800u);
  auto hwm_after = proc_kb(server->pid(), "VmHWM");
  BOOST_TEST_MESSAGE("server VmHWM " << hwm_before << " kB -> " << hwm_after << " kB");
  BOOST_TEST(hwm_after - hwm_before < 8 * 1024); // far below the 50 MiB body
}

BOOST_AUTO_TEST_CASE(credentials_are_encrypted_at_rest_and_shredded_on_delete) {
  auto credential = unique_credential();
  auto id = add("Secret", credential)["id"].get<std::string>();
  // The display forms show only [redacted].
  auto events = get_ok(api + "/events?after=0&stream=credential-proxy/");
  BOOST_TEST_REQUIRE(events["items"].size() == 1u);
  BOOST_TEST(events["items"][0]["data"]["credential"] == "[redacted]");
  stop();
  auto dump = run_pincer({"events", "dump", "--data-dir", data});
  BOOST_TEST(dump.exit_code == 0);
  BOOST_TEST(dump.output.find("[redacted]") != std::string::npos);
  BOOST_TEST(dump.output.find(credential) == std::string::npos);
  BOOST_TEST(dump.output.find("aes-256-gcm") == std::string::npos);
  BOOST_TEST(files_containing(data, credential).empty());
  // The ciphertext in the log opens with the key store while the mapping lives...
  auto sealed_copy = [&] {
    auto store = open_rocksdb_store(data + "/events", rocksdb_options{true, true});
    BOOST_TEST_REQUIRE(bool(store));
    json sealed;
    (*store)->read_stream(proxy_mapping_stream(id), 0, [&](const record& r) {
      if (r.type == event_types::proxy_mapping_added)
        sealed = json::parse(r.data)["credential"];
      return true;
    });
    auto key = load_master_key(data);
    BOOST_TEST_REQUIRE(bool(key));
    secret_box box{std::shared_ptr<event_store>{std::move(*store)}, *key};
    return box.open(proxy_mapping_stream(id), sealed);
  };
  auto opened = sealed_copy();
  BOOST_TEST_REQUIRE(bool(opened));
  BOOST_TEST(*opened == credential);
  // ... and never again once it is deleted.
  start({"--proxy-host", "127.0.0.1", "--proxy-port", std::to_string(proxy_port)});
  BOOST_TEST(client->del(proxy_api + "/mappings/" + id).status == 204);
  stop();
  auto after = sealed_copy();
  BOOST_TEST_REQUIRE(!after);
  BOOST_TEST((after.err().code == ec::not_found));
  BOOST_TEST(files_containing(data, credential).empty());
}

BOOST_AUTO_TEST_CASE(a_container_reaches_the_proxy_and_sees_only_the_placeholder) {
  auto bridge = container_bridge_address();
  if (bridge.empty() || std::system("podman --version > /dev/null 2>&1") != 0) {
    BOOST_TEST_MESSAGE("no container bridge or podman: skipped");
    return;
  }
  if (!std::getenv("CONTAINERS_CONF") || !*std::getenv("CONTAINERS_CONF")) {
    static scratch_dir folder;
    auto file = folder.sub("containers.conf");
    auto cmd = std::string{PINCER_SOURCE_DIR} + "/scripts/podman.sh conf " + file;
    BOOST_TEST_REQUIRE(std::system(cmd.c_str()) == 0);
    ::setenv("CONTAINERS_CONF", file.c_str(), 1);
  }
  // Default bind host: the bridge address.
  stop();
  start({"--proxy-port", std::to_string(proxy_port)});
  auto credential = unique_credential();
  auto created = client->post(proxy_api + "/mappings",
                              json{{"name", "Anthropic API"},
                                   {"upstreamUrl", upstream.url()},
                                   {"credentialType", "api_key"},
                                   {"credential", credential}});
  BOOST_TEST_REQUIRE(created.status == 201, created.body);
  auto status = start_proxy();
  BOOST_TEST(status["host"] == bridge);
  // The variables a run gets (the queue asks the proxy actor the same way).
  std::vector<proxy_mapping> mappings(1);
  mappings[0].id = created.json_body()["id"];
  mappings[0].name = "Anthropic API";
  mappings[0].upstream_url = upstream.url();
  mappings[0].credential_type = "api_key";
  auto env = proxy_container_env(mappings, "host.containers.internal", proxy_port);
  std::string args;
  for (auto& [k, v] : env)
    args += " -e " + k + "=" + v;
  auto cmd = "podman run --rm --network=podman --entrypoint /bin/sh" + args
             + " localhost/pincer-agent-test -c "
               "'wget -q -O - --header \"x-api-key: $ANTHROPIC_API_KEY\" "
               "\"$ANTHROPIC_BASE_URL/v1/messages\"; echo; echo ENV; env' 2>&1";
  std::string output;
  auto* pipe = ::popen(cmd.c_str(), "r");
  BOOST_TEST_REQUIRE(pipe != nullptr);
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;)
    output.append(buf, n);
  auto rc = ::pclose(pipe);
  BOOST_TEST_MESSAGE(output);
  BOOST_TEST(rc == 0);
  BOOST_TEST(output.find("{\"ok\":true") != std::string::npos);
  BOOST_TEST(output.find("ANTHROPIC_API_KEY=CREDENTIAL_PROXY_PLACEHOLDER") != std::string::npos);
  BOOST_TEST(output.find("ANTHROPIC_BASE_URL=http://host.containers.internal:") != std::string::npos);
  BOOST_TEST(output.find(credential) == std::string::npos);
  auto seen = upstream.last();
  BOOST_TEST(seen.target == "/v1/messages");
  BOOST_TEST(seen.header("x-api-key").value_or("") == credential);
}

BOOST_AUTO_TEST_SUITE_END()

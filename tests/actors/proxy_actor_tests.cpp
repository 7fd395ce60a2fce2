#include "actors/proxy_actor.hpp"

#include <boost/asio/ip/tcp.hpp>

#include "actors/event_log.hpp"
#include "events/proxy_events.hpp"
#include "tests/actors/fixture.hpp"
#include "tests/support/upstream_server.hpp"

using namespace pincer;
using namespace pincer::test;

namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

/// A port nobody listens on right now.
uint16_t free_port() {
  asio::io_context io;
  tcp::acceptor a{io, {asio::ip::make_address("127.0.0.1"), 0}};
  return a.local_endpoint().port();
}

/// GET through the proxy; status 0 when the connection is refused.
unsigned proxied_get(uint16_t port, const std::string& target) {
  asio::io_context io;
  tcp::socket s{io};
  boost::system::error_code ec;
  s.connect({asio::ip::make_address("127.0.0.1"), port}, ec);
  if (ec)
    return 0;
  http::request<http::empty_body> req{http::verb::get, target, 11};
  req.set(http::field::host, "proxy");
  req.set("x-api-key", "CREDENTIAL_PROXY_PLACEHOLDER");
  http::write(s, req, ec);
  boost::beast::flat_buffer buf;
  http::response<http::string_body> res;
  http::read(s, buf, res, ec);
  return ec ? 0 : res.result_int();
}

struct proxy_fixture : deterministic_fixture {
  std::shared_ptr<event_store> store{make_memory_store()};
  std::shared_ptr<secret_box> secrets =
    std::make_shared<secret_box>(store, std::string(secret_key_size, '\x07'));
  event_log_actor log = track(spawn_event_log(sys, store, false));
  proxy_actor proxy = spawn_proxy();
  request_meta meta{"key:test", "req-p"};
  upstream_server upstream;

  proxy_actor spawn_proxy() {
    return track(sys.spawn(credential_proxy, store, log, secrets, proxy_settings{"127.0.0.1", 0}));
  }

  caf::expected<reply> status() {
    return ask<reply>(proxy, status_atom::value);
  }

  caf::expected<reply> add(json body) {
    return ask<reply>(proxy, caf::add_atom::value, std::move(body), meta);
  }

  json anthropic(const std::string& credential = "sk-ant-real") {
    return json{{"name", "Anthropic API"},
                {"upstreamUrl", upstream.url()},
                {"credentialType", "api_key"},
                {"credential", credential}};
  }

  size_t count(const std::string& type) {
    size_t n = 0;
    store->read_all(0, [&](const record& r) {
      n += r.type == type;
      return true;
    });
    return n;
  }

  ec code(const caf::expected<reply>& r) {
    return r ? ec::none : from_caf(r.error()).code;
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(actors_proxy_actor, proxy_fixture)

BOOST_AUTO_TEST_CASE(a_new_mapping_answers_the_published_shape_and_logs_only_ciphertext) {
  auto r = add(anthropic("sk-ant-plain-text-credential"));
  BOOST_TEST_REQUIRE(bool(r));
  BOOST_TEST(r->status == 201);
  auto id = r->body["id"].get<std::string>();
  BOOST_TEST(r->body == (json{{"id", id},
                              {"name", "Anthropic API"},
                              {"placeholder", "CREDENTIAL_PROXY_PLACEHOLDER"},
                              {"proxyPath", "/m/" + id}}));
  BOOST_TEST(store->stream_version(proxy_mapping_stream(id)) == 1u);
  store->read_all(0, [&](const record& r) {
    BOOST_TEST(r.data.find("plain-text-credential") == std::string::npos);
    if (r.type == event_types::proxy_mapping_added) {
      auto data = json::parse(r.data);
      BOOST_TEST(data["credential"]["sealed"] == "aes-256-gcm");
      BOOST_TEST(*secrets->open(proxy_secret_owner(id), data["credential"])
                 == "sk-ant-plain-text-credential");
    }
    return true;
  });
  auto st = status();
  BOOST_TEST(st->body.dump().find("plain-text-credential") == std::string::npos);
  BOOST_TEST(st->body["mappings"].size() == 1u);
  BOOST_TEST(st->body["mappings"][0]["proxyPath"] == "/m/" + id);
  BOOST_TEST(st->body["mappings"][0]["requestsServed"] == 0);
  BOOST_TEST(!st->body["mappings"][0].contains("credential"));
}

BOOST_AUTO_TEST_CASE(a_duplicate_name_or_bad_input_changes_nothing) {
  BOOST_TEST_REQUIRE(bool(add(anthropic())));
  auto before = store->last_seq();
  auto keys_before = store->streams("");
  BOOST_TEST((code(add(anthropic())) == ec::conflict));
  auto bad = anthropic();
  bad["upstreamUrl"] = "gopher://x";
  BOOST_TEST((code(add(bad)) == ec::validation_failed));
  bad = anthropic();
  bad["name"] = "other";
  bad["credentialType"] = "header";
  BOOST_TEST((code(add(bad)) == ec::validation_failed));
  BOOST_TEST((code(ask<reply>(proxy, port_atom::value, json{{"port", 0}}, meta))
              == ec::validation_failed));
  BOOST_TEST((code(ask<reply>(proxy, port_atom::value, json{{"port", "80"}}, meta))
              == ec::validation_failed));
  BOOST_TEST(store->last_seq() == before);
  BOOST_TEST(status()->body["mappings"].size() == 1u);
}

BOOST_AUTO_TEST_CASE(deleting_a_mapping_erases_its_data_key) {
  auto id = add(anthropic())->body["id"].get<std::string>();
  BOOST_TEST(secrets->knows(proxy_secret_owner(id)));
  auto gone = ask<reply>(proxy, caf::delete_atom::value, id, meta);
  BOOST_TEST_REQUIRE(bool(gone));
  BOOST_TEST(gone->status == 204);
  BOOST_TEST(!secrets->knows(proxy_secret_owner(id)));
  store->read_stream(proxy_mapping_stream(id), 0, [&](const record& r) {
    if (r.type == event_types::proxy_mapping_added)
      BOOST_TEST(!secrets->open(proxy_secret_owner(id), json::parse(r.data)["credential"]));
    return true;
  });
  BOOST_TEST(status()->body["mappings"].empty());
  BOOST_TEST((code(ask<reply>(proxy, caf::delete_atom::value, id, meta)) == ec::not_found));
  BOOST_TEST(count(event_types::proxy_mapping_removed) == 1u);
  // The name is free again.
  BOOST_TEST(bool(add(anthropic())));
}

BOOST_AUTO_TEST_CASE(start_and_stop_are_idempotent_and_logged_once) {
  BOOST_TEST(status()->body["running"] == false);
  auto a = ask<reply>(proxy, caf::open_atom::value, meta);
  auto b = ask<reply>(proxy, caf::open_atom::value, meta);
  BOOST_TEST_REQUIRE(bool(b));
  BOOST_TEST(b->body["running"] == true);
  BOOST_TEST(b->body["host"] == "127.0.0.1");
  BOOST_TEST(b->body["port"] == a->body["port"]);
  BOOST_TEST(b->body["startedAt"].is_string());
  BOOST_TEST(count(event_types::proxy_started) == 1u);
  BOOST_TEST(ask<reply>(proxy, caf::close_atom::value, meta)->body["running"] == false);
  auto d = ask<reply>(proxy, caf::close_atom::value, meta);
  BOOST_TEST(d->body["running"] == false);
  BOOST_TEST(d->body["startedAt"].is_null());
  BOOST_TEST(count(event_types::proxy_stopped) == 1u);
  BOOST_TEST(proxied_get(a->body["port"].get<uint16_t>(), "/m/x") == 0u);
}

BOOST_AUTO_TEST_CASE(requests_are_forwarded_with_the_stored_credential_and_counted) {
  auto id = add(anthropic("sk-ant-stored"))->body["id"].get<std::string>();
  auto port = ask<reply>(proxy, caf::open_atom::value, meta)->body["port"].get<uint16_t>();
  BOOST_TEST(proxied_get(port, "/m/" + id + "/v1/models") == 200u);
  BOOST_TEST(proxied_get(port, "/m/unknown/v1") == 404u);
  BOOST_TEST(upstream.last().header("x-api-key").value_or("") == "sk-ant-stored");
  auto st = status()->body;
  BOOST_TEST(st["requestsServed"] == 2);
  BOOST_TEST(st["mappings"][0]["requestsServed"] == 1);
  // A mapping added while running is served at once.
  auto more = anthropic("second");
  more["name"] = "Second";
  auto id2 = add(more)->body["id"].get<std::string>();
  BOOST_TEST(proxied_get(port, "/m/" + id2 + "/x") == 200u);
  BOOST_TEST(upstream.last().header("x-api-key").value_or("") == "second");
  ask<reply>(proxy, caf::delete_atom::value, id2, meta);
  std::this_thread::sleep_for(std::chrono::milliseconds{50});
  BOOST_TEST(proxied_get(port, "/m/" + id2 + "/x") == 404u);
}

BOOST_AUTO_TEST_CASE(a_port_change_while_running_rebinds_and_a_busy_port_is_409) {
  auto id = add(anthropic())->body["id"].get<std::string>();
  auto old_port = ask<reply>(proxy, caf::open_atom::value, meta)->body["port"].get<uint16_t>();
  auto new_port = free_port();
  auto r = ask<reply>(proxy, port_atom::value, json{{"port", new_port}}, meta);
  BOOST_TEST_REQUIRE(bool(r));
  BOOST_TEST(r->body["port"] == new_port);
  BOOST_TEST(r->body["running"] == true);
  BOOST_TEST(proxied_get(new_port, "/m/" + id + "/x") == 200u);
  BOOST_TEST(proxied_get(old_port, "/m/" + id + "/x") == 0u);
  BOOST_TEST(count(event_types::proxy_port_set) == 1u);
  asio::io_context io;
  tcp::acceptor busy{io, {asio::ip::make_address("127.0.0.1"), 0}};
  auto taken = busy.local_endpoint().port();
  auto before = store->last_seq();
  auto refused = ask<reply>(proxy, port_atom::value, json{{"port", taken}}, meta);
  BOOST_TEST((code(refused) == ec::conflict));
  BOOST_TEST(store->last_seq() == before);
  BOOST_TEST(proxied_get(new_port, "/m/" + id + "/x") == 200u);
  BOOST_TEST(status()->body["port"] == new_port);
}

BOOST_AUTO_TEST_CASE(a_port_set_while_stopped_is_used_by_the_next_start) {
  auto port = free_port();
  auto r = ask<reply>(proxy, port_atom::value, json{{"port", port}}, meta);
  BOOST_TEST(r->body["running"] == false);
  BOOST_TEST(r->body["port"] == port);
  BOOST_TEST(ask<reply>(proxy, caf::open_atom::value, meta)->body["port"] == port);
}

BOOST_AUTO_TEST_CASE(a_restart_brings_the_proxy_back_with_its_mappings) {
  auto id = add(anthropic("sk-ant-survives"))->body["id"].get<std::string>();
  auto port = free_port();
  ask<reply>(proxy, port_atom::value, json{{"port", port}}, meta);
  ask<reply>(proxy, caf::open_atom::value, meta);
  caf::anon_send_exit(proxy, caf::exit_reason::user_shutdown);
  run();
  BOOST_TEST(proxied_get(port, "/m/" + id + "/x") == 0u);
  auto again = spawn_proxy();
  auto st = ask<reply>(again, status_atom::value);
  BOOST_TEST(st->body["running"] == true);
  BOOST_TEST(st->body["port"] == port);
  BOOST_TEST(proxied_get(port, "/m/" + id + "/x") == 200u);
  BOOST_TEST(upstream.last().header("x-api-key").value_or("") == "sk-ant-survives");
}

BOOST_AUTO_TEST_CASE(container_variables_exist_only_while_the_proxy_runs) {
  auto id = add(anthropic())->body["id"].get<std::string>();
  auto none = ask<env_pairs>(proxy, env_atom::value, std::string{"10.88.0.1"});
  BOOST_TEST_REQUIRE(bool(none));
  BOOST_TEST(none->empty());
  auto port = ask<reply>(proxy, caf::open_atom::value, meta)->body["port"].get<uint16_t>();
  auto env = ask<env_pairs>(proxy, env_atom::value, std::string{"10.88.0.1"});
  BOOST_TEST_REQUIRE(bool(env));
  env_pairs expected{{"ANTHROPIC_BASE_URL",
                      "http://10.88.0.1:" + std::to_string(port) + "/m/" + id},
                     {"ANTHROPIC_API_KEY", "CREDENTIAL_PROXY_PLACEHOLDER"}};
  BOOST_TEST((*env == expected));
  auto own = ask<env_pairs>(proxy, env_atom::value, std::string{});
  BOOST_TEST(own->at(0).second == "http://127.0.0.1:" + std::to_string(port) + "/m/" + id);
}

BOOST_AUTO_TEST_SUITE_END()

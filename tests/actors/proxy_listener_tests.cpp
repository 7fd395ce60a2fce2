#include "actors/proxy_listener.hpp"

#include <sys/socket.h>
#include <sys/time.h>

#include <cstdlib>
#include <fstream>

#include <boost/test/unit_test.hpp>

#include "tests/support/temp_dir.hpp"
#include "tests/support/upstream_server.hpp"

using namespace pincer;
using namespace pincer::test;

namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

/// A plain blocking HTTP/1.1 client on one connection.
struct raw_client {
  asio::io_context io;
  tcp::socket socket{io};

  explicit raw_client(uint16_t port) {
    socket.connect({asio::ip::make_address("127.0.0.1"), port});
    timeval tv{5, 0};
    ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }

  void send(const std::string& text) {
    asio::write(socket, asio::buffer(text));
  }

  /// One response; the connection stays usable when it is kept alive.
  http::response<http::string_body> read() {
    boost::beast::flat_buffer buffer;
    http::response<http::string_body> res;
    boost::system::error_code ec;
    http::read(socket, buffer, res, ec);
    BOOST_TEST_REQUIRE(!ec, ec.message());
    return res;
  }

  /// Reads until `needle` shows up (or 5 s pass); returns everything read.
  std::string read_until(const std::string& needle, std::string sofar = {}) {
    char buf[4096];
    while (sofar.find(needle) == std::string::npos) {
      auto n = ::recv(socket.native_handle(), buf, sizeof buf, 0);
      if (n <= 0)
        break;
      sofar.append(buf, static_cast<size_t>(n));
    }
    return sofar;
  }
};

std::string get(const std::string& target, const std::string& extra_headers = {}) {
  return "GET " + target + " HTTP/1.1\r\nHost: proxy\r\n" + extra_headers + "\r\n";
}

struct listener_fixture {
  upstream_server upstream;
  std::shared_ptr<std::atomic<uint64_t>> served = std::make_shared<std::atomic<uint64_t>>(0);
  std::shared_ptr<std::atomic<uint64_t>> mapping_served =
    std::make_shared<std::atomic<uint64_t>>(0);
  std::unique_ptr<proxy_listener> listener;

  proxy_route route(const std::string& url, const std::string& type, const std::string& credential,
                    const std::string& header_name = {}) {
    proxy_route r;
    r.upstream = *parse_upstream_url(url);
    std::tie(r.auth_name, r.auth_value) = credential_header(type, header_name, credential);
    r.served = mapping_served;
    return r;
  }

  void listen(proxy_routes routes) {
    auto l = proxy_listener::start("127.0.0.1", 0,
                                   std::make_shared<const proxy_routes>(std::move(routes)), served);
    BOOST_TEST_REQUIRE(bool(l));
    listener = std::move(*l);
  }

  http::response<http::string_body> ask(const std::string& request) {
    raw_client c{listener->port()};
    c.send(request);
    return c.read();
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(actors_proxy_listener, listener_fixture)

BOOST_AUTO_TEST_CASE(each_credential_type_is_injected_and_client_credentials_never_reach_it) {
  listen({{"k", route(upstream.url(), "api_key", "real-key")},
          {"b", route(upstream.url(), "bearer", "real-token")},
          {"u", route(upstream.url(), "basic", "user:pa:ss")},
          {"h", route(upstream.url(), "header", "real-custom", "X-Custom-Key")}});
  std::string client_creds = "x-api-key: CREDENTIAL_PROXY_PLACEHOLDER\r\n"
                             "Authorization: Bearer client-secret\r\n"
                             "X-Custom-Key: client-custom\r\n"
                             "X-Note: uses CREDENTIAL_PROXY_PLACEHOLDER inside\r\n"
                             "X-Kept: yes\r\n";
  struct expectation {
    std::string id, header, value;
  };
  for (auto& e : {expectation{"k", "x-api-key", "real-key"},
                  expectation{"b", "authorization", "Bearer real-token"},
                  expectation{"u", "authorization", "Basic dXNlcjpwYTpzcw=="},
                  expectation{"h", "x-custom-key", "real-custom"}}) {
    BOOST_TEST_CONTEXT("mapping " << e.id) {
      auto res = ask(get("/m/" + e.id + "/v1/messages", client_creds));
      BOOST_TEST(res.result_int() == 200u);
      auto seen = upstream.last();
      BOOST_TEST(seen.header(e.header).value_or("<none>") == e.value);
      BOOST_TEST(seen.header("x-kept").value_or("") == "yes");
      BOOST_TEST(!seen.header("x-note"));
      for (auto& [name, value] : seen.headers) {
        BOOST_TEST(value.find("CREDENTIAL_PROXY_PLACEHOLDER") == std::string::npos, name);
        BOOST_TEST(value.find("client-secret") == std::string::npos, name);
        if (e.id == "h")
          BOOST_TEST(value.find("client-custom") == std::string::npos, name);
      }
      size_t auth_headers = 0;
      for (auto& [name, value] : seen.headers)
        auth_headers += boost::beast::iequals(name, e.header);
      BOOST_TEST(auth_headers == 1u);
    }
  }
  BOOST_TEST(mapping_served->load() == 4u);
  BOOST_TEST(served->load() == 4u);
}

BOOST_AUTO_TEST_CASE(hop_by_hop_headers_are_dropped_and_host_is_the_upstream) {
  listen({{"k", route(upstream.url() + "/base/", "api_key", "real-key")}});
  auto res = ask(get("/m/k/v1/x?y=1&z=%20", "Connection: keep-alive, X-Private\r\n"
                                            "Keep-Alive: timeout=5\r\nTE: trailers\r\n"
                                            "Proxy-Authorization: Basic eDp5\r\n"
                                            "Proxy-Connection: keep-alive\r\n"
                                            "Upgrade: h2c\r\nTrailer: X-T\r\n"
                                            "X-Private: secret-hop\r\n"));
  BOOST_TEST(res.result_int() == 200u);
  auto seen = upstream.last();
  BOOST_TEST(seen.target == "/base/v1/x?y=1&z=%20");
  BOOST_TEST(seen.header("host").value_or("") == "127.0.0.1:" + std::to_string(upstream.port()));
  for (auto name : {"keep-alive", "te", "proxy-authorization", "proxy-connection", "upgrade",
                    "trailer", "x-private", "transfer-encoding"})
    BOOST_TEST(!seen.header(name), name);
  // The upstream's own hop-by-hop headers do not reach the client either.
  BOOST_TEST(res["X-Upstream"] == "test");
  BOOST_TEST(res["X-Drop-Me"].empty());
  BOOST_TEST(res.body() == "{\"ok\":true,\"bytes\":0}");
}

BOOST_AUTO_TEST_CASE(an_unknown_mapping_is_404_and_dot_segments_are_refused) {
  listen({{"k", route(upstream.url(), "api_key", "real-key")}});
  auto res = ask(get("/m/nope/v1"));
  BOOST_TEST(res.result_int() == 404u);
  BOOST_TEST(res.body().find("not_found") != std::string::npos);
  BOOST_TEST(ask(get("/elsewhere")).result_int() == 404u);
  BOOST_TEST(ask(get("/m/k/v1/../admin")).result_int() == 400u);
  BOOST_TEST(upstream.requests().empty());
  listener->routes(std::make_shared<const proxy_routes>());
  std::this_thread::sleep_for(std::chrono::milliseconds{50});
  BOOST_TEST(ask(get("/m/k/v1")).result_int() == 404u);
}

BOOST_AUTO_TEST_CASE(an_unreachable_upstream_is_502) {
  uint16_t closed_port;
  {
    upstream_server gone;
    closed_port = gone.port();
  }
  listen({{"k", route("http://127.0.0.1:" + std::to_string(closed_port), "api_key", "x")}});
  auto res = ask(get("/m/k/v1"));
  BOOST_TEST(res.result_int() == 502u);
  BOOST_TEST(res.body().find("upstream_error") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(https_upstreams_are_verified_against_the_ca_store) {
  auto cert = test_certificate::make();
  upstream_server secure{cert};
  listen({{"k", route(secure.url(), "bearer", "tls-token")}});
  auto refused = ask(get("/m/k/v1"));
  BOOST_TEST(refused.result_int() == 502u); // self-signed, not in the store
  BOOST_TEST(secure.requests().empty());
  listener->stop();
  temp_dir dir;
  auto ca = dir.sub("ca.pem");
  std::ofstream{ca} << cert.cert_pem;
  ::setenv("SSL_CERT_FILE", ca.c_str(), 1);
  listen({{"k", route(secure.url(), "bearer", "tls-token")}});
  ::unsetenv("SSL_CERT_FILE");
  auto res = ask(get("/m/k/v1/secure"));
  BOOST_TEST(res.result_int() == 200u);
  auto seen = secure.last();
  BOOST_TEST(seen.target == "/v1/secure");
  BOOST_TEST(seen.header("authorization").value_or("") == "Bearer tls-token");
  BOOST_TEST(seen.header("host").value_or("") == "localhost:" + std::to_string(secure.port()));
}

BOOST_AUTO_TEST_CASE(server_sent_events_reach_the_client_before_the_upstream_finishes) {
  listen({{"k", route(upstream.url(), "api_key", "real-key")}});
  raw_client c{listener->port()};
  c.send(get("/m/k/sse"));
  auto first = c.read_until("data: first");
  BOOST_TEST_REQUIRE(first.find("data: first") != std::string::npos, first);
  BOOST_TEST(first.find("data: second") == std::string::npos);
  BOOST_TEST(first.find("text/event-stream") != std::string::npos);
  upstream.release_sse();
  auto all = c.read_until("data: second", first);
  BOOST_TEST(all.find("data: second") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_client_that_hangs_up_cancels_the_upstream_request) {
  listen({{"k", route(upstream.url(), "api_key", "real-key")}});
  {
    raw_client c{listener->port()};
    c.send(get("/m/k/sse"));
    BOOST_TEST_REQUIRE(c.read_until("data: first").find("data: first") != std::string::npos);
  }
  BOOST_TEST(upstream.sse_cancelled(std::chrono::seconds{3}));
}

BOOST_AUTO_TEST_CASE(chunked_and_expect_continue_uploads_are_streamed_through) {
  listen({{"k", route(upstream.url(), "api_key", "real-key")}});
  raw_client c{listener->port()};
  std::string chunk(100000, 'x');
  std::string text = "POST /m/k/upload HTTP/1.1\r\nHost: p\r\nTransfer-Encoding: chunked\r\n\r\n";
  char size[16];
  std::snprintf(size, sizeof size, "%zx\r\n", chunk.size());
  for (int i = 0; i < 30; ++i)
    text += size + chunk + "\r\n";
  text += "0\r\n\r\n";
  c.send(text);
  auto res = c.read();
  BOOST_TEST(res.result_int() == 200u);
  BOOST_TEST(res.body() == "{\"ok\":true,\"bytes\":3000000}");
  BOOST_TEST(upstream.last().header("transfer-encoding").value_or("") == "chunked");
  // Same connection, kept alive: Expect: 100-continue gets its interim answer.
  c.send("PUT /m/k/put HTTP/1.1\r\nHost: p\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
  auto interim = c.read_until("\r\n\r\n");
  BOOST_TEST(interim.find("100 Continue") != std::string::npos, interim);
  c.send("hello");
  auto put = c.read();
  BOOST_TEST(put.result_int() == 200u);
  BOOST_TEST(put.body() == "{\"ok\":true,\"bytes\":5}");
  BOOST_TEST(!upstream.last().header("expect"));
  BOOST_TEST(upstream.last().body_head == "hello");
}

BOOST_AUTO_TEST_CASE(upstream_statuses_pass_through_and_connections_are_reused) {
  listen({{"k", route(upstream.url(), "api_key", "real-key")}});
  raw_client c{listener->port()};
  for (int i = 0; i < 5; ++i) {
    c.send(get("/m/k/status/429"));
    BOOST_TEST(c.read().result_int() == 429u);
  }
  BOOST_TEST(upstream.requests().size() == 5u);
}

BOOST_AUTO_TEST_CASE(the_bridge_address_is_an_ipv4_address_or_empty) {
  auto a = container_bridge_address();
  boost::system::error_code ec;
  if (!a.empty()) {
    BOOST_TEST(asio::ip::make_address_v4(a, ec).to_string() == a);
    BOOST_TEST(!ec);
  }
}

BOOST_AUTO_TEST_SUITE_END()

// The baseline for HTTP benchmarks: RESTinio with the same timer manager and
// express router as pincer's server, one asio thread, and a handler that
// answers a fixed JSON body without touching any actor.

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>

#include <restinio/all.hpp>

#include "bench/bench.hpp"

namespace pincer::bench {

namespace {

using router_type = restinio::router::express_router_t<restinio::router::std_regex_engine_t>;

struct bare_traits : restinio::traits_t<restinio::asio_timer_manager_t, restinio::null_logger_t,
                                        router_type> {};

using bare_server_type = restinio::http_server_t<bare_traits>;

constexpr const char* default_body =
  R"([{"name":"bench","description":"","isMain":false,"trigger":"@Andy","requiresTrigger":true,"chatJids":[]}])";

} // namespace

int bare_server_main(int argc, char** argv) {
  std::string host = "127.0.0.1";
  unsigned port = 0;
  std::string body = default_body;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--host") == 0)
      host = argv[i + 1];
    else if (std::strcmp(argv[i], "--port") == 0)
      port = static_cast<unsigned>(std::strtoul(argv[i + 1], nullptr, 10));
    else if (std::strcmp(argv[i], "--body-file") == 0) {
      std::ifstream in{argv[i + 1], std::ios::binary};
      if (!in) {
        std::cerr << "bare-server: cannot read " << argv[i + 1] << '\n';
        return 2;
      }
      body.assign(std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{});
    } else {
      std::cerr << "bare-server: unknown option " << argv[i] << '\n';
      return 2;
    }
  }
  auto router = std::make_unique<router_type>();
  auto answer = [body](const auto& req, auto) {
    return req->create_response()
      .append_header(restinio::http_field::content_type, "application/json")
      .set_body(body)
      .done();
  };
  router->http_get("/api/v1/container/namespaces", answer);
  router->http_get("/ping", answer);
  router->http_get("/v1/models", answer); // the credential proxy's upstream

  asio::io_context io;
  uint16_t bound = 0;
  restinio::server_settings_t<bare_traits> settings;
  settings.address(host)
    .port(static_cast<uint16_t>(port))
    .acceptor_post_bind_hook([&bound](asio::ip::tcp::acceptor& acceptor) {
      bound = acceptor.local_endpoint().port();
    })
    .request_handler(std::move(router));
  bare_server_type server{restinio::external_io_context(io), std::move(settings)};
  try {
    server.open_sync();
  } catch (const std::exception& ex) {
    std::cerr << "bare-server: cannot listen on " << host << ':' << port << ": " << ex.what()
              << '\n';
    return 1;
  }
  std::cout << "bare-server listening on http://" << host << ':' << bound << std::endl;
  asio::signal_set signals{io, SIGINT, SIGTERM};
  signals.async_wait([&](const asio::error_code&, int) {
    server.close_async([&io]() noexcept { io.stop(); }, [&io](std::exception_ptr) noexcept { io.stop(); });
  });
  io.run();
  return 0;
}

} // namespace pincer::bench

#include "http/server.hpp"

#include <algorithm>
#include <fstream>
#include <future>
#include <optional>
#include <sstream>
#include <thread>

#include "http/endpoints.hpp"
#include "http/event_stream.hpp"
#include "http/query.hpp"
#include "http/responder.hpp"
#include "http/server_traits.hpp"

namespace pincer::http {

std::string default_openapi_path() {
  return PINCER_OPENAPI_PATH;
}

namespace {

restinio::http_method_id_t restinio_method(http_method m) {
  switch (m) {
    case http_method::get: return restinio::http_method_get();
    case http_method::post: return restinio::http_method_post();
    case http_method::put: return restinio::http_method_put();
    case http_method::del: return restinio::http_method_delete();
  }
  return restinio::http_method_get();
}

result<json> read_openapi(const std::string& path) {
  std::ifstream in{path};
  if (!in)
    return error{ec::internal, "cannot read the OpenAPI document " + path};
  std::stringstream text;
  text << in.rdbuf();
  auto doc = json::parse(text.str(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    return error{ec::internal, "the OpenAPI document " + path + " is not a JSON object"};
  return doc;
}

} // namespace

// -- impl ---------------------------------------------------------------------

struct http_server::impl {
  impl(core& c, http_config config, json openapi)
    : core_(c), cfg(std::move(config)), keys(cfg.api_keys),
      table(endpoints(std::move(openapi))), state(std::make_shared<server_state>()) {
    state->io = std::make_shared<asio::io_context>();
    state->on_answer = [&c](int status, int64_t micros) {
      c.record_request(status, micros);
    };
  }

  core& core_;
  http_config cfg;
  key_set keys;
  std::vector<endpoint> table;
  std::shared_ptr<server_state> state;
  std::unique_ptr<server_type> server;
  std::vector<std::thread> workers;
  /// Keeps the workers running while answers may still arrive.
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  uint16_t port = 0;

  std::mutex streams_mtx;
  std::condition_variable streams_cv;
  std::vector<std::shared_ptr<event_stream>> streams;
  std::thread heartbeat;

  std::mutex stop_mtx;
  bool stopped = false;

  // -- the chain --------------------------------------------------------------

  /// Stage 1: request id, and a path that percent-decodes.
  restinio::request_handling_status_t tag(const request_handle& req) {
    auto& data = req->extra_data();
    data.request_id = choose_request_id(
      req->header().get_field_or("X-Request-Id", std::string{}));
    data.actor = "anonymous";
    data.received = std::chrono::steady_clock::now();
    if (!percent_decode(req->header().path())) {
      responder{req, state}.send_error(invalid("path", "The path is not well formed."));
      return restinio::request_accepted();
    }
    return restinio::request_not_handled();
  }

  /// Stage 2: the API key.
  restinio::request_handling_status_t authenticate(const request_handle& req) {
    auto path = req->header().path();
    if (!keys.enabled() || path.substr(0, 7) != api_prefix
        || auth_exempt(req->header().method().c_str(), path))
      return restinio::request_not_handled();
    if (auto actor = keys.match(req->header().get_field_or("X-API-Key", std::string{}))) {
      req->extra_data().actor = std::move(*actor);
      return restinio::request_not_handled();
    }
    responder{req, state}.send_error(
      error{ec::unauthorized, "A valid X-API-Key header is required."});
    return restinio::request_accepted();
  }

  // -- the router -------------------------------------------------------------

  std::unique_ptr<router_type> make_router() {
    auto router = std::make_unique<router_type>();
    for (size_t i = 0; i < table.size(); ++i) {
      const endpoint& e = table[i];
      auto names = path_params(e.path);
      router->add_handler(restinio_method(e.method), e.path,
                          [this, &e, names](const request_handle& req,
                                            restinio::router::route_params_t params) {
                            return dispatch(e, names, req, params);
                          });
      bool last_of_path = i + 1 == table.size() || table[i + 1].path != e.path;
      if (last_of_path)
        add_not_allowed(*router, e.path);
    }
    // Prometheus scrapes `/metrics` outside the API prefix too.
    router->http_get("/metrics", [this](const request_handle& req, auto) {
      auto r = std::make_shared<responder>(req, state);
      core_.prometheus([r](result<reply> res) { r->send(std::move(res)); });
      return restinio::request_accepted();
    });
    router->non_matched_request_handler([this](const request_handle& req) {
      responder{req, state}.send_error(error{ec::not_found, "No such path."});
      return restinio::request_accepted();
    });
    return router;
  }

  /// Answers 405 with `Allow` for other methods on a known path.
  void add_not_allowed(router_type& router, const std::string& path) {
    restinio::router::dynamic_none_of_methods_matcher_t matcher;
    std::string allow;
    for (auto& e : table) {
      if (e.path != path)
        continue;
      matcher.add(restinio_method(e.method));
      allow += (allow.empty() ? "" : ", ") + std::string{to_string(e.method)};
    }
    router.add_handler(std::move(matcher), path,
                       [this, allow](const request_handle& req, auto) {
                         responder{req, state}.send_error(
                           error{ec::method_not_allowed,
                                 "This path does not allow the method."},
                           {{"Allow", allow}});
                         return restinio::request_accepted();
                       });
  }

  /// Decodes the request and hands it to the endpoint's handler.
  restinio::request_handling_status_t
  dispatch(const endpoint& e, const std::vector<std::string>& names,
           const request_handle& req, const restinio::router::route_params_t& params) {
    auto r = std::make_shared<responder>(req, state);
    http_request hr;
    hr.meta = request_meta{req->extra_data().actor, req->extra_data().request_id};
    for (auto& name : names) {
      auto value = percent_decode(std::string{params[name]});
      if (!value)
        return fail(*r, invalid(name, "The path parameter is not well formed."));
      hr.params.emplace(name, std::move(*value));
    }
    auto query = parse_query_string(req->header().query());
    if (!query)
      return fail(*r, query.err());
    hr.query = std::move(*query);
    if (e.kind == endpoint_kind::raw) {
      if (auto ok = read_raw(req, hr); !ok)
        return fail(*r, ok.err());
    } else if (e.method == http_method::post || e.method == http_method::put) {
      auto body = decode_body(req);
      if (!body)
        return fail(*r, body.err());
      hr.body = std::move(*body);
    }
    if (e.kind == endpoint_kind::event_stream) {
      open_stream(std::move(r), hr);
      return restinio::request_accepted();
    }
    try {
      e.handler(core_, hr, [r](result<reply> res) { r->send(std::move(res)); });
    } catch (const std::exception& ex) {
      return fail(*r, error{ec::internal, ex.what()});
    }
    return restinio::request_accepted();
  }

  static restinio::request_handling_status_t fail(responder& r, const error& e) {
    r.send_error(e);
    return restinio::request_accepted();
  }

  /// Copies method, headers and the body bytes for an `endpoint_kind::raw` route.
  result<unit> read_raw(const request_handle& req, http_request& hr) {
    const auto& body = req->body();
    if (body.size() > cfg.max_body_bytes || req->header().content_length() > cfg.max_body_bytes)
      return error{ec::payload_too_large,
                   "The request body is larger than "
                     + std::to_string(cfg.max_body_bytes) + " bytes."};
    hr.raw.method = req->header().method().c_str();
    hr.raw.query = hr.query;
    req->header().for_each_field([&](const auto& field) {
      std::string name{field.name()};
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      hr.raw.headers[name] = std::string{field.value()};
    });
    hr.raw.body = body;
    return unit{};
  }

  result<json> decode_body(const request_handle& req) {
    const auto& body = req->body();
    auto length = req->header().content_length();
    if (body.size() > cfg.max_body_bytes || length > cfg.max_body_bytes)
      return error{ec::payload_too_large,
                   "The request body is larger than "
                     + std::to_string(cfg.max_body_bytes) + " bytes."};
    auto type = req->header().get_field_or(restinio::http_field::content_type,
                                           std::string{});
    if (body.empty() && type.empty())
      return json::object(); // a POST with no body at all, e.g. `.../start`
    if (!is_json_content_type(type))
      return error{ec::unsupported_media_type,
                   "The request body must have Content-Type application/json."};
    return parse_json_object(body);
  }

  // -- event streams ----------------------------------------------------------

  void open_stream(std::shared_ptr<responder> r, const http_request& hr) {
    auto after = parse_after(hr.query);
    if (!after) {
      r->send_error(after.err());
      return;
    }
    if (*after) {
      start_stream(std::move(r), **after);
      return;
    }
    core_.health([this, r](result<reply> res) {
      if (!res) {
        r->send_error(res.err());
        return;
      }
      const auto& body = res->body;
      auto last = body.is_object() ? body.find("lastEventSeq") : body.end();
      start_stream(r, last != body.end() && last->is_number_unsigned()
                        ? last->get<uint64_t>()
                        : 0);
    });
  }

  void start_stream(std::shared_ptr<responder> r, uint64_t after) {
    auto started = r->start_stream();
    if (!started)
      return;
    auto stream = std::make_shared<event_stream>(core_, std::move(started->first),
                                                 std::move(started->second));
    stream->open();
    {
      std::lock_guard<std::mutex> guard{streams_mtx};
      if (state->stopping.load()) {
        stream->finish();
        return;
      }
      streams.push_back(stream);
    }
    auto id = core_.subscribe(after, [stream](const std::vector<json>& batch) {
      return stream->push(batch);
    });
    stream->subscribed(id);
  }

  /// Pings open streams and drops finished ones until the server stops.
  void run_heartbeat() {
    auto period = std::clamp<std::chrono::milliseconds>(
      std::chrono::duration_cast<std::chrono::milliseconds>(cfg.handle_request_timeout) / 3,
      std::chrono::seconds{1}, std::chrono::seconds{10});
    std::unique_lock<std::mutex> lock{streams_mtx};
    while (!state->stopping.load()) {
      streams_cv.wait_for(lock, period, [this] { return state->stopping.load(); });
      if (state->stopping.load())
        break;
      auto current = streams;
      lock.unlock();
      std::vector<std::shared_ptr<event_stream>> over;
      for (auto& s : current)
        if (!s->heartbeat())
          over.push_back(s);
      lock.lock();
      for (auto& s : over)
        streams.erase(std::remove(streams.begin(), streams.end(), s), streams.end());
    }
  }

  // -- lifecycle --------------------------------------------------------------

  void stop() {
    std::lock_guard<std::mutex> guard{stop_mtx};
    if (stopped)
      return;
    stopped = true;
    state->stopping = true;
    streams_cv.notify_all();
    if (heartbeat.joinable())
      heartbeat.join();
    close_acceptor();
    std::vector<std::shared_ptr<event_stream>> open_streams;
    {
      std::lock_guard<std::mutex> lock{streams_mtx};
      open_streams.swap(streams);
    }
    for (auto& s : open_streams)
      s->finish();
    // Long requests (image builds) are not waited for beyond the usual limit.
    auto deadline = std::chrono::steady_clock::now()
                    + std::min<std::chrono::seconds>(cfg.handle_request_timeout,
                                                     std::chrono::seconds{15})
                    + std::chrono::seconds{1};
    if (!state->wait_idle(deadline))
      spdlog::warn("http: stopping with unanswered requests");
    work.reset();
    state->io->stop();
    for (auto& t : workers)
      if (t.joinable())
        t.join();
    workers.clear();
    server.reset();
  }

  void close_acceptor() {
    if (!server || workers.empty())
      return;
    std::promise<void> closed;
    auto done = closed.get_future();
    server->close_async([&closed]() noexcept { closed.set_value(); },
                        [&closed](std::exception_ptr ex) noexcept {
                          try {
                            std::rethrow_exception(ex);
                          } catch (const std::exception& e) {
                            spdlog::warn("http: closing the acceptor failed: {}", e.what());
                          } catch (...) {
                          }
                          closed.set_value();
                        });
    if (done.wait_for(std::chrono::seconds{5}) != std::future_status::ready)
      spdlog::warn("http: the acceptor did not close in time");
  }
};

// -- http_server --------------------------------------------------------------

http_server::http_server(std::unique_ptr<impl> ptr) : impl_(std::move(ptr)) {
}

http_server::~http_server() {
  stop();
}

uint16_t http_server::port() const noexcept {
  return impl_->port;
}

void http_server::stop() {
  if (impl_)
    impl_->stop();
}

result<std::unique_ptr<http_server>> http_server::start(core& c, http_config cfg) {
  if (cfg.openapi_path.empty())
    cfg.openapi_path = default_openapi_path();
  auto doc = read_openapi(cfg.openapi_path);
  if (!doc)
    return doc.err();
  if (cfg.threads == 0)
    cfg.threads = 1;
  auto st = std::make_unique<impl>(c, std::move(cfg), std::move(*doc));
  auto* self = st.get();
  const auto& conf = self->cfg;
  try {
    // RESTinio closes the connection without an answer above its own limit,
    // so that limit sits well above ours and ours answers 413.
    auto hard_limit = std::max<std::uint64_t>(conf.max_body_bytes * 8, 16u << 20);
    restinio::server_settings_t<server_traits> settings;
    settings.address(conf.host)
      .port(conf.port)
      .handle_request_timeout(conf.handle_request_timeout)
      .incoming_http_msg_limits(restinio::incoming_http_msg_limits_t{}.max_body_size(hard_limit))
      .acceptor_post_bind_hook([self](asio::ip::tcp::acceptor& acceptor) {
        self->port = acceptor.local_endpoint().port();
      })
      .request_handler(
        [self](const request_handle& req) { return self->tag(req); },
        [self](const request_handle& req) { return self->authenticate(req); },
        [router = std::shared_ptr<router_type>(self->make_router())](
          const request_handle& req) { return (*router)(req); });
    self->server = std::make_unique<server_type>(
      restinio::external_io_context(*self->state->io), std::move(settings));
    self->server->open_sync();
  } catch (const std::exception& ex) {
    return error{ec::internal, "cannot listen on " + conf.host + ":"
                                 + std::to_string(conf.port) + ": " + ex.what()};
  }
  self->work.emplace(self->state->io->get_executor());
  for (size_t i = 0; i < conf.threads; ++i)
    self->workers.emplace_back([io = self->state->io] {
      for (;;) {
        try {
          io->run();
          return;
        } catch (const std::exception& ex) {
          spdlog::error("http: worker caught an exception: {}", ex.what());
        }
      }
    });
  self->heartbeat = std::thread{[self] { self->run_heartbeat(); }};
  spdlog::info("http: listening on {}:{}", conf.host, self->port);
  return std::unique_ptr<http_server>{new http_server{std::move(st)}};
}

} // namespace pincer::http

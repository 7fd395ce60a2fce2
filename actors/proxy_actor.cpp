#include "actors/proxy_actor.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "events/catalog.hpp"
#include "events/proxy_events.hpp"
#include "events/time.hpp"

namespace pincer {

namespace {

using self_ptr = proxy_actor::stateful_pointer<proxy_actor_state>;

constexpr auto actor_timeout = std::chrono::seconds{30};

/// Appends one event and waits for it (other messages wait too, so every
/// decision sees the state of the previous one), then runs `then` with the
/// stored envelope.
template <class Then, class Fail = void (*)()>
void append_then(self_ptr self, std::string stream, uint64_t expected, const request_meta& meta,
                 const char* type, json data, caf::typed_response_promise<reply> rp,
                 Then then, Fail fail = [] {}) {
  append_request req{stream, expected, meta.actor, meta.request_id,
                     {event_catalog().make(type, data)}};
  self->request(self->state.log, actor_timeout, append_atom::value, std::move(req))
    .await(
      [self, rp, data, then](std::vector<record>& stored) mutable {
        envelope e;
        static_cast<event_header&>(e) = stored.at(0);
        e.data = std::move(data);
        self->state.proxy.apply(e);
        if (e.stream == proxy_stream)
          self->state.proxy.version = e.stream_version;
        rp.deliver(then(e));
      },
      [rp, fail](caf::error& err) mutable {
        fail();
        rp.deliver(std::move(err));
      });
}

/// Reads the proxy's streams in log order and applies them.
void rebuild(proxy_actor_state& st) {
  std::vector<envelope> events;
  auto collect = [&](const record& r) {
    if (auto e = event_catalog().decode(r))
      events.push_back(std::move(*e));
    return true;
  };
  std::vector<std::string> streams{proxy_stream};
  for (auto& [name, version] : st.store->streams(std::string{proxy_stream} + "/"))
    streams.push_back(name);
  for (auto& s : streams)
    if (auto read = st.store->read_stream(s, 0, collect); !read)
      spdlog::error("cannot rebuild the credential proxy from {}: {}", s, read.err().message);
  std::sort(events.begin(), events.end(),
            [](const envelope& a, const envelope& b) { return a.seq < b.seq; });
  for (auto& e : events) {
    st.proxy.apply(e);
    if (e.stream == proxy_stream)
      st.proxy.version = e.stream_version;
    // A removed mapping whose key erasure did not happen yet: finish it.
    if (e.type == event_types::proxy_mapping_removed) {
      auto owner = proxy_secret_owner(e.data.value("id", ""));
      if (st.secrets->knows(owner))
        if (auto gone = st.secrets->forget(owner); !gone)
          spdlog::error("cannot erase the data key of {}: {}", owner, gone.err().message);
    }
  }
  for (auto& m : st.proxy.mappings) {
    auto plain = st.secrets->open(proxy_secret_owner(m.id), m.sealed);
    if (!plain) {
      spdlog::error("credential mapping {} cannot be opened: {}", m.id, plain.err().message);
      continue;
    }
    st.add_route(m, *plain);
  }
}

/// Binds a listener on the state's host and `port`.
result<std::unique_ptr<proxy_listener>> listen(proxy_actor_state& st, uint16_t port) {
  return proxy_listener::start(st.bind_host(), port, st.route_table(), st.served);
}

void publish_routes(proxy_actor_state& st) {
  if (st.listener)
    st.listener->routes(st.route_table());
}

caf::result<reply> start(self_ptr self, request_meta& meta) {
  auto& st = self->state;
  if (st.listener)
    return reply{200, st.status()};
  auto bound = listen(st, st.proxy.port);
  if (!bound)
    return to_caf(bound.err());
  st.listener = std::move(*bound);
  auto rp = self->make_response_promise<reply>();
  json data{{"host", st.bind_host()}, {"port", st.listener->port()}};
  append_then(self, proxy_stream, st.proxy.version, meta, event_types::proxy_started,
              std::move(data), rp, [self](const envelope&) {
                spdlog::info("credential proxy listening on {}:{}", self->state.bind_host(),
                             self->state.listener->port());
                return reply{200, self->state.status()};
              },
              [self] { self->state.listener.reset(); });
  return rp;
}

caf::result<reply> stop(self_ptr self, request_meta& meta) {
  auto& st = self->state;
  if (!st.listener && !st.proxy.running)
    return reply{200, st.status()};
  json data{{"host", st.bind_host()},
            {"port", st.listener ? st.listener->port() : st.proxy.port}};
  if (st.listener) {
    st.listener->stop();
    st.listener.reset();
  }
  auto rp = self->make_response_promise<reply>();
  append_then(self, proxy_stream, st.proxy.version, meta, event_types::proxy_stopped,
              std::move(data), rp, [self](const envelope&) {
                spdlog::info("credential proxy stopped");
                return reply{200, self->state.status()};
              });
  return rp;
}

caf::result<reply> set_port(self_ptr self, json& body, request_meta& meta) {
  auto& st = self->state;
  auto port = parse_port_request(body);
  if (!port)
    return to_caf(port.err());
  auto current = st.listener ? st.listener->port() : st.proxy.port;
  if (*port == current && *port == st.proxy.port)
    return reply{200, st.status()};
  std::unique_ptr<proxy_listener> next;
  if (st.listener) {
    auto bound = listen(st, *port);
    if (!bound)
      return to_caf(bound.err()); // the old listener keeps running
    next = std::move(*bound);
  }
  auto rp = self->make_response_promise<reply>();
  json data{{"port", *port}, {"previousPort", current}};
  auto shared_next = std::make_shared<std::unique_ptr<proxy_listener>>(std::move(next));
  append_then(self, proxy_stream, st.proxy.version, meta, event_types::proxy_port_set,
              std::move(data), rp, [self, shared_next](const envelope&) {
                auto& st = self->state;
                if (*shared_next) {
                  st.listener->stop();
                  st.listener = std::move(*shared_next);
                }
                return reply{200, st.status()};
              });
  return rp;
}

caf::result<reply> add_mapping(self_ptr self, json& body, request_meta& meta) {
  auto& st = self->state;
  auto req = parse_mapping_request(body);
  if (!req)
    return to_caf(req.err());
  if (auto fresh = st.proxy.check_new(*req); !fresh)
    return to_caf(fresh.err());
  proxy_mapping m;
  m.id = make_uuid();
  m.name = req->name;
  m.upstream_url = req->upstream_url;
  m.credential_type = req->credential_type;
  m.header_name = req->header_name;
  auto owner = proxy_secret_owner(m.id);
  auto sealed = st.secrets->seal(owner, req->credential);
  if (!sealed)
    return to_caf(sealed.err());
  m.sealed = std::move(*sealed);
  auto rp = self->make_response_promise<reply>();
  append_request append{proxy_mapping_stream(m.id), 0, meta.actor, meta.request_id,
                        {event_catalog().make(event_types::proxy_mapping_added,
                                              mapping_added_data(m))}};
  self->request(st.log, actor_timeout, append_atom::value, std::move(append))
    .await(
      [self, rp, m, credential = req->credential](std::vector<record>& stored) mutable {
        envelope e;
        static_cast<event_header&>(e) = stored.at(0);
        e.data = mapping_added_data(m);
        auto& st = self->state;
        st.proxy.apply(e);
        if (auto added = st.proxy.find(m.id))
          st.add_route(*added, credential);
        publish_routes(st);
        rp.deliver(reply{201, json{{"id", m.id},
                                   {"name", m.name},
                                   {"placeholder", m.placeholder},
                                   {"proxyPath", m.proxy_path()}}});
      },
      [self, rp, owner](caf::error& err) mutable {
        self->state.secrets->forget(owner);
        rp.deliver(std::move(err));
      });
  return rp;
}

caf::result<reply> delete_mapping(self_ptr self, std::string& id, request_meta& meta) {
  auto& st = self->state;
  auto m = st.proxy.find(id);
  if (!m)
    return to_caf(error{ec::not_found, "No credential mapping has this id."});
  auto rp = self->make_response_promise<reply>();
  json data{{"id", m->id}, {"name", m->name}};
  auto stream = proxy_mapping_stream(id);
  append_then(self, stream, st.store->stream_version(stream), meta,
              event_types::proxy_mapping_removed, std::move(data), rp,
              [self, id](const envelope&) {
                auto& st = self->state;
                st.routes.erase(id);
                publish_routes(st);
                if (auto gone = st.secrets->forget(proxy_secret_owner(id)); !gone)
                  spdlog::error("cannot erase the data key of mapping {}: {}", id,
                                gone.err().message);
                return reply{204, json()};
              });
  return rp;
}

} // namespace

std::string proxy_secret_owner(const std::string& mapping_id) {
  return proxy_mapping_stream(mapping_id);
}

std::string proxy_actor_state::bind_host() const {
  if (!settings.host.empty())
    return settings.host;
  auto bridge = container_bridge_address();
  return bridge.empty() ? "127.0.0.1" : bridge;
}

std::shared_ptr<const proxy_routes> proxy_actor_state::route_table() const {
  auto out = std::make_shared<proxy_routes>();
  for (auto& [id, r] : routes)
    out->emplace(id, r);
  return out;
}

void proxy_actor_state::add_route(const proxy_mapping& m, const std::string& credential) {
  auto url = parse_upstream_url(m.upstream_url);
  if (!url) {
    spdlog::error("credential mapping {} has a bad upstream URL", m.id);
    return;
  }
  proxy_route r;
  r.upstream = *url;
  std::tie(r.auth_name, r.auth_value) = credential_header(m.credential_type, m.header_name,
                                                          credential);
  r.served = m.served;
  routes[m.id] = std::move(r);
}

json proxy_actor_state::status() const {
  return proxy.status(bind_host(), listener ? listener->port() : proxy.port,
                      listener != nullptr, served->load());
}

proxy_actor::behavior_type credential_proxy(self_ptr self, std::shared_ptr<event_store> store,
                                            event_log_actor log,
                                            std::shared_ptr<secret_box> secrets,
                                            proxy_settings settings) {
  auto& st = self->state;
  st.store = std::move(store);
  st.log = std::move(log);
  st.secrets = std::move(secrets);
  st.settings = std::move(settings);
  st.proxy.port = st.settings.port;
  rebuild(st);
  if (st.proxy.running) {
    auto bound = listen(st, st.proxy.port);
    if (bound) {
      st.listener = std::move(*bound);
      spdlog::info("credential proxy listening on {}:{}", st.bind_host(), st.listener->port());
    } else {
      spdlog::error("cannot restart the credential proxy: {}", bound.err().message);
    }
  }
  return {
    [self](status_atom) { return reply{200, self->state.status()}; },
    [self](caf::open_atom, request_meta& meta) { return start(self, meta); },
    [self](caf::close_atom, request_meta& meta) { return stop(self, meta); },
    [self](port_atom, json& body, request_meta& meta) { return set_port(self, body, meta); },
    [self](caf::add_atom, json& body, request_meta& meta) {
      return add_mapping(self, body, meta);
    },
    [self](caf::delete_atom, std::string& id, request_meta& meta) {
      return delete_mapping(self, id, meta);
    },
    [self](env_atom, std::string& gateway_host) -> env_pairs {
      auto& st = self->state;
      if (!st.listener)
        return {};
      auto host = gateway_host.empty() ? st.bind_host() : gateway_host;
      return proxy_container_env(st.proxy.mappings, host, st.listener->port());
    },
  };
}

} // namespace pincer

#include "http/endpoints.hpp"

#include <memory>

#include "http/query.hpp"

namespace pincer::http {

// -- http_request and http_method ---------------------------------------------

const std::string& http_request::param(const std::string& name) const {
  static const std::string empty;
  auto i = params.find(name);
  return i == params.end() ? empty : i->second;
}

const char* to_string(http_method m) noexcept {
  switch (m) {
    case http_method::get: return "GET";
    case http_method::post: return "POST";
    case http_method::put: return "PUT";
    case http_method::del: return "DELETE";
  }
  return "GET";
}

// -- the table ----------------------------------------------------------------

namespace {

std::string api(const char* path) {
  return std::string{api_prefix} + path;
}

} // namespace

std::vector<endpoint> endpoints(json openapi) {
  using m = http_method;
  auto doc = std::make_shared<const json>(std::move(openapi));
  const auto ns = api("/container/namespaces");
  const auto ns_name = ns + "/:name";
  return {
    {m::get, api("/health"),
     [](core& c, const http_request&, reply_handler done) {
       c.health(std::move(done));
     }},
    {m::get, api("/openapi.json"),
     [doc](core&, const http_request&, reply_handler done) {
       done(reply{200, *doc});
     }},
    {m::get, api("/events"),
     [](core& c, const http_request& r, reply_handler done) {
       c.events(r.query, std::move(done));
     }},
    {m::get, api("/events/stream"), {}, endpoint_kind::event_stream},
    {m::get, ns,
     [](core& c, const http_request&, reply_handler done) {
       c.list_namespaces(std::move(done));
     }},
    {m::post, ns,
     [](core& c, const http_request& r, reply_handler done) {
       c.create_namespace(r.body, r.meta, std::move(done));
     }},
    {m::post, ns + "/merge-instructions",
     [](core& c, const http_request& r, reply_handler done) {
       c.merge_instructions(r.body, std::move(done));
     }},
    {m::get, ns_name + "/instructions",
     [](core& c, const http_request& r, reply_handler done) {
       c.get_instructions(r.param("name"), std::move(done));
     }},
    {m::put, ns_name + "/instructions",
     [](core& c, const http_request& r, reply_handler done) {
       c.put_instructions(r.param("name"), r.body, r.meta, std::move(done));
     }},
    {m::get, ns_name,
     [](core& c, const http_request& r, reply_handler done) {
       c.get_namespace(r.param("name"), std::move(done));
     }},
    {m::put, ns_name,
     [](core& c, const http_request& r, reply_handler done) {
       c.update_namespace(r.param("name"), r.body, r.meta, std::move(done));
     }},
    {m::del, ns_name,
     [](core& c, const http_request& r, reply_handler done) {
       auto force = parse_flag(r.query, "force");
       if (!force) {
         done(force.err());
         return;
       }
       c.delete_namespace(r.param("name"), *force, r.meta, std::move(done));
     }},
    {m::get, api("/container/runtime"),
     [](core& c, const http_request& r, reply_handler done) {
       auto refresh = parse_flag(r.query, "refresh");
       if (!refresh) {
         done(refresh.err());
         return;
       }
       c.runtime(*refresh, std::move(done));
     }},
    {m::post, api("/container/image/build"),
     [](core& c, const http_request& r, reply_handler done) {
       c.build_image(r.body, r.meta, std::move(done));
     }},
    {m::get, api("/container/image/status"),
     [](core& c, const http_request& r, reply_handler done) {
       auto tag = r.query.find("imageTag");
       c.image_status(tag == r.query.end() ? std::string{} : tag->second, std::move(done));
     }},
    {m::get, api("/container/mount/allowlist"),
     [](core& c, const http_request&, reply_handler done) {
       c.mount_allowlist(std::move(done));
     }},
    {m::put, api("/container/mount/allowlist"),
     [](core& c, const http_request& r, reply_handler done) {
       c.set_mount_allowlist(r.body, r.meta, std::move(done));
     }},
    {m::post, api("/container/mount/validate"),
     [](core& c, const http_request& r, reply_handler done) {
       c.validate_mount(r.body, r.meta, std::move(done));
     }},
    {m::get, api("/container/audit-log"),
     [](core& c, const http_request& r, reply_handler done) {
       c.audit_log(r.query, std::move(done));
     }},
    {m::get, api("/container/credential-proxy/status"),
     [](core& c, const http_request&, reply_handler done) {
       c.proxy_status(std::move(done));
     }},
    {m::post, api("/container/credential-proxy/start"),
     [](core& c, const http_request& r, reply_handler done) {
       c.start_proxy(r.meta, std::move(done));
     }},
    {m::post, api("/container/credential-proxy/stop"),
     [](core& c, const http_request& r, reply_handler done) {
       c.stop_proxy(r.meta, std::move(done));
     }},
    {m::put, api("/container/credential-proxy/port"),
     [](core& c, const http_request& r, reply_handler done) {
       c.set_proxy_port(r.body, r.meta, std::move(done));
     }},
    {m::post, api("/container/credential-proxy/mappings"),
     [](core& c, const http_request& r, reply_handler done) {
       c.add_proxy_mapping(r.body, r.meta, std::move(done));
     }},
    {m::del, api("/container/credential-proxy/mappings/:id"),
     [](core& c, const http_request& r, reply_handler done) {
       c.delete_proxy_mapping(r.param("id"), r.meta, std::move(done));
     }},
  };
}

std::vector<std::string> path_params(const std::string& pattern) {
  std::vector<std::string> out;
  for (size_t i = pattern.find(':'); i != std::string::npos;
       i = pattern.find(':', i + 1)) {
    auto end = pattern.find('/', i);
    out.push_back(pattern.substr(i + 1, end == std::string::npos ? end : end - i - 1));
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> route_list() {
  std::vector<std::pair<std::string, std::string>> out;
  for (auto& e : endpoints(json::object()))
    out.emplace_back(to_string(e.method), e.path);
  return out;
}

} // namespace pincer::http

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
    {m::get, api("/metrics"),
     [](core& c, const http_request&, reply_handler done) {
       c.prometheus(std::move(done));
     }},
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
    {m::post, api("/container/ipc/directories"),
     [](core& c, const http_request& r, reply_handler done) {
       c.ipc_directories(r.body, r.meta, std::move(done));
     }},
    {m::post, api("/container/ipc/follow-up"),
     [](core& c, const http_request& r, reply_handler done) {
       c.follow_up(r.body, r.meta, std::move(done));
     }},
    {m::post, api("/container/ipc/close"),
     [](core& c, const http_request& r, reply_handler done) {
       c.close_container(r.body, r.meta, std::move(done));
     }},
    {m::get, api("/container/queue/groups"),
     [](core& c, const http_request&, reply_handler done) {
       c.queue_groups(std::move(done));
     }},
    {m::get, api("/container/queue/groups/:group"),
     [](core& c, const http_request& r, reply_handler done) {
       c.queue_group(r.param("group"), std::move(done));
     }},
    {m::get, api("/container/queue/counts"),
     [](core& c, const http_request&, reply_handler done) {
       c.queue_counts(std::move(done));
     }},
    {m::get, api("/container/queue/max-concurrent"),
     [](core& c, const http_request&, reply_handler done) {
       c.max_concurrent(std::move(done));
     }},
    {m::put, api("/container/queue/max-concurrent"),
     [](core& c, const http_request& r, reply_handler done) {
       c.set_max_concurrent(r.body, r.meta, std::move(done));
     }},
    {m::get, api("/container/run-history"),
     [](core& c, const http_request& r, reply_handler done) {
       c.run_history(r.query, std::move(done));
     }},
    {m::get, api("/container/audit-log"),
     [](core& c, const http_request& r, reply_handler done) {
       c.audit_log(r.query, std::move(done));
     }},
    {m::get, api("/container/metrics"),
     [](core& c, const http_request&, reply_handler done) {
       c.metrics(std::move(done));
     }},
    {m::get, api("/container/analytics"),
     [](core& c, const http_request& r, reply_handler done) {
       auto q = r.query;
       q.erase("view"); // internal to the metrics answer
       c.analytics(q, std::move(done));
     }},
    {m::get, api("/container/schedules"),
     [](core& c, const http_request& r, reply_handler done) {
       c.list_schedules(r.query, std::move(done));
     }},
    {m::post, api("/container/schedules"),
     [](core& c, const http_request& r, reply_handler done) {
       c.create_schedule(r.body, r.meta, std::move(done));
     }},
    {m::get, api("/container/schedules/:id/logs"),
     [](core& c, const http_request& r, reply_handler done) {
       c.schedule_logs(r.param("id"), r.query, std::move(done));
     }},
    {m::get, api("/container/schedules/:id"),
     [](core& c, const http_request& r, reply_handler done) {
       c.get_schedule(r.param("id"), std::move(done));
     }},
    {m::put, api("/container/schedules/:id"),
     [](core& c, const http_request& r, reply_handler done) {
       c.update_schedule(r.param("id"), r.body, r.meta, std::move(done));
     }},
    {m::del, api("/container/schedules/:id"),
     [](core& c, const http_request& r, reply_handler done) {
       c.delete_schedule(r.param("id"), r.meta, std::move(done));
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
    {m::get, api("/channels"),
     [](core& c, const http_request&, reply_handler done) {
       c.channels(std::move(done));
     }},
    {m::post, api("/channels/messages"),
     [](core& c, const http_request& r, reply_handler done) {
       c.send_channel_message(r.body, r.meta, std::move(done));
     }},
    {m::get, api("/channels/chats"),
     [](core& c, const http_request& r, reply_handler done) {
       c.chats(r.query, std::move(done));
     }},
    {m::get, api("/channels/chats/:jid/messages"),
     [](core& c, const http_request& r, reply_handler done) {
       c.chat_messages(r.param("jid"), r.query, std::move(done));
     }},
    {m::get, api("/channels/sender-allowlist"),
     [](core& c, const http_request&, reply_handler done) {
       c.sender_allowlist(std::move(done));
     }},
    {m::put, api("/channels/sender-allowlist"),
     [](core& c, const http_request& r, reply_handler done) {
       c.set_sender_allowlist(r.body, r.meta, std::move(done));
     }},
    {m::get, api("/channels/whatsapp/webhook"),
     [](core& c, const http_request& r, reply_handler done) {
       c.channel_webhook("whatsapp", r.raw, std::move(done));
     },
     endpoint_kind::raw},
    {m::post, api("/channels/whatsapp/webhook"),
     [](core& c, const http_request& r, reply_handler done) {
       c.channel_webhook("whatsapp", r.raw, std::move(done));
     },
     endpoint_kind::raw},
    {m::post, api("/channels/slack/events"),
     [](core& c, const http_request& r, reply_handler done) {
       c.channel_webhook("slack", r.raw, std::move(done));
     },
     endpoint_kind::raw},
    {m::post, api("/channels/:name/validate"),
     [](core& c, const http_request& r, reply_handler done) {
       c.channel_command(r.param("name"), "validate", r.body, r.meta, std::move(done));
     }},
    {m::post, api("/channels/:name/connect"),
     [](core& c, const http_request& r, reply_handler done) {
       c.channel_command(r.param("name"), "connect", r.body, r.meta, std::move(done));
     }},
    {m::post, api("/channels/:name/disconnect"),
     [](core& c, const http_request& r, reply_handler done) {
       c.channel_command(r.param("name"), "disconnect", r.body, r.meta, std::move(done));
     }},
    {m::get, api("/channels/:name"),
     [](core& c, const http_request& r, reply_handler done) {
       c.channel(r.param("name"), std::move(done));
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

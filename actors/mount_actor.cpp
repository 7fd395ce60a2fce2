#include "actors/mount_actor.hpp"

#include <spdlog/spdlog.h>

#include "events/catalog.hpp"
#include "events/container_events.hpp"

namespace pincer {

namespace {

using self_ptr = mount_actor::stateful_pointer<mount_actor_state>;

constexpr auto actor_timeout = std::chrono::seconds{30};

std::vector<std::string> strings(const json& j) {
  std::vector<std::string> out;
  for (auto& x : j)
    out.push_back(x.get<std::string>());
  return out;
}

/// Validates with the group's main flag, records the attempt, answers.
void decide(self_ptr self, mount_request req, bool is_main, request_meta meta,
            caf::typed_response_promise<reply> rp) {
  auto ctx = self->state.context;
  ctx.is_main = is_main;
  auto decision = validate_mount(req, self->state.allowlist, ctx);
  append_request append{mount_validation_stream, any_version, meta.actor, meta.request_id,
                        {event_catalog().make(event_types::mount_validated,
                                              validation_event_data(req, decision))}};
  self->request(self->state.log, actor_timeout, append_atom::value, std::move(append))
    .then([rp, decision](std::vector<record>&) mutable { rp.deliver(reply{200, to_json(decision)}); },
          [rp](caf::error& err) mutable { rp.deliver(std::move(err)); });
}

} // namespace

json allowlist_event_data(const mount_allowlist& list) {
  return json{{"allowedRoots", list.allowed_roots},
              {"readWriteRoots", list.read_write_roots},
              {"blockedPatterns", list.blocked_patterns},
              {"nonMainReadOnly", list.non_main_read_only}};
}

void apply_allowlist_event(mount_allowlist& list, const envelope& e) {
  if (e.type != event_types::mount_allowlist_set)
    return;
  list.allowed_roots = strings(e.data.value("allowedRoots", json::array()));
  list.read_write_roots = strings(e.data.value("readWriteRoots", json::array()));
  list.blocked_patterns = strings(e.data.value("blockedPatterns", json::array()));
  list.non_main_read_only = e.data.value("nonMainReadOnly", true);
  list.configured = true;
  list.updated_at = e.at;
}

json validation_event_data(const mount_request& request, const mount_decision& decision) {
  return json{{"hostPath", request.host_path},
              {"containerPath", request.container_path ? json(*request.container_path) : json()},
              {"group", request.group},
              {"requestedReadOnly", request.read_only},
              {"allowed", decision.allowed},
              {"reason", decision.reason ? json(*decision.reason) : json()},
              {"canonicalHostPath", decision.canonical_host_path},
              {"readOnly", decision.read_only}};
}

mount_actor::behavior_type mount_policy(self_ptr self, std::shared_ptr<event_store> store,
                                        event_log_actor log, directory_actor directory,
                                        mount_context context) {
  auto& st = self->state;
  st.store = std::move(store);
  st.log = std::move(log);
  st.directory = std::move(directory);
  st.context = std::move(context);
  auto read = st.store->read_stream(mount_allowlist_stream, 0, [&](const record& r) {
    if (auto e = event_catalog().decode(r)) {
      apply_allowlist_event(st.allowlist, *e);
      st.version = r.stream_version;
    }
    return true;
  });
  if (!read)
    spdlog::error("cannot rebuild the mount allowlist: {}", read.err().message);
  return {
    [self](caf::get_atom, allowlist_atom) { return reply{200, to_json(self->state.allowlist)}; },
    [self](allowlist_atom, json& body, request_meta& meta) -> caf::result<reply> {
      auto list = validate_allowlist(body, self->state.context.home);
      if (!list)
        return to_caf(list.err());
      auto& st = self->state;
      append_request req{mount_allowlist_stream, st.version, meta.actor, meta.request_id,
                         {event_catalog().make(event_types::mount_allowlist_set,
                                               allowlist_event_data(*list))}};
      auto rp = self->make_response_promise<reply>();
      self->request(st.log, actor_timeout, append_atom::value, std::move(req))
        .await(
          [self, rp, data = allowlist_event_data(*list)](std::vector<record>& stored) mutable {
            envelope e;
            static_cast<event_header&>(e) = stored.at(0);
            e.data = std::move(data);
            apply_allowlist_event(self->state.allowlist, e);
            self->state.version = e.stream_version;
            rp.deliver(reply{200, to_json(self->state.allowlist)});
          },
          [rp](caf::error& err) mutable { rp.deliver(std::move(err)); });
      return rp;
    },
    [self](validate_atom, json& body, request_meta& meta) -> caf::result<reply> {
      auto req = parse_mount_request(body);
      if (!req)
        return to_caf(req.err());
      auto rp = self->make_response_promise<reply>();
      if (req->group.empty()) {
        decide(self, std::move(*req), false, std::move(meta), rp);
        return rp;
      }
      self->request(self->state.directory, actor_timeout, caf::get_atom::value, req->group)
        .then(
          [self, rp, req = *req, meta](reply& ns) mutable {
            decide(self, std::move(req), ns.body.value("isMain", false), std::move(meta), rp);
          },
          [rp](caf::error& err) mutable {
            auto e = from_caf(err);
            if (e.code == ec::not_found)
              rp.deliver(to_caf(invalid("group", e.message)));
            else
              rp.deliver(std::move(err));
          });
      return rp;
    },
  };
}

} // namespace pincer

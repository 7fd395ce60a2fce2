#include "actors/namespace_state.hpp"
#include "actors/schedule_ipc.hpp"
#include "actors/scheduler.hpp"
#include "events/time.hpp"

namespace pincer {

namespace {

constexpr auto ask_timeout = std::chrono::seconds{30};

caf::error forbidden(const std::string& source, const std::string& what) {
  return to_caf(error{ec::forbidden, "group " + source + " may not " + what
                                       + " of another group"});
}

bool same_group(const std::string& a, const std::string& b) {
  return namespace_key(a) == namespace_key(b);
}

/// The namespace whose chats include a JID, from the directory's list.
std::string group_of_jid(const json& namespaces, const std::string& jid) {
  if (!namespaces.is_array())
    return {};
  for (auto& ns : namespaces) {
    auto jids = ns.value("chatJids", json::array());
    for (auto& j : jids)
      if (j.is_string() && j.get<std::string>() == jid)
        return ns.value("name", std::string{});
  }
  return {};
}

/// `schedule_task`: resolves the target group and creates the schedule.
void schedule_task(scheduler_self self, const std::string& source, bool is_main,
                   ipc_task_request req, request_meta meta,
                   caf::typed_response_promise<reply> rp) {
  auto id = req.task_id.empty() ? make_uuid() : req.task_id;
  if (req.target_jid.empty()) {
    auto group = req.group.empty() ? source : req.group;
    if (!is_main && !same_group(group, source))
      return rp.deliver(forbidden(source, "schedule tasks")), void();
    req.body["group"] = group;
    scheduler_create(self, req.body, id, std::move(meta), rp);
    return;
  }
  self->request(self->state.directory, ask_timeout, list_atom::value)
    .then(
      [self, source, is_main, req, id, meta, rp](reply& all) mutable {
        auto group = group_of_jid(all.body, req.target_jid);
        if (group.empty()) {
          rp.deliver(to_caf(invalid("targetJid", "no namespace has the chat " + req.target_jid)));
          return;
        }
        if (!is_main && !same_group(group, source)) {
          rp.deliver(forbidden(source, "schedule tasks"));
          return;
        }
        req.body["group"] = group;
        scheduler_create(self, req.body, id, std::move(meta), rp);
      },
      [rp](caf::error& err) mutable { rp.deliver(std::move(err)); });
}

} // namespace

caf::result<reply> handle_ipc_task(scheduler_self self, const std::string& source, bool is_main,
                                   const json& file) {
  auto req = parse_ipc_task(file);
  if (!req)
    return to_caf(req.err());
  request_meta meta{"ipc:" + source, ""};
  if (req->type == "schedule_task") {
    auto rp = self->make_response_promise<reply>();
    schedule_task(self, source, is_main, std::move(*req), std::move(meta), rp);
    return rp;
  }
  auto i = self->state.schedules.find(req->task_id);
  if (i == self->state.schedules.end())
    return to_caf(error{ec::not_found, "schedule " + req->task_id + " not found"});
  auto& current = *i->second.data;
  if (!is_main && !same_group(current.group, source))
    return forbidden(source, "change the schedules");
  auto rp = self->make_response_promise<reply>();
  if (req->type == "cancel_task") {
    scheduler_remove(self, req->task_id, "ipc", std::move(meta), rp);
    return rp;
  }
  json changes;
  if (req->type == "pause_task") {
    changes = json{{"enabled", false}};
  } else if (req->type == "resume_task") {
    changes = json{{"enabled", true}};
  } else {
    auto valid = validate_schedule_changes(ipc_update_body(*req, current));
    if (!valid) {
      rp.deliver(to_caf(valid.err()));
      return rp;
    }
    changes = std::move(*valid);
  }
  scheduler_update(self, req->task_id, std::move(changes), std::move(meta), rp);
  return rp;
}

} // namespace pincer

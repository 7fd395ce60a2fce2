#include "actors/scheduler.hpp"

#include <algorithm>
#include <optional>

#include <spdlog/spdlog.h>

#include "actors/namespace_state.hpp"
#include "actors/schedule_ipc.hpp"
#include "actors/schedule_runs.hpp"
#include "events/catalog.hpp"
#include "events/schedule_events.hpp"
#include "events/time.hpp"

namespace pincer {

namespace {

using self_ptr = scheduler_actor::stateful_pointer<scheduler_state>;

constexpr auto ask_timeout = std::chrono::seconds{30};

error no_schedule(const std::string& id) {
  return error{ec::not_found, "schedule " + id + " not found"};
}

json view_of(self_ptr self, const schedule_data& d) {
  return d.view(last_result_text(last_schedule_run(*self->state.ctx->store, d.id)));
}

schedule_actor spawn_schedule(self_ptr self, schedule_snapshot initial) {
  return self->spawn(schedule_behavior, self->state.ctx,
                     caf::actor_cast<scheduler_actor>(self), std::move(initial));
}

/// Puts a schedule's newer state into the index (removes it once deleted).
void index(self_ptr self, const schedule_snapshot& s) {
  auto& all = self->state.schedules;
  auto i = all.find(s->id);
  if (i == all.end() || i->second.data->version > s->version)
    return;
  if (s->deleted)
    all.erase(i);
  else
    i->second.data = s;
}

/// Resolves the group of a validated object through the directory (the
/// name as the directory spells it, the first chat as default `chatJid`),
/// then spawns the schedule and creates it.
void create(self_ptr self, std::string id, json object, request_meta meta,
            caf::typed_response_promise<reply> rp) {
  auto group = object["group"].get<std::string>();
  ++self->state.pending_ids[id];
  auto release = [self, id] {
    if (--self->state.pending_ids[id] <= 0)
      self->state.pending_ids.erase(id);
  };
  self->request(self->state.directory, ask_timeout, caf::get_atom::value, group)
    .then(
      [self, id, object, meta, rp, release](reply& ns) mutable {
        object["group"] = ns.body.value("name", object["group"].get<std::string>());
        auto& jids = ns.body["chatJids"];
        if (object["chatJid"].is_null() && jids.is_array() && !jids.empty())
          object["chatJid"] = jids[0];
        object["id"] = id;
        auto child = spawn_schedule(self, nullptr);
        self->request(child, ask_timeout, create_atom::value, std::move(object), std::move(meta))
          .then(
            [self, rp, child, release](schedule_snapshot& s) mutable {
              release();
              self->state.schedules[s->id] = scheduler_entry{s, child};
              rp.deliver(reply{201, view_of(self, *s)});
            },
            [rp, child, release](caf::error& err) mutable {
              release();
              caf::anon_send_exit(child, caf::exit_reason::user_shutdown);
              rp.deliver(std::move(err));
            });
      },
      [rp, release](caf::error& err) mutable {
        release();
        auto e = from_caf(err);
        rp.deliver(e.code == ec::not_found
                     ? to_caf(invalid("group", "group is not a namespace: " + e.message))
                     : std::move(err));
      });
}

/// Validates a POST body (group resolved later) and creates the schedule.
void create_from_body(self_ptr self, const json& body, std::string id, request_meta meta,
                      caf::typed_response_promise<reply> rp) {
  auto object = validate_new_schedule(body, self->state.default_zone);
  if (!object) {
    rp.deliver(to_caf(object.err()));
    return;
  }
  if (self->state.schedules.count(id) || self->state.pending_ids.count(id)) {
    rp.deliver(to_caf(error{ec::conflict, "schedule " + id + " exists"}));
    return;
  }
  create(self, std::move(id), std::move(*object), std::move(meta), rp);
}

/// Sends validated changes to a schedule; delivers its new view.
void send_update(self_ptr self, const std::string& id, json changes, request_meta meta,
                 caf::typed_response_promise<reply> rp) {
  auto i = self->state.schedules.find(id);
  if (i == self->state.schedules.end()) {
    rp.deliver(to_caf(no_schedule(id)));
    return;
  }
  self->request(i->second.actor, ask_timeout, update_atom::value, std::move(changes),
                std::move(meta))
    .then(
      [self, rp](schedule_snapshot& s) mutable {
        index(self, s);
        rp.deliver(reply{200, view_of(self, *s)});
      },
      [rp](caf::error& err) mutable { rp.deliver(std::move(err)); });
}

/// Validates a PUT body, resolves a new group, and updates.
caf::result<reply> update(self_ptr self, const std::string& id, const json& body,
                          request_meta meta) {
  if (!self->state.schedules.count(id))
    return to_caf(no_schedule(id));
  auto changes = validate_schedule_changes(body);
  if (!changes)
    return to_caf(changes.err());
  auto rp = self->make_response_promise<reply>();
  if (!changes->contains("group")) {
    send_update(self, id, std::move(*changes), std::move(meta), rp);
    return rp;
  }
  auto group = (*changes)["group"].get<std::string>();
  self->request(self->state.directory, ask_timeout, caf::get_atom::value, group)
    .then(
      [self, rp, id, changes = *changes, meta](reply& ns) mutable {
        changes["group"] = ns.body.value("name", changes["group"].get<std::string>());
        send_update(self, id, std::move(changes), std::move(meta), rp);
      },
      [rp](caf::error& err) mutable {
        auto e = from_caf(err);
        rp.deliver(e.code == ec::not_found
                     ? to_caf(invalid("group", "group is not a namespace: " + e.message))
                     : std::move(err));
      });
  return rp;
}

/// Deletes one schedule; delivers 204.
void remove(self_ptr self, const std::string& id, const std::string& reason, request_meta meta,
            caf::typed_response_promise<reply> rp) {
  auto i = self->state.schedules.find(id);
  if (i == self->state.schedules.end()) {
    rp.deliver(to_caf(no_schedule(id)));
    return;
  }
  self->request(i->second.actor, ask_timeout, caf::delete_atom::value, reason, std::move(meta))
    .then(
      [self, rp](schedule_snapshot& s) mutable {
        index(self, s);
        rp.deliver(reply{204, nullptr});
      },
      [rp](caf::error& err) mutable { rp.deliver(std::move(err)); });
}

std::vector<std::string> ids_of_group(self_ptr self, const std::string& group) {
  std::vector<std::string> out;
  auto key = namespace_key(group);
  for (auto& [id, e] : self->state.schedules)
    if (namespace_key(e.data->group) == key)
      out.push_back(id);
  return out;
}

/// Cancels every schedule of a namespace: `{"cancelled": n}`.
caf::result<reply> cancel_group(self_ptr self, const std::string& group, request_meta meta) {
  auto ids = ids_of_group(self, group);
  if (ids.empty())
    return reply{200, json{{"cancelled", 0}}};
  auto rp = self->make_response_promise<reply>();
  auto left = std::make_shared<size_t>(ids.size());
  auto cancelled = std::make_shared<size_t>(0);
  auto one_done = [rp, left, cancelled]() mutable {
    if (--*left == 0)
      rp.deliver(reply{200, json{{"cancelled", *cancelled}}});
  };
  for (auto& id : ids) {
    auto& e = self->state.schedules[id];
    self->request(e.actor, ask_timeout, caf::delete_atom::value, std::string{"namespace deleted"},
                  meta)
      .then(
        [self, cancelled, one_done](schedule_snapshot& s) mutable {
          index(self, s);
          ++*cancelled;
          one_done();
        },
        [one_done](caf::error& err) mutable {
          spdlog::error("cannot cancel a schedule: {}", caf::to_string(err));
          one_done();
        });
  }
  return rp;
}

} // namespace

void scheduler_create(self_ptr self, const json& body, std::string id, request_meta meta,
                      caf::typed_response_promise<reply> rp) {
  create_from_body(self, body, std::move(id), std::move(meta), std::move(rp));
}

void scheduler_update(self_ptr self, const std::string& id, json changes, request_meta meta,
                      caf::typed_response_promise<reply> rp) {
  send_update(self, id, std::move(changes), std::move(meta), std::move(rp));
}

void scheduler_remove(self_ptr self, const std::string& id, const std::string& reason,
                      request_meta meta, caf::typed_response_promise<reply> rp) {
  remove(self, id, reason, std::move(meta), std::move(rp));
}

scheduler_state::~scheduler_state() {
  for (auto& [id, e] : schedules)
    caf::anon_send_exit(e.actor, caf::exit_reason::user_shutdown);
  if (runs)
    caf::anon_send_exit(runs, caf::exit_reason::user_shutdown);
}

result<std::vector<schedule_snapshot>> load_schedules(const event_store& store) {
  // One scan of the log: far cheaper than a read per stream with many schedules.
  std::unordered_map<std::string, schedule_state> by_stream;
  std::optional<error> failure;
  const std::string prefix = schedule_stream_prefix;
  auto read = store.read_all(0, [&](const record& r) {
    if (r.stream.compare(0, prefix.size(), prefix) != 0)
      return true;
    auto e = event_catalog().decode(r);
    if (!e) {
      failure = e.err();
      return false;
    }
    by_stream[r.stream].apply(*e);
    return true;
  });
  if (!read)
    return read.err();
  if (failure)
    return *failure;
  std::vector<schedule_snapshot> out;
  out.reserve(by_stream.size());
  for (auto& [stream, s] : by_stream)
    if (s.data && !s.data->deleted && !s.data->id.empty())
      out.push_back(std::move(s.data));
  return out;
}

scheduler_actor::behavior_type scheduler(self_ptr self,
                                         std::shared_ptr<const schedule_context> ctx,
                                         directory_actor directory, std::string default_zone) {
  auto& st = self->state;
  st.ctx = std::move(ctx);
  st.directory = std::move(directory);
  st.default_zone = std::move(default_zone);
  st.runs = self->spawn(schedule_runs, st.ctx->store);
  self->send(st.ctx->log, subscribe_atom::value, caf::actor_cast<caf::actor>(st.runs));
  if (auto loaded = load_schedules(*st.ctx->store); !loaded) {
    spdlog::error("cannot rebuild the schedules: {}", loaded.err().message);
  } else {
    st.schedules.reserve(loaded->size());
    for (auto& s : *loaded)
      st.schedules.emplace(s->id, scheduler_entry{s, spawn_schedule(self, s)});
  }
  return {
    [self](create_atom, json& body, request_meta& meta) {
      auto rp = self->make_response_promise<reply>();
      create_from_body(self, body, make_uuid(), std::move(meta), rp);
      return rp;
    },
    [self](list_atom, query_params& q) -> caf::result<reply> {
      std::vector<const schedule_data*> found;
      auto group = q.count("group") ? namespace_key(q["group"]) : std::string{};
      for (auto& [id, e] : self->state.schedules)
        if (group.empty() || namespace_key(e.data->group) == group)
          found.push_back(e.data.get());
      std::sort(found.begin(), found.end(), [](auto a, auto b) {
        return std::tie(a->created_at, a->id) < std::tie(b->created_at, b->id);
      });
      json out = json::array();
      if (found.size() <= 16) {
        for (auto d : found)
          out.push_back(view_of(self, *d));
        return reply{200, std::move(out)};
      }
      // Many schedules: the newest log entries in one scan, not a seek each.
      auto last = last_schedule_runs(*self->state.ctx->store);
      for (auto d : found) {
        auto i = last.find(d->id);
        out.push_back(d->view(i == last.end() ? json() : last_result_text(i->second)));
      }
      return reply{200, std::move(out)};
    },
    [self](caf::get_atom, std::string& id) -> caf::result<reply> {
      auto i = self->state.schedules.find(id);
      if (i == self->state.schedules.end())
        return to_caf(no_schedule(id));
      return reply{200, view_of(self, *i->second.data)};
    },
    [self](update_atom, std::string& id, json& body, request_meta& meta) {
      return update(self, id, body, std::move(meta));
    },
    [self](caf::delete_atom, std::string& id, request_meta& meta) {
      auto rp = self->make_response_promise<reply>();
      remove(self, id, "api", std::move(meta), rp);
      return rp;
    },
    [self](logs_atom, std::string& id, query_params& q) -> caf::result<reply> {
      if (!self->state.schedules.count(id))
        return to_caf(no_schedule(id));
      q["scheduleId"] = id;
      auto rp = self->make_response_promise<reply>();
      self->request(self->state.runs, ask_timeout, query_atom::value, std::move(q))
        .then([rp](reply& r) mutable { rp.deliver(std::move(r)); },
              [rp](caf::error& err) mutable { rp.deliver(std::move(err)); });
      return rp;
    },
    [self](ipc_atom, std::string& source, bool is_main, json& file) {
      return handle_ipc_task(self, source, is_main, file);
    },
    [self](caf::get_atom, namespace_atom, std::string& group) {
      return reply{200, json{{"count", ids_of_group(self, group).size()}}};
    },
    [self](caf::delete_atom, namespace_atom, std::string& group, request_meta& meta) {
      return cancel_group(self, group, std::move(meta));
    },
    [self](changed_atom, schedule_snapshot& s) { index(self, s); },
  };
}

} // namespace pincer

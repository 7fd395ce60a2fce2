#include "actors/scheduler.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "actors/namespace_state.hpp"
#include "actors/schedule_ipc.hpp"
#include "actors/schedule_runs.hpp"
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

/// A schedule's actor, spawned with its current state on first need; from
/// then on it times itself, so it leaves the timetable.
schedule_actor actor_of(self_ptr self, scheduler_entry& e) {
  if (!e.actor) {
    self->state.timetable.erase(e.data->id);
    e.actor = spawn_schedule(self, e.data);
  }
  return e.actor;
}

/// The time the timetable is read at: `wake_ahead` past the wall clock, so
/// a dormant schedule gets its actor before its slot.
int64_t horizon(self_ptr self) {
  return self->state.ctx->clock() + self->state.ctx->wake_ahead.count();
}

/// Arms the wake-up for the timetable's earliest slot (`wake_ahead` before
/// it), unless the armed one comes in time.
void arm_wake(self_ptr self) {
  auto& st = self->state;
  auto ahead = horizon(self);
  auto at = st.timetable.wake_at(st.wake, ahead, st.ctx->max_timer.count());
  if (!at)
    return;
  st.wake = *at;
  auto me = caf::actor_cast<scheduler_actor>(self);
  if (*at <= ahead)
    self->send(me, tick_atom::value);
  else
    self->delayed_send(me, std::chrono::milliseconds{*at - ahead}, tick_atom::value);
}

/// Spawns the actor of every dormant schedule whose slot is near; each
/// arms its own timer.
void wake(self_ptr self) {
  auto& st = self->state;
  auto ahead = horizon(self);
  if (st.wake <= ahead)
    st.wake = 0; // the armed wake-up has come (or is this one)
  for (auto& [id, slot] : st.timetable.take_due(ahead)) {
    auto i = st.schedules.find(id);
    if (i != st.schedules.end())
      actor_of(self, i->second);
  }
  arm_wake(self);
}

/// Puts a schedule's newer (or same) state into the index (removes it once
/// deleted); a schedule without an actor is filed in the timetable.
void index(self_ptr self, const schedule_snapshot& s) {
  auto& st = self->state;
  auto i = st.schedules.find(s->id);
  if (i == st.schedules.end() || i->second.data->version > s->version)
    return;
  if (s->deleted) {
    st.timetable.erase(s->id);
    st.schedules.erase(i);
    return;
  }
  i->second.data = s;
  if (i->second.actor)
    return;
  st.timetable.set(*s);
  arm_wake(self);
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
              index(self, s);
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
  self->request(actor_of(self, i->second), ask_timeout, update_atom::value, std::move(changes),
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
  self
    ->request(actor_of(self, i->second), ask_timeout, caf::delete_atom::value, reason,
              std::move(meta))
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
    auto child = actor_of(self, self->state.schedules[id]);
    self->request(child, ask_timeout, caf::delete_atom::value, std::string{"namespace deleted"},
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
    if (e.actor)
      caf::anon_send_exit(e.actor, caf::exit_reason::user_shutdown);
  if (runs)
    caf::anon_send_exit(runs, caf::exit_reason::user_shutdown);
}

scheduler_actor::behavior_type scheduler(self_ptr self,
                                         std::shared_ptr<const schedule_context> ctx,
                                         directory_actor directory, std::string default_zone,
                                         std::vector<schedule_snapshot> loaded) {
  auto& st = self->state;
  st.ctx = std::move(ctx);
  st.directory = std::move(directory);
  st.default_zone = std::move(default_zone);
  st.runs = self->spawn(schedule_runs, st.ctx->store);
  self->send(st.ctx->log, subscribe_atom::value, caf::actor_cast<caf::actor>(st.runs));
  auto now = st.ctx->clock();
  st.schedules.reserve(loaded.size());
  st.timetable.reserve(loaded.size());
  for (auto& s : loaded) {
    schedule_state restored{std::move(s)};
    restored.skip_missed(now);
    st.timetable.set(*restored.data);
    auto id = restored.data->id;
    st.schedules.emplace(std::move(id),
                         scheduler_entry{std::move(restored.data), schedule_actor{}});
  }
  arm_wake(self);
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
    [self](tick_atom) { wake(self); },
  };
}

} // namespace pincer

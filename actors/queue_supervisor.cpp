#include "actors/queue_supervisor.hpp"

#include <algorithm>
#include <utility>

#include <spdlog/spdlog.h>

#include "actors/namespace_state.hpp"
#include "actors/projection.hpp"
#include "events/catalog.hpp"
#include "events/queue_events.hpp"
#include "events/time.hpp"

namespace pincer {

namespace {

using self_ptr = queue_actor::stateful_pointer<queue_supervisor_state>;

constexpr auto ask_timeout = std::chrono::seconds{30};

/// Most recent runs shown with one group.
constexpr size_t recent_run_count = 10;

/// The group actor of a namespace, spawned on first use.
group_actor group_of(self_ptr self, const std::string& name) {
  auto& st = self->state;
  auto key = namespace_key(name);
  auto i = st.groups.find(key);
  if (i != st.groups.end())
    return i->second;
  auto g = self->spawn<caf::linked>(group_behavior, name, st.ctx, queue_actor{self});
  st.groups.emplace(key, g);
  return g;
}

/// Looks the namespace up, then runs `cmd` with the group's actor and the
/// namespace object; `cmd` answers through the promise.
template <class Command>
caf::result<reply> route(self_ptr self, const std::string& name, Command cmd,
                                   request_meta meta) {
  auto rp = self->make_response_promise<reply>();
  self->request(self->state.directory, ask_timeout, caf::get_atom::value, name)
    .then(
      [self, rp, cmd, meta](reply& found) mutable {
        auto ns = std::move(found.body);
        auto g = group_of(self, ns.value("name", ""));
        cmd(self, g, std::move(ns), std::move(meta), rp);
      },
      [rp](caf::error& err) mutable { rp.deliver(std::move(err)); });
  return rp;
}

template <class Message>
caf::result<reply> enqueue(self_ptr self, const std::string& name, Message m, request_meta meta) {
  return route(
    self, name,
    [m](self_ptr self, group_actor g, json ns, request_meta meta,
        caf::typed_response_promise<reply> rp) mutable {
      self->request(g, ask_timeout, enqueue_atom::value, std::move(m), std::move(ns),
                    std::move(meta))
        .then([rp](reply& r) mutable { rp.deliver(std::move(r)); },
              [rp](caf::error& err) mutable { rp.deliver(std::move(err)); });
    },
    std::move(meta));
}

template <class Atom>
caf::result<reply> group_command(self_ptr self, const std::string& name, request_meta meta) {
  return route(
    self, name,
    [](self_ptr self, group_actor g, json ns, request_meta meta,
       caf::typed_response_promise<reply> rp) mutable {
      self->request(g, ask_timeout, Atom::value, std::move(ns), std::move(meta))
        .then([rp](reply& r) mutable { rp.deliver(std::move(r)); },
              [rp](caf::error& err) mutable { rp.deliver(std::move(err)); });
    },
    std::move(meta));
}

void grant(self_ptr self, const std::vector<std::string>& keys) {
  for (auto& key : keys)
    if (auto i = self->state.groups.find(key); i != self->state.groups.end())
      self->send(i->second, granted_atom::value);
}

caf::result<reply> set_limit(self_ptr self, json& body, request_meta& meta) {
  auto limit = parse_max_concurrent(body);
  if (!limit)
    return to_caf(limit.err());
  auto& st = self->state;
  auto data = json{{"maxConcurrent", *limit}};
  append_request req{queue_settings_stream, st.settings_version, meta.actor, meta.request_id,
                     {event_catalog().make(event_types::queue_max_concurrent_set, data)}};
  auto rp = self->make_response_promise<reply>();
  self->request(st.ctx.log, ask_timeout, append_atom::value, std::move(req))
    .await(
      [self, rp, limit = *limit, data](std::vector<record>& stored) mutable {
        self->state.settings_version = stored.back().stream_version;
        grant(self, self->state.slots.set_limit(limit));
        rp.deliver(reply{200, data});
      },
      [rp](caf::error& err) mutable { rp.deliver(std::move(err)); });
  return rp;
}

caf::result<reply> list_groups(self_ptr self) {
  auto rp = self->make_response_promise<reply>();
  self->request(self->state.directory, ask_timeout, list_atom::value)
    .then(
      [self, rp](reply& all) mutable {
        json out = json::array();
        for (auto& ns : all.body) {
          auto name = ns.value("name", "");
          auto i = self->state.entries.find(namespace_key(name));
          out.push_back(i != self->state.entries.end() ? i->second : idle_entry(name));
        }
        rp.deliver(reply{200, std::move(out)});
      },
      [rp](caf::error& err) mutable { rp.deliver(std::move(err)); });
  return rp;
}

caf::result<reply> one_group(self_ptr self, const std::string& name) {
  auto rp = self->make_response_promise<reply>();
  self->request(self->state.directory, ask_timeout, caf::get_atom::value, name)
    .then(
      [self, rp](reply& found) mutable {
        auto& st = self->state;
        auto name = found.body.value("name", "");
        auto i = st.entries.find(namespace_key(name));
        auto entry = i != st.entries.end() ? i->second : idle_entry(name);
        query_params q{{"group", name}, {"limit", std::to_string(recent_run_count)}};
        self->request(st.history, ask_timeout, query_atom::value, std::move(q))
          .then(
            [rp, entry](reply& runs) mutable {
              entry["recentRuns"] = std::move(runs.body["items"]);
              rp.deliver(reply{200, std::move(entry)});
            },
            [rp](caf::error& err) mutable { rp.deliver(std::move(err)); });
      },
      [rp](caf::error& err) mutable { rp.deliver(std::move(err)); });
  return rp;
}

/// Spawns the actor of every group that has queue events, with its namespace.
void recover(self_ptr self) {
  for (auto& [stream, version] : self->state.ctx.store->streams("group/")) {
    auto name = stream.substr(std::string{"group/"}.size());
    self->request(self->state.directory, ask_timeout, caf::get_atom::value, name)
      .then([self](reply& found) {
              auto ns = std::move(found.body);
              self->send(group_of(self, ns.value("name", "")), update_atom::value, std::move(ns));
            },
            [](caf::error&) { /* a deleted namespace keeps its history only */ });
  }
}

} // namespace

// -- pure helpers -------------------------------------------------------------

result<std::string> parse_group_body(const json& body) {
  auto i = body.find("group");
  if (i == body.end() || !i->is_string() || i->get<std::string>().empty())
    return invalid("group", "group must be a non-empty string");
  auto name = i->get<std::string>();
  if (!valid_namespace_name(name))
    return invalid("group", "group must be a valid namespace name");
  return name;
}

result<std::pair<std::string, queued_message>> parse_follow_up(const json& body) {
  auto group = parse_group_body(body);
  if (!group)
    return group.err();
  auto text = body.find("text");
  if (text == body.end() || !text->is_string() || text->get<std::string>().empty())
    return invalid("text", "text must be a non-empty string");
  if (text->get<std::string>().size() > max_message_bytes)
    return invalid("text", "text must be at most 64 KiB");
  queued_message m;
  m.text = text->get<std::string>();
  m.source = "follow-up";
  if (auto s = body.find("sender"); s != body.end() && !s->is_null()) {
    if (!s->is_string() || s->get<std::string>().size() > 256)
      return invalid("sender", "sender must be a string of at most 256 bytes");
    m.sender = s->get<std::string>();
  }
  return std::make_pair(*group, std::move(m));
}

result<size_t> parse_max_concurrent(const json& body) {
  auto i = body.find("maxConcurrent");
  if (i == body.end() || !i->is_number_integer() || i->get<int64_t>() < 1
      || i->get<int64_t>() > 256)
    return invalid("maxConcurrent", "maxConcurrent must be an integer from 1 to 256");
  return static_cast<size_t>(i->get<int64_t>());
}

json idle_entry(const std::string& group) {
  return json{{"group", group},          {"state", "idle"},       {"isTaskContainer", false},
              {"runningTaskId", nullptr}, {"containerName", nullptr}, {"startedAt", nullptr},
              {"pendingMessages", 0},     {"pendingTasks", 0},     {"retryCount", 0},
              {"nextRetryAt", nullptr}};
}

json queue_counts(const std::map<std::string, json>& entries, const slot_state& slots) {
  size_t active = 0, idle = 0, messages = 0, tasks = 0;
  for (auto& [key, e] : entries) {
    auto state = e.value("state", "");
    active += state == "running" || state == "idle_waiting";
    idle += state == "idle_waiting";
    messages += e.value("pendingMessages", size_t{0});
    tasks += e.value("pendingTasks", size_t{0});
  }
  return json{{"active", active},           {"idleWaiting", idle},
              {"waitingGroups", slots.waiting()}, {"pendingMessages", messages},
              {"pendingTasks", tasks},      {"maxConcurrent", slots.limit()}};
}

// -- behaviour ----------------------------------------------------------------

queue_actor::behavior_type queue_supervisor(self_ptr self, group_context ctx,
                                            audit_actor history, bool hold_slots) {
  auto& st = self->state;
  st.ready = !hold_slots;
  st.ctx = std::move(ctx);
  st.history = std::move(history);
  st.directory = st.ctx.directory;
  auto read = read_stream_events(*st.ctx.store, queue_settings_stream, 0, [&](const envelope& e) {
    st.settings_version = e.stream_version;
    if (e.type == event_types::queue_max_concurrent_set)
      st.slots.set_limit(e.data.value("maxConcurrent", size_t{5}));
  });
  if (!read)
    spdlog::error("cannot read the queue settings: {}", read.err().message);
  recover(self);
  return {
    [self](enqueue_atom, std::string& group, queued_message& m, request_meta& meta) {
      return enqueue(self, group, std::move(m), std::move(meta));
    },
    [self](enqueue_atom, std::string& group, queued_task& t, request_meta& meta) {
      return enqueue(self, group, std::move(t), std::move(meta));
    },
    [self](enqueue_atom, json& body, request_meta& meta) -> caf::result<reply> {
      auto parsed = parse_follow_up(body);
      if (!parsed)
        return to_caf(parsed.err());
      return enqueue(self, parsed->first, std::move(parsed->second), std::move(meta));
    },
    [self](close_atom, json& body, request_meta& meta) -> caf::result<reply> {
      auto group = parse_group_body(body);
      if (!group)
        return to_caf(group.err());
      return group_command<close_atom>(self, *group, std::move(meta));
    },
    [self](ipc_atom, json& body, request_meta& meta) -> caf::result<reply> {
      auto group = parse_group_body(body);
      if (!group)
        return to_caf(group.err());
      return group_command<ipc_atom>(self, *group, std::move(meta));
    },
    [self](caf::get_atom, groups_atom) { return list_groups(self); },
    [self](caf::get_atom, groups_atom, std::string& name) { return one_group(self, name); },
    [self](caf::get_atom, counts_atom) {
      return reply{200, queue_counts(self->state.entries, self->state.slots)};
    },
    [self](caf::get_atom, limit_atom) {
      return reply{200, json{{"maxConcurrent", self->state.slots.limit()}}};
    },
    [self](limit_atom, json& body, request_meta& meta) { return set_limit(self, body, meta); },
    [self](ipc_atom, std::string& group) {
      self->request(self->state.directory, ask_timeout, caf::get_atom::value, group)
        .then([self](reply& found) {
                auto ns = std::move(found.body);
                self->send(group_of(self, ns.value("name", "")), ipc_atom::value, std::move(ns));
              },
              [group](caf::error&) { spdlog::warn("IPC files for unknown group {}", group); });
    },
    [self](update_atom, caf::actor& scheduler) {
      self->state.ctx.scheduler = caf::actor_cast<scheduler_actor>(scheduler);
      for (auto& [key, g] : self->state.groups)
        self->send(g, update_atom::value, scheduler);
    },
    [self](caf::delete_atom, std::string& name, bool force,
           request_meta& meta) -> caf::result<reply> {
      auto i = self->state.groups.find(namespace_key(name));
      if (i == self->state.groups.end())
        return reply{200, json{{"active", false}}};
      auto rp = self->make_response_promise<reply>();
      self->request(i->second, ask_timeout, caf::delete_atom::value, force, std::move(meta))
        .then([rp](reply& r) mutable { rp.deliver(std::move(r)); },
              [rp](caf::error& err) mutable { rp.deliver(std::move(err)); });
      return rp;
    },
    [self](ready_atom) {
      auto& st = self->state;
      st.ready = true;
      for (auto& key : std::exchange(st.held, {}))
        if (st.slots.acquire(key))
          grant(self, {key});
    },
    [self](acquire_atom, std::string& group) {
      auto& st = self->state;
      auto key = namespace_key(group);
      if (!st.ready) {
        if (std::find(st.held.begin(), st.held.end(), key) == st.held.end())
          st.held.push_back(key);
      } else if (st.slots.acquire(key)) {
        grant(self, {key});
      }
    },
    [self](release_atom, std::string& group) {
      auto& st = self->state;
      auto key = namespace_key(group);
      st.held.erase(std::remove(st.held.begin(), st.held.end(), key), st.held.end());
      grant(self, st.slots.release(key));
    },
    [self](status_atom, std::string& group, json& entry) {
      self->state.entries[namespace_key(group)] = std::move(entry);
    },
  };
}

} // namespace pincer

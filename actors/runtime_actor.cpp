#include "actors/runtime_actor.hpp"

#include <spdlog/spdlog.h>

#include "events/catalog.hpp"
#include "events/container_events.hpp"
#include "events/time.hpp"

namespace pincer {

namespace {

using self_ptr = runtime_actor::stateful_pointer<runtime_actor_state>;

constexpr auto log_timeout = std::chrono::seconds{30};

bool succeeded(const process_result& r) {
  return r.exit_code == 0 && !r.timed_out && !r.spawn_failed;
}

std::string tail(std::string text, size_t n) {
  return text.size() <= n ? text : text.substr(text.size() - n);
}

void append_event(self_ptr self, const std::string& stream, const char* type, json data,
                  const request_meta& meta, std::function<void()> then = {}) {
  append_request req{stream, any_version, meta.actor, meta.request_id,
                     {event_catalog().make(type, std::move(data))}};
  self->request(self->state.log, log_timeout, append_atom::value, std::move(req))
    .then([then](std::vector<record>&) { if (then) then(); },
          [then](caf::error& err) {
            spdlog::error("cannot record runtime event: {}", caf::to_string(err));
            if (then)
              then();
          });
}

/// Runs `f` now, or once the detection in progress has finished.
void after_detection(self_ptr self, std::function<void()> f) {
  if (self->state.detecting)
    self->state.awaiting_detection.push_back(std::move(f));
  else
    f();
}

void probe(self_ptr self, size_t index) {
  auto order = detection_order(self->state.settings.configured);
  if (index >= order.size()) {
    caf::anon_send(self, detected_atom::value, runtime_not_found(order));
    return;
  }
  process_spec spec;
  spec.argv = probe_command(order[index]);
  spec.timeout = self->state.settings.probe_timeout;
  spec.output_cap = 64 * 1024;
  runtime_actor handle = self;
  self->state.runner->start(std::move(spec), [handle, index](process_result r) {
    caf::anon_send(handle, probed_atom::value, index, std::move(r));
  });
}

void start_detection(self_ptr self) {
  if (self->state.probing)
    return;
  self->state.detecting = true;
  self->state.probing = true;
  probe(self, 0);
}

void finish_detection(self_ptr self, runtime_info info) {
  auto& st = self->state;
  st.info = std::move(info);
  auto facts = to_json(st.info);
  facts.erase("message");
  auto continuations = std::move(st.awaiting_detection);
  st.awaiting_detection.clear();
  auto resume = [self, continuations] {
    self->state.detecting = false;
    self->state.probing = false;
    for (auto& f : continuations)
      f();
  };
  spdlog::info("container runtime: {}", st.info.message);
  if (facts == st.recorded) {
    resume();
    return;
  }
  st.recorded = facts;
  append_event(self, runtime_stream, event_types::runtime_detected, facts,
               request_meta{"system", ""}, resume);
}

void start_build(self_ptr self, std::string tag, bool no_cache, request_meta meta,
                 runtime_actor_state::promise rp) {
  auto& st = self->state;
  if (!st.info.available) {
    rp.deliver(to_caf(error{ec::runtime_unavailable, st.info.message}));
    return;
  }
  auto& waiting = st.building[tag];
  waiting.push_back(rp);
  if (waiting.size() > 1)
    return; // Joins the build already running for this tag.
  st.last_build[tag] = json{{"state", "building"}, {"lastBuildAt", format_time(now_ms())}};
  append_event(self, "image/" + tag, event_types::image_build_started,
               json{{"imageTag", tag}, {"noCache", no_cache}}, meta);
  process_spec spec;
  spec.argv = build_image_args(*st.info.backend, tag, st.settings.build_context,
                               st.settings.build_file, no_cache);
  spec.timeout = st.settings.build_timeout;
  spec.output_cap = build_output_tail;
  runtime_actor handle = self;
  st.runner->start(std::move(spec), [handle, tag, meta](process_result r) {
    caf::anon_send(handle, built_atom::value, tag, meta, std::move(r));
  });
}

void finish_build(self_ptr self, const std::string& tag, const request_meta& meta,
                  process_result r) {
  auto answer = build_answer(tag, r);
  json data{{"imageTag", tag},
            {"success", answer["success"]},
            {"durationMs", r.duration_ms},
            {"exitCode", r.exit_code},
            {"outputBytes", r.out.size() + r.err.size()}};
  append_event(self, "image/" + tag, event_types::image_build_finished, data, meta,
               [self, tag, answer] {
                 auto& st = self->state;
                 bool ok = answer["success"].get<bool>();
                 st.last_build[tag] = json{{"state", ok ? "idle" : "failed"},
                                           {"lastBuildAt", format_time(now_ms())}};
                 auto waiting = std::move(st.building[tag]);
                 st.building.erase(tag);
                 for (auto& rp : waiting)
                   rp.deliver(reply{ok ? 200 : 422, answer});
               });
}

void start_inspect(self_ptr self, std::string tag, runtime_actor_state::promise rp) {
  auto& st = self->state;
  if (!st.info.available) {
    rp.deliver(to_caf(error{ec::runtime_unavailable, st.info.message}));
    return;
  }
  auto id = ++st.next_inspect;
  st.inspecting.emplace(id, rp);
  process_spec spec;
  spec.argv = image_inspect_args(*st.info.backend, tag);
  spec.timeout = st.settings.probe_timeout;
  spec.output_cap = 64 * 1024;
  runtime_actor handle = self;
  st.runner->start(std::move(spec), [handle, id, tag](process_result r) {
    caf::anon_send(handle, inspected_atom::value, id, tag, std::move(r));
  });
}

} // namespace

json build_answer(const std::string& tag, const process_result& r) {
  bool ok = succeeded(r);
  std::string message = ok            ? "Build completed successfully"
                        : r.timed_out ? "Build timed out"
                        : r.spawn_failed
                          ? "Build could not start"
                          : "Build failed with exit code " + std::to_string(r.exit_code);
  return json{{"success", ok},
              {"imageTag", tag},
              {"message", message},
              {"output", tail(r.out + r.err, build_output_tail)},
              {"durationMs", r.duration_ms}};
}

json image_status(const std::string& tag, const std::optional<image_facts>& facts,
                  const json& build) {
  json out{{"exists", facts.has_value()},
           {"imageTag", tag},
           {"message", facts ? "Image is ready" : "Image not found"},
           {"imageId", nullptr},
           {"createdAt", nullptr},
           {"sizeBytes", nullptr},
           {"build", build}};
  if (facts) {
    out["imageId"] = facts->id;
    out["createdAt"] = facts->created_at ? json(format_time(facts->created_at)) : json();
    out["sizeBytes"] = facts->size_bytes;
  }
  return out;
}

runtime_actor::behavior_type runtime_behavior(self_ptr self, runtime_settings settings,
                                              std::shared_ptr<process_runner> runner,
                                              std::shared_ptr<event_store> store,
                                              event_log_actor log) {
  auto& st = self->state;
  st.settings = std::move(settings);
  st.runner = std::move(runner);
  st.log = std::move(log);
  st.info = runtime_not_found({});
  store->read_stream(runtime_stream, 0, [&](const record& r) {
    if (auto e = event_catalog().decode(r))
      st.recorded = e->data;
    return true;
  });
  if (st.recorded.is_null()) {
    // Nothing recorded yet: finding no runtime is no change worth an event.
    st.recorded = to_json(st.info);
    st.recorded.erase("message");
  }
  if (st.settings.detect_at_spawn)
    start_detection(self);
  else
    st.detecting = true;
  return {
    [self](caf::get_atom, runtime_atom, bool refresh) -> caf::result<reply> {
      auto rp = self->make_response_promise<reply>();
      if (refresh)
        start_detection(self);
      after_detection(self, [self, rp]() mutable {
        rp.deliver(reply{200, to_json(self->state.info)});
      });
      return rp;
    },
    [self](runtime_atom) -> caf::result<runtime_info> {
      auto rp = self->make_response_promise<runtime_info>();
      after_detection(self, [self, rp]() mutable { rp.deliver(self->state.info); });
      return rp;
    },
    [self](probed_atom, size_t index, process_result& r) {
      auto order = detection_order(self->state.settings.configured);
      auto info = interpret_probe(order.at(index), r, docker_desktop_platform());
      if (info.available)
        finish_detection(self, std::move(info));
      else
        probe(self, index + 1);
    },
    [self](detected_atom, runtime_info& info) { finish_detection(self, std::move(info)); },
    [self](build_atom, json& body, request_meta& meta) -> caf::result<reply> {
      auto tag = body.value("imageTag", json(self->state.settings.default_image));
      if (!tag.is_string())
        return to_caf(invalid("imageTag", "imageTag must be a string"));
      if (auto ok = validate_image_tag(tag.get<std::string>()); !ok)
        return to_caf(ok.err());
      auto no_cache = body.value("noCache", json(false));
      if (!no_cache.is_boolean())
        return to_caf(invalid("noCache", "noCache must be a boolean"));
      auto rp = self->make_response_promise<reply>();
      after_detection(self, [=]() mutable {
        start_build(self, tag.get<std::string>(), no_cache.get<bool>(), meta, rp);
      });
      return rp;
    },
    [self](built_atom, std::string& tag, request_meta& meta, process_result& r) {
      finish_build(self, tag, meta, std::move(r));
    },
    [self](status_atom, std::string& tag) -> caf::result<reply> {
      if (tag.empty())
        tag = self->state.settings.default_image;
      if (auto ok = validate_image_tag(tag); !ok)
        return to_caf(ok.err());
      auto rp = self->make_response_promise<reply>();
      after_detection(self, [=]() mutable { start_inspect(self, tag, rp); });
      return rp;
    },
    [self](inspected_atom, uint64_t id, std::string& tag, process_result& r) {
      auto& st = self->state;
      auto i = st.inspecting.find(id);
      if (i == st.inspecting.end())
        return;
      auto facts = r.exit_code == 0 ? parse_image_inspect(*st.info.backend, r.out)
                                    : std::optional<image_facts>{};
      auto build = st.last_build.count(tag)
                     ? st.last_build[tag]
                     : json{{"state", "idle"}, {"lastBuildAt", nullptr}};
      i->second.deliver(reply{200, image_status(tag, facts, build)});
      st.inspecting.erase(i);
    },
  };
}

} // namespace pincer

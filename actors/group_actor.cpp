#include "actors/group_actor.hpp"

#include "actors/group_detail.hpp"
#include "actors/group_run.hpp"
#include "actors/ipc_files.hpp"
#include "actors/projection.hpp"
#include "actors/run_output.hpp"
#include "events/catalog.hpp"
#include "events/queue_events.hpp"
#include "events/time.hpp"

namespace pincer {

namespace {

using namespace group_detail;

// -- slots and timers ---------------------------------------------------------

/// Asks for a slot when work waits, or arms the retry timer.
void maybe_run(self_ptr self) {
  auto& st = self->state;
  if (st.queue.run || st.has_slot || st.wants_slot)
    return;
  if (st.queue.next_work(now(self)) != group_work::none) {
    st.wants_slot = true;
    self->send(st.supervisor, acquire_atom::value, st.queue.group);
  } else if (!st.queue.messages.empty() && !st.retry_armed) {
    st.retry_armed = true;
    auto delay = std::max<int64_t>(0, st.queue.next_retry_at - now(self));
    self->delayed_send(self, std::chrono::milliseconds{delay}, retry_atom::value);
  }
  publish(self);
}

void arm_hard_timeout(self_ptr self) {
  auto& st = self->state;
  ++st.hard_gen;
  auto limit = hard_timeout(st.queue, st.ns, st.ctx.policy, st.idle_waiting);
  if (limit.count() > 0)
    self->delayed_send(self, limit, timeout_atom::value, st.attempt, st.hard_gen);
}

/// Writes `_close` into the container's input folder and adds its event to
/// `out`; false when there is no run to close, it is closing already, or the
/// file cannot be written.
bool request_close(self_ptr self, const std::string& reason, std::vector<draft>& out) {
  auto& st = self->state;
  if (!st.queue.run || st.closing)
    return false;
  if (auto ok = write_close(ipc_root(self), st.queue.group); !ok) {
    spdlog::error("group {}: cannot write _close: {}", st.queue.group, ok.err().message);
    return false;
  }
  st.closing = true;
  ++st.idle_gen;
  out.push_back(event_catalog().make(event_types::ipc_close_requested,
                                     json{{"group", st.queue.group},
                                          {"runId", st.queue.run->run_id},
                                          {"reason", reason}}));
  return true;
}

/// Closes the running container and records it.
void close_container(self_ptr self, const std::string& reason, const request_meta& meta) {
  std::vector<draft> drafts;
  if (request_close(self, reason, drafts))
    commit(self, std::move(drafts), meta, [] {});
}

// -- the run ------------------------------------------------------------------

/// Ends the current run (or a run that never got a container) and frees the slot.
void finish_run(self_ptr self, run_exit how) {
  auto& st = self->state;
  how.finished_at = now(self);
  ++st.hard_gen;
  ++st.idle_gen;
  commit(self, st.queue.finish(how, st.ctx.policy), system_meta, [self] {
    auto& st = self->state;
    st.process = 0;
    st.idle_waiting = st.closing = st.timed_out = false;
    if (st.has_slot) {
      st.has_slot = false;
      self->send(st.supervisor, release_atom::value, st.queue.group);
    }
    st.retry_armed = false;
    maybe_run(self);
  });
}

/// Starts the container for a prepared run.
void launch(self_ptr self, launch_spec spec) {
  auto& st = self->state;
  auto attempt = ++st.attempt;
  auto parser = std::make_shared<output_parser>();
  auto me = group_actor{self};
  st.process = st.ctx.launcher->launch(
    std::move(spec),
    [me, attempt, parser](std::string_view chunk) {
      for (auto& block : parser->feed(chunk))
        caf::anon_send(me, output_atom::value, attempt, std::move(block));
    },
    [me, attempt](process_result r) {
      caf::anon_send(me, exited_atom::value, attempt, std::move(r));
    });
  arm_hard_timeout(self);
}

/// Records the start of `w` and launches it; failures end the run at once.
void start_run(self_ptr self, group_work w, prepared_run prepared) {
  auto& st = self->state;
  auto started = st.queue.start(w, make_uuid(), prepared.container_name, prepared.image,
                                first_chat(st.ns), now(self));
  commit(self, {std::move(started)}, system_meta, [self, prepared = std::move(prepared)] {
    auto& st = self->state;
    if (!prepared.failure.empty()) {
      run_exit how;
      how.failure = prepared.failure;
      finish_run(self, std::move(how));
      return;
    }
    auto input = container_input(st.queue, *st.queue.run, is_main(st.ns),
                                 st.ctx.assistant_name, st.ctx.tz);
    launch_spec spec{prepared.argv, prepared.stop_argv, input.dump() + "\n"};
    if (auto ok = clear_input(ipc_root(self), st.queue.group); !ok)
      spdlog::warn("group {}: cannot clear input/: {}", st.queue.group, ok.err().message);
    launch(self, std::move(spec));
  });
}

/// Validates the extra mounts one after the other, then starts the run.
void validate_mounts(self_ptr self, group_work w, prepared_run prepared, json mounts,
                     size_t index) {
  auto& st = self->state;
  if (index >= mounts.size()) {
    finalize_run_args(prepared);
    start_run(self, w, std::move(prepared));
    return;
  }
  auto body = mounts[index];
  body["group"] = st.queue.group;
  self->request(st.ctx.mounts, log_timeout, validate_atom::value, std::move(body), system_meta)
    .await(
      [self, w, prepared, mounts, index](reply& r) mutable {
        accept_mount(prepared, r.body);
        validate_mounts(self, w, std::move(prepared), std::move(mounts), index + 1);
      },
      [self, w, prepared, mounts, index](caf::error& err) mutable {
        spdlog::warn("group {}: mount validation failed: {}", self->state.queue.group,
                     caf::to_string(err));
        validate_mounts(self, w, std::move(prepared), std::move(mounts), index + 1);
      });
}

/// Adds the credential proxy's variables (none while it is stopped), then
/// checks the extra mounts.
void add_proxy_env(self_ptr self, group_work w, prepared_run prepared) {
  auto& st = self->state;
  auto next = [self, w](prepared_run p) {
    validate_mounts(self, w, std::move(p), additional_mounts(self->state.ns), 0);
  };
  if (!st.ctx.proxy) {
    next(std::move(prepared));
    return;
  }
  self->request(st.ctx.proxy, log_timeout, env_atom::value, std::string{})
    .await(
      [prepared, next](env_pairs& env) mutable {
        auto& vars = prepared.options.env;
        vars.insert(vars.end(), env.begin(), env.end());
        next(std::move(prepared));
      },
      [self, prepared, next](caf::error& err) mutable {
        spdlog::warn("group {}: no credential proxy variables: {}", self->state.queue.group,
                     caf::to_string(err));
        next(std::move(prepared));
      });
}

/// A slot is ours: find the runtime, check mounts, start.
void on_granted(self_ptr self) {
  auto& st = self->state;
  st.wants_slot = false;
  st.has_slot = true;
  auto w = st.queue.next_work(now(self));
  if (w == group_work::none) {
    st.has_slot = false;
    self->send(st.supervisor, release_atom::value, st.queue.group);
    publish(self);
    return;
  }
  self->request(st.ctx.runtime, log_timeout, runtime_atom::value)
    .await(
      [self, w](runtime_info& info) {
        auto& st = self->state;
        auto prepared = prepare_run(st.ctx, st.queue, st.ns, w, info, now(self));
        if (!prepared.failure.empty()) {
          start_run(self, w, std::move(prepared));
          return;
        }
        add_proxy_env(self, w, std::move(prepared));
      },
      [self, w](caf::error& err) {
        prepared_run failed;
        failed.failure = "no container runtime: " + caf::to_string(err);
        start_run(self, w, std::move(failed));
      });
}

void on_output(self_ptr self, json& block) {
  auto& st = self->state;
  auto drafts = st.queue.output(block);
  // As in NanoClaw, every success block means the agent finished a turn and
  // now waits for follow-ups.
  bool idle = block.value("status", json{}) != "error";
  // A waiting task closes the container at once, in the output's append.
  bool task_waiting = idle && !st.queue.tasks.empty();
  if (task_waiting)
    request_close(self, "task", drafts);
  commit(self, std::move(drafts), system_meta, [self, idle, task_waiting] {
    auto& st = self->state;
    st.idle_waiting = idle;
    arm_hard_timeout(self);
    if (!idle || task_waiting)
      return;
    auto wait = idle_timeout(st.ns, st.ctx.policy);
    if (wait.count() > 0)
      self->delayed_send(self, wait, idle_atom::value, st.attempt, ++st.idle_gen);
  });
}

void on_exit(self_ptr self, process_result& r) {
  auto& st = self->state;
  run_exit how;
  how.exit_code = r.exit_code;
  how.timed_out = st.timed_out;
  how.stderr_tail = std::move(r.err);
  if (r.spawn_failed)
    how.failure = "Container spawn error: " + how.stderr_tail;
  finish_run(self, std::move(how));
}

// -- commands -----------------------------------------------------------------

caf::result<reply> on_message(self_ptr self, queued_message& m, json& ns,
                              const request_meta& meta) {
  auto& st = self->state;
  st.ns = std::move(ns);
  if (m.id.empty())
    m.id = make_uuid();
  if (m.at == 0)
    m.at = now(self);
  auto rp = self->make_response_promise<reply>();
  bool live = st.queue.run && !st.queue.run->task && st.process != 0 && !st.closing;
  if (live) {
    auto file = write_input_message(ipc_root(self), st.queue.group,
                                    format_messages({m}, st.ctx.tz));
    if (file) {
      st.idle_waiting = false;
      ++st.idle_gen;
      commit(self, {st.queue.deliver(m, *file)}, meta, [self, rp, m, file = *file]() mutable {
        arm_hard_timeout(self);
        rp.deliver(reply{202, json{{"status", "delivered"}, {"messageId", m.id},
                                   {"file", file}}});
      });
      return rp;
    }
    spdlog::warn("group {}: cannot write a follow-up, queueing it: {}", st.queue.group,
                 file.err().message);
  }
  commit(self, {st.queue.queue_message(m)}, meta, [self, rp, id = m.id]() mutable {
    maybe_run(self);
    rp.deliver(reply{202, json{{"status", "queued"}, {"messageId", id}, {"file", nullptr}}});
  });
  return rp;
}

caf::result<reply> on_task(self_ptr self, queued_task& t, json& ns, const request_meta& meta) {
  auto& st = self->state;
  st.ns = std::move(ns);
  if (st.queue.has_task(t.task_id))
    return reply{202, json{{"status", "duplicate"}, {"taskId", t.task_id}}};
  auto rp = self->make_response_promise<reply>();
  commit(self, st.queue.queue_task(t), meta, [self, rp, id = t.task_id]() mutable {
    if (self->state.idle_waiting)
      close_container(self, "task", system_meta);
    maybe_run(self);
    rp.deliver(reply{202, json{{"status", "queued"}, {"taskId", id}}});
  });
  return rp;
}

caf::result<reply> on_close(self_ptr self, json& ns, const request_meta& meta) {
  auto& st = self->state;
  st.ns = std::move(ns);
  if (!st.queue.run || st.process == 0)
    return reply{200, json{{"closed", false}, {"message", "No active container"}}};
  close_container(self, "api", meta);
  return reply{200, json{{"closed", true}}};
}

} // namespace

// -- state --------------------------------------------------------------------

std::string group_actor_state::state_name() const {
  if (queue.run)
    return idle_waiting ? "idle_waiting" : "running";
  if (wants_slot || has_slot)
    return "waiting";
  if (!queue.messages.empty() && queue.next_retry_at > 0)
    return "retrying";
  return "idle";
}

json group_actor_state::entry() const {
  const auto* run = queue.run ? &*queue.run : nullptr;
  bool task = run && run->task;
  return json{{"group", queue.group},
              {"state", state_name()},
              {"isTaskContainer", task},
              {"runningTaskId", task ? json(run->task->task_id) : json(nullptr)},
              {"containerName", run ? json(run->container_name) : json(nullptr)},
              {"startedAt", run ? json(format_time(run->started_at)) : json(nullptr)},
              {"pendingMessages", queue.messages.size()},
              {"pendingTasks", queue.tasks.size()},
              {"retryCount", queue.retry_count},
              {"nextRetryAt", queue.next_retry_at > 0 && !queue.messages.empty()
                                ? json(format_time(queue.next_retry_at))
                                : json(nullptr)}};
}

std::string container_name(const std::string& group, int64_t now) {
  std::string safe = group;
  for (auto& c : safe)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-')
      c = '-';
  return "pincer-" + safe + "-" + std::to_string(now);
}

// -- behaviour ----------------------------------------------------------------

group_actor::behavior_type group_behavior(self_ptr self, std::string group, group_context ctx,
                                          queue_actor supervisor) {
  auto& st = self->state;
  st.ctx = std::move(ctx);
  st.supervisor = std::move(supervisor);
  st.stream = group_stream(group);
  st.queue.group = group;
  auto rebuilt = read_stream_events(*st.ctx.store, st.stream, 0, [&](const envelope& e) {
    st.queue.apply(e);
  });
  if (!rebuilt)
    spdlog::error("cannot rebuild {}: {}", st.stream, rebuilt.err().message);
  if (st.queue.run) {
    run_exit how;
    how.failure = "The server stopped during the run";
    finish_run(self, std::move(how));
  }
  return {
    [self](enqueue_atom, queued_message& m, json& ns, request_meta& meta) {
      return on_message(self, m, ns, meta);
    },
    [self](enqueue_atom, queued_task& t, json& ns, request_meta& meta) {
      return on_task(self, t, ns, meta);
    },
    [self](close_atom, json& ns, request_meta& meta) { return on_close(self, ns, meta); },
    [self](ipc_atom, json& ns, request_meta& meta) { return make_ipc_dirs(self, ns, meta); },
    [self](caf::get_atom) { return self->state.entry(); },
    [self](update_atom, json& ns) {
      self->state.ns = std::move(ns);
      maybe_run(self);
    },
    [self](ipc_atom, json& ns) {
      self->state.ns = std::move(ns);
      handle_ipc_files(self);
    },
    [self](caf::delete_atom, bool force, request_meta& meta) -> caf::result<reply> {
      auto& st = self->state;
      bool active = st.queue.run.has_value();
      if (active && !force)
        return to_caf(error{ec::conflict, "group " + st.queue.group
                                            + " has a running container; close it or use force=true"});
      if (active)
        close_container(self, "namespace deleted", meta);
      return reply{200, json{{"active", active}}};
    },
    [self](update_atom, caf::actor& scheduler) {
      self->state.ctx.scheduler = caf::actor_cast<scheduler_actor>(scheduler);
    },
    [self](granted_atom) { on_granted(self); },
    [self](output_atom, uint64_t attempt, json& block) {
      if (attempt == self->state.attempt && self->state.queue.run)
        on_output(self, block);
    },
    [self](exited_atom, uint64_t attempt, process_result& r) {
      if (attempt == self->state.attempt && self->state.queue.run)
        on_exit(self, r);
    },
    [self](timeout_atom, uint64_t attempt, uint64_t gen) {
      auto& st = self->state;
      if (attempt != st.attempt || gen != st.hard_gen || st.process == 0)
        return;
      st.timed_out = true;
      st.ctx.launcher->stop(st.process);
    },
    [self](idle_atom, uint64_t attempt, uint64_t gen) {
      auto& st = self->state;
      if (attempt == st.attempt && gen == st.idle_gen && st.idle_waiting)
        close_container(self, "idle", system_meta);
    },
    [self](retry_atom) {
      self->state.retry_armed = false;
      maybe_run(self);
    },
  };
}

} // namespace pincer

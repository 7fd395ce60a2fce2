#include "actors/schedule_actor.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "actors/schedule_timetable.hpp"
#include "events/catalog.hpp"
#include "events/schedule_events.hpp"
#include "events/time.hpp"

namespace pincer {

namespace {

using self_ptr = schedule_actor::stateful_pointer<schedule_actor_state>;

constexpr auto log_timeout = std::chrono::seconds{30};
constexpr auto queue_timeout = std::chrono::seconds{30};
constexpr auto retry_delay = std::chrono::seconds{1};

/// Who timer-driven events name as their actor.
const request_meta scheduler_meta{"scheduler", ""};

schedule_actor handle(self_ptr self) {
  return caf::actor_cast<schedule_actor>(self);
}

void notify_parent(self_ptr self) {
  self->send(self->state.parent, changed_atom::value, self->state.schedule.data);
}

/// Arms the schedule's timer for its next slot, unless it is armed for it
/// already. A wait longer than `max_timer` is cut short and re-armed.
void arm(self_ptr self) {
  auto& st = self->state;
  auto slot = st.schedule.data ? due_time(*st.schedule.data) : 0;
  if (slot == 0 || slot == st.armed)
    return;
  st.armed = slot;
  auto wait = std::min(slot - st.ctx->clock(), st.ctx->max_timer.count());
  if (wait <= 0)
    self->send(handle(self), tick_atom::value, static_cast<uint64_t>(slot));
  else
    self->delayed_send(handle(self), std::chrono::milliseconds{wait}, tick_atom::value,
                       static_cast<uint64_t>(slot));
}

/// Appends drafts and applies what was stored, then calls `done`. `await`
/// keeps every other message waiting meanwhile, so decisions never race.
template <class Done, class Fail>
void commit(self_ptr self, std::vector<draft> drafts, const request_meta& meta, Done done,
            Fail fail) {
  auto& st = self->state;
  auto id = drafts.at(0).data.value("id", std::string{});
  append_request req{schedule_stream(id), st.schedule.data ? st.schedule.data->version : 0,
                     meta.actor, meta.request_id, drafts};
  self->request(st.ctx->log, log_timeout, append_atom::value, std::move(req))
    .await(
      [self, drafts, done](std::vector<record>& stored) mutable {
        for (size_t i = 0; i < stored.size() && i < drafts.size(); ++i) {
          envelope e;
          static_cast<event_header&>(e) = stored[i];
          e.data = std::move(drafts[i].data);
          self->state.schedule.apply(e);
        }
        done();
      },
      [fail](caf::error& err) mutable { fail(err); });
}

/// Records a slot that fired but did not run (`schedule.skipped`, or
/// `schedule.dispatch_failed` with the reason).
void log_slot(self_ptr self, int64_t slot, const char* type, const std::string& why) {
  auto& d = self->state.schedule.data;
  if (!d || d->deleted)
    return;
  json data{{"id", d->id}, {"slot", slot}, {"logId", make_uuid()}};
  if (!why.empty())
    data["error"] = why;
  commit(
    self, {event_catalog().make(type, std::move(data))}, scheduler_meta,
    [self] { notify_parent(self); },
    [](caf::error& err) { spdlog::error("schedule log: {}", caf::to_string(err)); });
}

/// Queues the run of a slot that fired as a task of the group.
void dispatch(self_ptr self, int64_t slot) {
  auto& st = self->state;
  auto d = st.schedule.data;
  if (!st.ctx->queue) {
    log_slot(self, slot, event_types::schedule_dispatch_failed, "no queue is running");
    return;
  }
  queued_task task;
  task.task_id = d->id;
  task.schedule_id = d->id;
  task.prompt = d->prompt;
  task.context_mode = d->context_mode;
  task.timeout_secs = d->timeout_secs;
  task.chat_jid = d->chat_jid;
  task.image = d->image;
  self
    ->request(st.ctx->queue, queue_timeout, enqueue_atom::value, d->group, std::move(task),
              scheduler_meta)
    .then(
      [self, slot](reply& r) {
        if (r.body.is_object() && r.body.value("status", std::string{}) == "duplicate")
          log_slot(self, slot, event_types::schedule_skipped, "");
      },
      [self, slot](caf::error& err) {
        log_slot(self, slot, event_types::schedule_dispatch_failed, from_caf(err).message);
      });
}

/// Fires the due slot: `nextRun` advances (stored) before the run is queued.
/// A fire that cannot be stored is retried for the same slot.
void fire(self_ptr self, int64_t now) {
  auto drafts = self->state.schedule.decide_fire(now);
  if (drafts.empty())
    return;
  auto slot = self->state.schedule.data->next_run;
  commit(
    self, std::move(drafts), scheduler_meta,
    [self, slot] {
      notify_parent(self);
      arm(self);
      dispatch(self, slot);
    },
    [self, slot](caf::error& err) {
      spdlog::error("schedule {} could not fire: {}", self->state.schedule.data->id,
                    caf::to_string(err));
      self->delayed_send(handle(self), retry_delay, tick_atom::value,
                         static_cast<uint64_t>(slot));
    });
}

/// Runs a command's decision and answers the new state.
caf::result<schedule_snapshot> decide(self_ptr self, result<std::vector<draft>> drafts,
                                      const request_meta& meta, bool quit_after) {
  if (!drafts)
    return to_caf(drafts.err());
  if (drafts->empty())
    return self->state.schedule.data;
  auto rp = self->make_response_promise<schedule_snapshot>();
  commit(
    self, std::move(*drafts), meta,
    [self, rp, quit_after]() mutable {
      rp.deliver(self->state.schedule.data);
      if (quit_after)
        self->quit();
      else
        arm(self);
    },
    [rp](caf::error& err) mutable { rp.deliver(err); });
  return rp;
}

} // namespace

schedule_actor::behavior_type
schedule_behavior(self_ptr self, std::shared_ptr<const schedule_context> ctx,
                  scheduler_actor parent, schedule_snapshot initial) {
  auto& st = self->state;
  st.ctx = std::move(ctx);
  st.parent = std::move(parent);
  st.schedule.data = std::move(initial);
  arm(self);
  return {
    [self](create_atom, json& object, request_meta& meta) {
      auto id = object.value("id", std::string{});
      auto now = self->state.ctx->clock();
      return decide(self, self->state.schedule.decide_create(id, object, now), meta, false);
    },
    [self](update_atom, json& changes, request_meta& meta) {
      auto now = self->state.ctx->clock();
      return decide(self, self->state.schedule.decide_update(changes, now), meta, false);
    },
    [self](caf::delete_atom, std::string& reason, request_meta& meta) {
      return decide(self, self->state.schedule.decide_delete(reason), meta, true);
    },
    [self](tick_atom, uint64_t due) {
      // A slot that is no longer the next one is not fired again; a wait
      // that was cut short is armed again.
      auto& st = self->state;
      auto slot = static_cast<int64_t>(due);
      if (slot == st.armed)
        st.armed = 0;
      if (!st.schedule.data || slot == 0 || due_time(*st.schedule.data) != slot)
        return;
      if (st.ctx->clock() < slot)
        return arm(self);
      fire(self, st.ctx->clock());
    },
  };
}

} // namespace pincer

#include "actors/group_detail.hpp"

#include <optional>

#include "actors/group_ipc.hpp"
#include "actors/group_run.hpp"
#include "events/catalog.hpp"
#include "events/queue_events.hpp"
#include "events/time.hpp"

namespace pincer::group_detail {

namespace {

request_meta ipc_meta(self_ptr self) {
  return request_meta{"ipc:" + self->state.queue.group, make_uuid()};
}

/// Deletes a handled file, or moves a file that could not be read to errors/.
void dispose(self_ptr self, const std::filesystem::path& file, bool to_errors) {
  std::optional<error> failure;
  if (to_errors) {
    if (auto moved = move_to_errors(ipc_root(self), self->state.queue.group, file); !moved)
      failure = moved.err();
  } else if (auto removed = remove_ipc_file(file); !removed) {
    failure = removed.err();
  }
  if (failure)
    spdlog::warn("group {}: cannot remove {}: {}", self->state.queue.group, file.string(),
                 failure->message);
}

/// Records the answer to a forwarded request and removes its file.
void record_answer(self_ptr self, std::filesystem::path file, ipc_decision d, int status,
                   std::string error_text) {
  auto& st = self->state;
  auto event = ipc_task_event(st.queue.group, file.filename().string(), d, status, error_text);
  commit(self, {std::move(event)}, ipc_meta(self),
         [self, file] { dispose(self, file, false); });
}

/// Hands a request to the part that owns it and waits for the answer.
void forward(self_ptr self, std::filesystem::path file, ipc_decision d) {
  auto& st = self->state;
  auto answered = [self, file, d](reply& r) { record_answer(self, file, d, r.status, {}); };
  auto failed = [self, file, d](caf::error& err) {
    auto e = from_caf(err);
    record_answer(self, file, d, http_status(e.code), e.message);
  };
  if (d.action == ipc_action::register_group) {
    self->request(st.ctx.directory, log_timeout, create_atom::value, d.body, ipc_meta(self))
      .await(answered, [self, file, d, answered, failed](caf::error& err) {
        if (from_caf(err).code != ec::conflict)
          return failed(err);
        auto changes = d.body;
        auto name = changes["name"].get<std::string>();
        changes.erase("name");
        self->request(self->state.ctx.directory, log_timeout, update_atom::value, name,
                      std::move(changes), ipc_meta(self))
          .await(answered, failed);
      });
  } else if (d.action == ipc_action::schedule_op && st.ctx.scheduler) {
    self->request(st.ctx.scheduler, log_timeout, ipc_atom::value, st.queue.group,
                  is_main(st.ns), d.body)
      .await(answered, failed);
  } else if (d.action == ipc_action::schedule_op) {
    record_answer(self, file, d, 503, "Schedules are not available");
  } else {
    record_answer(self, file, d, 200, {});
  }
}

} // namespace

/// Handles every waiting IPC file, messages before tasks, in name order:
/// events first, then the files go, so a crash never loses a request.
void handle_ipc_files(self_ptr self) {
  auto& st = self->state;
  auto root = ipc_root(self);
  auto who = ipc_identity_of(st.queue.group, st.ns);
  std::vector<draft> drafts;
  std::vector<std::pair<std::filesystem::path, bool>> decided;
  std::vector<std::pair<std::filesystem::path, ipc_decision>> requests;
  for (auto kind : {ipc_kind::messages, ipc_kind::tasks}) {
    for (auto& file : pending_ipc_files(root, st.queue.group, kind)) {
      auto d = decide_ipc_path(kind, file, who);
      if (d.action == ipc_action::send_message || d.action == ipc_action::reject) {
        drafts.push_back(ipc_event(st.queue.group, file.filename().string(), d));
        decided.emplace_back(file, d.action == ipc_action::reject && d.to_errors);
      } else {
        requests.emplace_back(file, std::move(d));
      }
    }
  }
  commit(self, std::move(drafts), ipc_meta(self), [self, decided] {
    for (auto& [file, to_errors] : decided)
      dispose(self, file, to_errors);
  });
  for (auto& [file, d] : requests)
    forward(self, file, std::move(d));
}

caf::result<reply> make_ipc_dirs(self_ptr self, json& ns, const request_meta& meta) {
  auto& st = self->state;
  st.ns = std::move(ns);
  auto made = ensure_ipc_dirs(ipc_root(self), st.queue.group);
  if (!made)
    return to_caf(made.err());
  auto path = ipc_group_dir(ipc_root(self), st.queue.group).string();
  json body{{"group", st.queue.group},
            {"path", path},
            {"directories", {"messages", "tasks", "input"}}};
  if (!*made)
    return reply{200, body};
  auto rp = self->make_response_promise<reply>();
  commit(self,
         {event_catalog().make(event_types::ipc_directories_created,
                               json{{"group", st.queue.group}, {"path", path}})},
         meta, [rp, body]() mutable { rp.deliver(reply{201, body}); });
  return rp;
}

} // namespace pincer::group_detail

#include "actors/group_state.hpp"

#include <algorithm>

#include "actors/json_fields.hpp"
#include "actors/run_output.hpp"
#include "events/catalog.hpp"
#include "events/queue_events.hpp"
#include "events/time.hpp"

namespace pincer {

namespace {

/// Most characters of results kept with a finished run.
constexpr size_t result_chars = 2000;

std::string xml_escape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

json nullable(const std::string& s) {
  return s.empty() ? json(nullptr) : json(s);
}

json run_fields(const active_run& r, const std::string& group) {
  return json{{"runId", r.run_id},
              {"group", group},
              {"trigger", r.trigger},
              {"taskId", r.task ? nullable(r.task->task_id) : json(nullptr)},
              {"scheduleId", r.task ? nullable(r.task->schedule_id) : json(nullptr)},
              {"chatJid", nullable(r.chat_jid)}};
}

} // namespace

// -- conversions --------------------------------------------------------------

json to_json(const queued_message& m) {
  return json{{"messageId", m.id}, {"chatJid", nullable(m.chat_jid)},
              {"sender", m.sender}, {"text", m.text},
              {"at", m.at},         {"source", m.source}};
}

queued_message message_from_json(const json& j) {
  queued_message m;
  m.id = text_of(j, "messageId");
  m.chat_jid = text_of(j, "chatJid");
  m.sender = text_of(j, "sender");
  m.text = text_of(j, "text");
  m.at = j.value("at", int64_t{0});
  m.source = text_of(j, "source");
  return m;
}

json to_json(const queued_task& t) {
  return json{{"taskId", t.task_id},
              {"scheduleId", nullable(t.schedule_id)},
              {"prompt", t.prompt},
              {"contextMode", t.context_mode},
              {"timeoutSecs", t.timeout_secs},
              {"chatJid", nullable(t.chat_jid)},
              {"image", nullable(t.image)}};
}

queued_task task_from_json(const json& j) {
  queued_task t;
  t.task_id = text_of(j, "taskId");
  t.schedule_id = text_of(j, "scheduleId");
  t.prompt = text_of(j, "prompt");
  t.context_mode = j.value("contextMode", std::string{"isolated"});
  t.timeout_secs = j.value("timeoutSecs", int64_t{300});
  t.chat_jid = text_of(j, "chatJid");
  t.image = text_of(j, "image");
  return t;
}

// -- apply --------------------------------------------------------------------

void group_state::apply(const envelope& e) {
  version = e.stream_version;
  const auto& d = e.data;
  using namespace event_types;
  if (e.type == message_queued) {
    messages.push_back(message_from_json(d));
  } else if (e.type == task_queued) {
    tasks.push_back(task_from_json(d));
  } else if (e.type == message_delivered) {
    if (run)
      run->messages.push_back(message_from_json(d));
  } else if (e.type == run_started) {
    active_run r;
    r.run_id = text_of(d, "runId");
    r.trigger = text_of(d, "trigger");
    r.container_name = text_of(d, "containerName");
    r.image = text_of(d, "image");
    r.chat_jid = text_of(d, "chatJid");
    r.started_at = d.value("startedAt", int64_t{0});
    if (auto id = text_of(d, "taskId"); !id.empty()) {
      auto i = std::find_if(tasks.begin(), tasks.end(),
                            [&](const queued_task& t) { return t.task_id == id; });
      r.task = i != tasks.end() ? *i : task_from_json(d);
      if (i != tasks.end())
        tasks.erase(i);
    } else {
      auto ids = d.value("messageIds", json::array());
      for (auto& id : ids) {
        auto i = std::find_if(messages.begin(), messages.end(),
                              [&](const queued_message& m) { return m.id == id; });
        if (i != messages.end()) {
          r.messages.push_back(*i);
          messages.erase(i);
        }
      }
    }
    run = std::move(r);
  } else if (e.type == run_output) {
    if (!run)
      return;
    ++run->outputs;
    auto result = d.find("result");
    if (result != d.end() && result->is_string()) {
      run->delivered = true;
      auto room = result_chars - std::min(result_chars, run->results.size());
      if (!run->results.empty() && room > 0) {
        run->results += '\n';
        --room;
      }
      run->results += result->get<std::string>().substr(0, room);
    }
    if (text_of(d, "status") == "error") {
      run->errored = true;
      run->error = text_of(d, "error");
    }
  } else if (e.type == run_finished) {
    if (!run)
      return;
    bool success = text_of(d, "status") == "success" && !run->errored;
    bool is_message_run = !run->task;
    if (is_message_run && !success && !run->delivered)
      messages.insert(messages.begin(), run->messages.begin(), run->messages.end());
    if (is_message_run && (success || run->delivered)) {
      retry_count = 0;
      next_retry_at = 0;
    }
    run.reset();
  } else if (e.type == run_retry_scheduled) {
    retry_count = d.value("retryCount", 0);
    next_retry_at = d.value("nextRetryAt", int64_t{0});
  } else if (e.type == run_dropped) {
    for (auto& id : d.value("messageIds", json::array()))
      messages.erase(std::remove_if(messages.begin(), messages.end(),
                                    [&](const queued_message& m) { return m.id == id; }),
                     messages.end());
    retry_count = 0;
    next_retry_at = 0;
  } else if (e.type == session_updated) {
    session_id = text_of(d, "sessionId");
  } else if (e.type == session_cleared) {
    session_id.clear();
  }
}

// -- decisions ----------------------------------------------------------------

bool group_state::has_task(const std::string& task_id) const {
  if (run && run->task && run->task->task_id == task_id)
    return true;
  return std::any_of(tasks.begin(), tasks.end(),
                     [&](const queued_task& t) { return t.task_id == task_id; });
}

group_work group_state::next_work(int64_t now) const {
  if (run)
    return group_work::none;
  if (!tasks.empty())
    return group_work::task;
  if (!messages.empty() && next_retry_at <= now)
    return group_work::messages;
  return group_work::none;
}

draft group_state::queue_message(const queued_message& m) const {
  auto data = to_json(m);
  data["group"] = group;
  return event_catalog().make(event_types::message_queued, std::move(data));
}

std::vector<draft> group_state::queue_task(const queued_task& t) const {
  if (has_task(t.task_id))
    return {};
  auto data = to_json(t);
  data["group"] = group;
  return {event_catalog().make(event_types::task_queued, std::move(data))};
}

draft group_state::deliver(const queued_message& m, const std::string& file) const {
  auto data = to_json(m);
  data["group"] = group;
  data["file"] = file;
  data["runId"] = run ? json(run->run_id) : json(nullptr);
  return event_catalog().make(event_types::message_delivered, std::move(data));
}

draft group_state::start(group_work w, const std::string& run_id,
                         const std::string& container_name, const std::string& image,
                         const std::string& default_chat, int64_t now) const {
  active_run r;
  r.run_id = run_id;
  json ids = json::array();
  if (w == group_work::task) {
    r.task = tasks.front();
    r.trigger = "schedule";
    r.chat_jid = r.task->chat_jid;
  } else {
    bool follow_up = false;
    for (auto& m : messages) {
      ids.push_back(m.id);
      follow_up = follow_up || m.source == "follow-up";
      if (!m.chat_jid.empty())
        r.chat_jid = m.chat_jid;
    }
    r.trigger = follow_up ? "follow-up" : "message";
  }
  if (r.chat_jid.empty())
    r.chat_jid = default_chat;
  auto data = run_fields(r, group);
  data["containerName"] = container_name;
  data["image"] = image;
  data["startedAt"] = now;
  data["messageIds"] = std::move(ids);
  if (r.task)
    data["task"] = to_json(*r.task);
  return event_catalog().make(event_types::run_started, std::move(data));
}

std::vector<draft> group_state::output(const json& block) const {
  std::vector<draft> out;
  if (!run)
    return out;
  auto status = text_of(block, "status") == "error" ? "error" : "success";
  auto data = run_fields(*run, group);
  auto result = block.find("result");
  bool has_result = result != block.end() && result->is_string();
  data["status"] = status;
  data["result"] = has_result ? *result : json(nullptr);
  auto reply = has_result ? strip_internal(result->get<std::string>()) : std::nullopt;
  data["reply"] = reply ? json(*reply) : json(nullptr);
  data["error"] = nullable(text_of(block, "error"));
  out.push_back(event_catalog().make(event_types::run_output, std::move(data)));
  bool owns_session = !run->task || run->task->context_mode == "group";
  if (!owns_session)
    return out;
  auto session = text_of(block, "newSessionId");
  if (status == std::string{"error"} && session_missing(text_of(block, "error"))
      && !session_id.empty()) {
    out.push_back(event_catalog().make(event_types::session_cleared,
                                       json{{"group", group}, {"sessionId", session_id},
                                            {"reason", "the agent reported a missing session"}}));
  } else if (!session.empty() && session != session_id) {
    out.push_back(event_catalog().make(event_types::session_updated,
                                       json{{"group", group}, {"sessionId", session}}));
  }
  return out;
}

std::vector<draft> group_state::finish(const run_exit& how, const queue_policy& policy) const {
  std::vector<draft> out;
  if (!run)
    return out;
  std::string status = "success";
  std::string error;
  if (!how.failure.empty()) {
    status = "error";
    error = how.failure;
  } else if (how.timed_out) {
    // Output already streamed: the timeout only ended an idle container.
    status = run->outputs > 0 ? "success" : "timeout";
    if (run->outputs == 0)
      error = "Container timed out";
  } else if (how.exit_code != 0 && run->errored) {
    status = "error";
    error = run->error;
  } else if (how.exit_code != 0) {
    status = "error";
    auto tail = how.stderr_tail.size() > 200 ? how.stderr_tail.substr(how.stderr_tail.size() - 200)
                                             : how.stderr_tail;
    error = "Container exited with code " + std::to_string(how.exit_code)
            + (tail.empty() ? "" : ": " + tail);
  }
  if (status == "success" && run->errored) {
    status = "error";
    error = run->error;
  }
  auto data = run_fields(*run, group);
  data["containerName"] = run->container_name;
  data["image"] = run->image;
  data["status"] = status;
  data["exitCode"] = how.exit_code >= 0 ? json(how.exit_code) : json(nullptr);
  data["error"] = nullable(error);
  data["startedAt"] = run->started_at;
  data["finishedAt"] = how.finished_at;
  data["durationMs"] = std::max<int64_t>(0, how.finished_at - run->started_at);
  data["outputs"] = run->outputs;
  data["result"] = run->delivered ? json(run->results) : json(nullptr);
  out.push_back(event_catalog().make(event_types::run_finished, std::move(data)));
  bool retry = !run->task && status != "success" && !run->delivered;
  if (!retry)
    return out;
  json ids = json::array();
  for (auto& m : run->messages)
    ids.push_back(m.id);
  auto attempt = retry_count + 1;
  if (attempt > policy.max_retries) {
    out.push_back(event_catalog().make(
      event_types::run_dropped, json{{"group", group}, {"runId", run->run_id},
                                     {"messageIds", std::move(ids)}, {"retryCount", retry_count}}));
    return out;
  }
  auto delay = policy.retry_base.count() << (attempt - 1);
  out.push_back(event_catalog().make(
    event_types::run_retry_scheduled,
    json{{"group", group}, {"runId", run->run_id}, {"retryCount", attempt}, {"delayMs", delay},
         {"nextRetryAt", how.finished_at + delay}}));
  return out;
}

// -- container input ----------------------------------------------------------

std::string format_messages(const std::vector<queued_message>& batch, const std::string& tz) {
  std::string out = "<context timezone=\"" + xml_escape(tz) + "\" />\n<messages>\n";
  for (auto& m : batch) {
    out += "<message sender=\"" + xml_escape(m.sender) + "\" time=\"" + format_time(m.at)
           + "\">" + xml_escape(m.text) + "</message>\n";
  }
  out += "</messages>";
  return out;
}

json container_input(const group_state& g, const active_run& run, bool is_main,
                     const std::string& assistant_name, const std::string& tz) {
  bool task = run.task.has_value();
  auto session = task && run.task->context_mode != "group" ? std::string{} : g.session_id;
  return json{{"prompt", task ? run.task->prompt : format_messages(run.messages, tz)},
              {"sessionId", nullable(session)},
              {"groupFolder", g.group},
              {"chatJid", run.chat_jid},
              {"isMain", is_main},
              {"isScheduledTask", task},
              {"assistantName", assistant_name}};
}

} // namespace pincer

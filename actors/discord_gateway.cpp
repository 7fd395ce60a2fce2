#include "actors/discord_gateway.hpp"

#include <random>

#include "actors/channel_rules.hpp"
#include "events/time.hpp"

namespace pincer {

namespace {

double random_jitter() {
  static thread_local std::mt19937_64 gen{std::random_device{}()};
  return std::uniform_real_distribution<double>{0.0, 1.0}(gen);
}

/// Removes every `<@id>` and `<@!id>` mention of the bot; true if any.
bool strip_mentions(std::string& text, const std::string& bot_id) {
  bool found = false;
  for (auto form : {"<@" + bot_id + ">", "<@!" + bot_id + ">"}) {
    for (auto at = text.find(form); at != std::string::npos; at = text.find(form)) {
      text.erase(at, form.size());
      found = true;
    }
  }
  auto first = text.find_first_not_of(" \t\n");
  auto last = text.find_last_not_of(" \t\n");
  text = first == std::string::npos ? std::string{} : text.substr(first, last - first + 1);
  return found;
}

std::string attachment_note(const json& a) {
  auto type = text_of(a, "content_type");
  auto name = text_of(a, "filename");
  auto kind = type.rfind("image/", 0) == 0   ? "Image"
              : type.rfind("video/", 0) == 0 ? "Video"
              : type.rfind("audio/", 0) == 0 ? "Audio"
                                             : "File";
  return std::string{"["} + kind + ": " + name + "]";
}

} // namespace

bool discord_fatal_close(int code) {
  return code == 4004 || (code >= 4010 && code <= 4014);
}

std::vector<std::string> discord_headers(const std::string& token, bool json_body) {
  std::vector<std::string> out{"Authorization: Bot " + token,
                               "User-Agent: DiscordBot (https://github.com/pincer, 0.1)"};
  if (json_body)
    out.push_back("Content-Type: application/json");
  return out;
}

discord_gateway::discord_gateway(std::string base_url, std::string token, std::string bot_id,
                                 std::string assistant_name, std::function<double()> jitter)
  : base_url_(std::move(base_url)), token_(std::move(token)), bot_id_(std::move(bot_id)),
    assistant_name_(std::move(assistant_name)),
    jitter_(jitter ? std::move(jitter) : std::function<double()>{random_jitter}) {
}

std::optional<http_call> discord_gateway::discover_call() const {
  if (resuming() && !resume_url_.empty())
    return std::nullopt;
  if (!gateway_url_.empty())
    return std::nullopt;
  http_call c;
  c.url = base_url_ + "/gateway/bot";
  c.headers = discord_headers(token_, false);
  return c;
}

result<unit> discord_gateway::parse_discover(const http_result& r) {
  if (r.status == 0)
    return error{ec::upstream_error, "Discord is unreachable: " + r.transport_error};
  if (r.status == 401 || r.status == 403)
    return invalid("botToken", "Discord rejected the bot token (HTTP " + std::to_string(r.status)
                                 + ")");
  auto body = json::parse(r.body, nullptr, false);
  auto url = text_of(body, "url");
  if (r.status != 200 || url.empty())
    return error{ec::upstream_error,
                 "Discord answered GET /gateway/bot with HTTP " + std::to_string(r.status)};
  gateway_url_ = url;
  return unit{};
}

std::string discord_gateway::socket_url() const {
  auto url = resuming() && !resume_url_.empty() ? resume_url_ : gateway_url_;
  return url + (url.find('?') == std::string::npos ? "?" : "&") + "v=10&encoding=json";
}

socket_step discord_gateway::on_open(int64_t) {
  interval_ms_ = 0;
  awaiting_ack_ = false;
  return {};
}

std::string discord_gateway::heartbeat() const {
  return json{{"op", 1}, {"d", seq_ ? json(*seq_) : json()}}.dump();
}

socket_step discord_gateway::on_text(const std::string& frame, int64_t) {
  socket_step step;
  auto p = json::parse(frame, nullptr, false);
  if (!p.is_object() || !p.contains("op") || !p["op"].is_number_integer())
    return step;
  switch (p["op"].get<int>()) {
    case 0:
      return dispatch(p);
    case 1:
      step.send.push_back(heartbeat());
      return step;
    case 7:
      resume_ = true;
      step.reconnect = true;
      step.close_code = 4000;
      return step;
    case 9: {
      bool resumable = p.value("d", json{}).is_boolean() && p["d"].get<bool>();
      resume_ = resumable;
      if (!resumable) {
        session_id_.clear();
        resume_url_.clear();
        seq_.reset();
      }
      step.reconnect = true;
      step.close_code = 4000;
      return step;
    }
    case 10: {
      auto d = p.value("d", json::object());
      interval_ms_ = d.is_object() && d.value("heartbeat_interval", json{}).is_number()
                       ? d["heartbeat_interval"].get<int64_t>()
                       : 41250;
      interval_ms_ = std::max<int64_t>(interval_ms_, 10);
      awaiting_ack_ = false;
      json payload;
      if (resuming())
        payload = json{{"op", 6},
                       {"d",
                        {{"token", token_},
                         {"session_id", session_id_},
                         {"seq", seq_ ? json(*seq_) : json()}}}};
      else
        payload = json{{"op", 2},
                       {"d",
                        {{"token", token_},
                         {"intents", discord_intents},
                         {"properties",
                          {{"os", "linux"}, {"browser", "pincer"}, {"device", "pincer"}}}}}};
      step.send.push_back(payload.dump());
      step.timer_ms = static_cast<int64_t>(static_cast<double>(interval_ms_) * jitter_());
      return step;
    }
    case 11:
      awaiting_ack_ = false;
      return step;
    default:
      return step;
  }
}

socket_step discord_gateway::dispatch(const json& p) {
  socket_step step;
  if (p.value("s", json{}).is_number_integer())
    seq_ = p["s"].get<int64_t>();
  auto type = text_of(p, "t");
  auto d = p.value("d", json::object());
  if (type == "READY") {
    session_id_ = text_of(d, "session_id");
    resume_url_ = text_of(d, "resume_gateway_url");
    if (d.contains("user") && d["user"].is_object() && !text_of(d["user"], "id").empty())
      bot_id_ = text_of(d["user"], "id");
    resume_ = true;
    step.ready = true;
  } else if (type == "RESUMED") {
    step.ready = true;
  } else if (type == "MESSAGE_CREATE") {
    if (auto m = to_message(d))
      step.messages.push_back(std::move(*m));
  } else if (type == "GUILD_CREATE" || type == "GUILD_UPDATE") {
    remember_guild(d);
  } else if (type == "CHANNEL_CREATE" || type == "CHANNEL_UPDATE" || type == "THREAD_CREATE"
             || type == "THREAD_UPDATE") {
    remember_channel(d, text_of(d, "guild_id"));
  }
  return step;
}

void discord_gateway::remember_guild(const json& guild) {
  auto id = text_of(guild, "id");
  if (id.empty())
    return;
  if (!text_of(guild, "name").empty())
    guilds_[id] = text_of(guild, "name");
  for (auto key : {"channels", "threads"})
    if (guild.contains(key) && guild[key].is_array())
      for (auto& c : guild[key])
        remember_channel(c, id);
}

void discord_gateway::remember_channel(const json& channel, const std::string& guild_id) {
  auto id = text_of(channel, "id");
  if (!id.empty() && !guild_id.empty() && !text_of(channel, "name").empty())
    channels_[id] = text_of(channel, "name");
}

std::string discord_gateway::chat_name(const std::string& guild_id,
                                       const std::string& channel_id) const {
  auto channel = channels_.find(channel_id);
  auto name = "#" + (channel != channels_.end() ? channel->second : channel_id);
  auto guild = guilds_.find(guild_id);
  return guild != guilds_.end() ? guild->second + " " + name : name;
}

std::optional<inbound_message> discord_gateway::to_message(const json& d) const {
  if (!d.is_object() || !d.contains("author") || !d["author"].is_object())
    return std::nullopt;
  auto& author = d["author"];
  if (is_true(author, "bot") || (!bot_id_.empty() && text_of(author, "id") == bot_id_))
    return std::nullopt;
  inbound_message m;
  m.channel = "discord";
  m.id = text_of(d, "id");
  auto channel_id = text_of(d, "channel_id");
  m.chat_jid = "dc:" + channel_id;
  m.sender = text_of(author, "id");
  auto nick = d.contains("member") ? text_of(d["member"], "nick") : std::string{};
  m.sender_name = !nick.empty()                       ? nick
                  : !text_of(author, "global_name").empty() ? text_of(author, "global_name")
                                                        : text_of(author, "username");
  if (m.sender_name.empty())
    m.sender_name = m.sender;
  auto guild_id = text_of(d, "guild_id");
  m.is_group = !guild_id.empty();
  m.chat_name = m.is_group ? chat_name(guild_id, channel_id) : m.sender_name;
  auto text = text_of(d, "content");
  if (!bot_id_.empty() && strip_mentions(text, bot_id_)
      && !matches_trigger(text, "@" + assistant_name_))
    text = "@" + assistant_name_ + (text.empty() ? "" : " " + text);
  if (d.contains("attachments") && d["attachments"].is_array())
    for (auto& a : d["attachments"])
      text += (text.empty() ? "" : " ") + attachment_note(a);
  if (d.contains("referenced_message") && d["referenced_message"].is_object()) {
    auto& ref = d["referenced_message"];
    auto who = ref.contains("author") ? text_of(ref["author"], "username") : std::string{};
    if (!who.empty())
      text = "[Reply to " + who + "] " + text;
  }
  m.text = std::move(text);
  m.at = parse_time(text_of(d, "timestamp")).value_or(now_ms());
  if (m.id.empty() || channel_id.empty() || m.sender.empty() || m.text.empty())
    return std::nullopt;
  return m;
}

socket_step discord_gateway::on_timer(int64_t) {
  socket_step step;
  if (interval_ms_ <= 0)
    return step;
  if (awaiting_ack_) {
    // No ACK since the last beat: the connection is a zombie.
    resume_ = true;
    step.reconnect = true;
    step.close_code = 4000;
    return step;
  }
  step.send.push_back(heartbeat());
  awaiting_ack_ = true;
  step.timer_ms = interval_ms_;
  return step;
}

socket_step discord_gateway::on_close(int code, int64_t) {
  socket_step step;
  interval_ms_ = 0;
  awaiting_ack_ = false;
  if (discord_fatal_close(code)) {
    step.fatal = code == 4004 ? std::string{"Discord rejected the bot token (close code 4004)"}
                 : code == 4014
                   ? std::string{"Discord refused the message-content intent; enable it in the "
                                 "Developer Portal (close code 4014)"}
                   : "Discord closed the Gateway for good (close code " + std::to_string(code)
                       + ")";
    return step;
  }
  if (code == 4007 || code == 4009 || code == 1000 || code == 1001) {
    // The session cannot be resumed: identify afresh.
    session_id_.clear();
    resume_url_.clear();
    seq_.reset();
    resume_ = false;
  }
  if (code == 0)
    gateway_url_.clear(); // ask for the URL again
  step.reconnect = true;
  return step;
}

} // namespace pincer

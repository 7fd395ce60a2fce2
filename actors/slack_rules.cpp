#include "actors/slack_rules.hpp"

#include <algorithm>
#include <cctype>

#include "actors/channel_rules.hpp"
#include "actors/provider_http.hpp"

namespace pincer {

namespace {

/// Slack's `ts` (`1503435956.000247`) as epoch milliseconds.
int64_t ts_ms(const std::string& ts) {
  try {
    return static_cast<int64_t>(std::stod(ts) * 1000.0);
  } catch (const std::exception&) {
    return 0;
  }
}

/// The channel id of a Slack chat JID (`slack:C123`).
std::string channel_of(const std::string& jid) {
  return jid.rfind("slack:", 0) == 0 ? jid.substr(6) : jid;
}

} // namespace

result<unit> check_slack_signature(const std::string& timestamp, const std::string& signature,
                                   const std::string& body, const std::string& signing_secret,
                                   int64_t now_secs) {
  if (timestamp.empty() || timestamp.size() > 12
      || timestamp.find_first_not_of("0123456789") != std::string::npos)
    return error{ec::unauthorized, "X-Slack-Request-Timestamp is missing or malformed."};
  auto at = std::stoll(timestamp);
  if (std::llabs(now_secs - at) > slack_signature_window_secs)
    return error{ec::unauthorized, "X-Slack-Request-Timestamp is outside the 5-minute window."};
  auto presented = signature;
  std::transform(presented.begin(), presented.end(), presented.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  auto expected = "v0=" + hmac_sha256_hex(signing_secret, "v0:" + timestamp + ":" + body);
  if (signing_secret.empty() || !constant_time_equal(presented, expected))
    return error{ec::unauthorized, "The X-Slack-Signature signature does not match."};
  return unit{};
}

std::optional<slack_message> slack_message_of(const json& event, const std::string& bot_user,
                                              const std::string& assistant_name) {
  if (!event.is_object() || text_of(event, "type") != "message")
    return std::nullopt;
  auto subtype = text_of(event, "subtype");
  if (!subtype.empty() && subtype != "bot_message")
    return std::nullopt;
  slack_message out;
  auto& m = out.message;
  m.channel = "slack";
  auto channel = text_of(event, "channel");
  m.chat_jid = "slack:" + channel;
  m.id = text_of(event, "ts");
  m.text = text_of(event, "text");
  auto user = text_of(event, "user");
  auto bot_id = text_of(event, "bot_id");
  m.sender = !user.empty() ? user : bot_id;
  m.from_me = !bot_user.empty() && user == bot_user;
  m.is_bot = m.from_me || !bot_id.empty() || subtype == "bot_message";
  if (m.from_me)
    m.sender_name = assistant_name;
  else if (!bot_id.empty() && user.empty())
    m.sender_name = text_of(event, "username").empty() ? bot_id : text_of(event, "username");
  m.is_group = text_of(event, "channel_type") != "im";
  m.chat_name = channel;
  m.at = ts_ms(m.id);
  out.thread_ts = text_of(event, "thread_ts");
  if (!bot_user.empty() && !m.from_me) {
    auto mention = "<@" + bot_user + ">";
    if (m.text.find(mention) != std::string::npos
        && !matches_trigger(m.text, "@" + assistant_name))
      m.text = "@" + assistant_name + " " + m.text;
  }
  if (channel.empty() || m.id.empty() || m.sender.empty() || m.text.empty())
    return std::nullopt;
  return out;
}

std::vector<std::string> slack_headers(const std::string& token, bool json_body) {
  std::vector<std::string> out{"Authorization: Bearer " + token};
  out.push_back(json_body ? "Content-Type: application/json; charset=utf-8"
                          : "Content-Type: application/x-www-form-urlencoded");
  return out;
}

http_call slack_user_call(const std::string& base_url, const std::string& bot_token,
                          const std::string& user) {
  http_call c;
  c.url = base_url + "/users.info?user=" + url_encode(user);
  c.headers = {"Authorization: Bearer " + bot_token};
  c.timeout_ms = 5000;
  return c;
}

std::string slack_user_name(const http_result& r) {
  auto body = json::parse(r.body, nullptr, false);
  if (r.status != 200 || !is_true(body, "ok") || !body.contains("user"))
    return {};
  auto& u = body["user"];
  auto profile = u.is_object() ? u.value("profile", json::object()) : json::object();
  for (auto name : {text_of(profile, "display_name"), text_of(profile, "real_name"), text_of(u, "real_name"),
                    text_of(u, "name")})
    if (!name.empty())
      return name;
  return {};
}

http_call slack_channels_call(const std::string& base_url, const std::string& bot_token,
                              const std::string& cursor) {
  http_call c;
  c.url = base_url + "/conversations.list?types=public_channel,private_channel,mpim"
          "&exclude_archived=true&limit=200";
  if (!cursor.empty())
    c.url += "&cursor=" + url_encode(cursor);
  c.headers = {"Authorization: Bearer " + bot_token};
  c.timeout_ms = 5000;
  return c;
}

slack_channel_page slack_channel_names(const http_result& r) {
  slack_channel_page page;
  auto body = json::parse(r.body, nullptr, false);
  if (r.status != 200 || !is_true(body, "ok") || !body.contains("channels")
      || !body["channels"].is_array())
    return page;
  page.ok = true;
  for (auto& c : body["channels"])
    if (is_true(c, "is_member") && !text_of(c, "id").empty()
        && !text_of(c, "name").empty())
      page.names[text_of(c, "id")] = text_of(c, "name");
  if (body.contains("response_metadata"))
    page.next_cursor = text_of(body["response_metadata"], "next_cursor");
  return page;
}

void sync_slack_channels(slack_names& names, const std::string& base_url,
                         const std::string& bot_token,
                         const std::function<http_result(const http_call&)>& fetch) {
  std::string cursor;
  for (int pages = 0; pages < 100; ++pages) {
    auto page = slack_channel_names(fetch(slack_channels_call(base_url, bot_token, cursor)));
    if (!page.ok)
      return;
    names.remember_channels(page.names);
    cursor = page.next_cursor;
    if (cursor.empty())
      return;
  }
}

std::optional<std::string> slack_names::find(const std::string& user) const {
  std::lock_guard<std::mutex> guard{mtx_};
  auto i = names_.find(user);
  if (i == names_.end())
    return std::nullopt;
  return i->second;
}

void slack_names::remember(const std::string& user, const std::string& name) {
  std::lock_guard<std::mutex> guard{mtx_};
  names_[user] = name;
}

void slack_names::remember_channels(const std::map<std::string, std::string>& names) {
  std::lock_guard<std::mutex> guard{mtx_};
  for (auto& [id, name] : names)
    channels_[id] = name;
}

std::set<std::string> slack_names::fill(std::vector<inbound_message>& msgs) const {
  std::lock_guard<std::mutex> guard{mtx_};
  std::set<std::string> unknown;
  for (auto& m : msgs) {
    if (m.sender_name.empty()) {
      auto i = names_.find(m.sender);
      if (i != names_.end())
        m.sender_name = i->second;
      else
        unknown.insert(m.sender);
    }
    if (!m.is_group) {
      if (!m.sender_name.empty())
        m.chat_name = m.sender_name;
    } else if (auto c = channels_.find(channel_of(m.chat_jid)); c != channels_.end()) {
      m.chat_name = c->second;
    }
  }
  return unknown;
}

bool slack_names::wants_channels(const std::vector<inbound_message>& msgs, int64_t now_ms) {
  std::lock_guard<std::mutex> guard{mtx_};
  if (listed_at_ != 0 && now_ms - listed_at_ < slack_channel_sync_ms)
    return false;
  for (auto& m : msgs)
    if (m.is_group && channels_.count(channel_of(m.chat_jid)) == 0) {
      listed_at_ = now_ms;
      return true;
    }
  return false;
}

void slack_threads::note(const std::string& jid, const std::string& thread_ts) {
  std::lock_guard<std::mutex> guard{mtx_};
  threads_[jid] = thread_ts;
}

std::string slack_threads::of(const std::string& jid) const {
  std::lock_guard<std::mutex> guard{mtx_};
  auto i = threads_.find(jid);
  return i == threads_.end() ? std::string{} : i->second;
}

bool recent_ids::insert(const std::string& id) {
  if (!ids_.insert(id).second)
    return false;
  order_.push_back(id);
  while (order_.size() > capacity_) {
    ids_.erase(order_.front());
    order_.pop_front();
  }
  return true;
}

} // namespace pincer

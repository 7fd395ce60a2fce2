#pragma once

// Plain types shared by the channel actors, the providers and the routing
// rules. No CAF here.

#include <atomic>
#include <cstdint>
#include <memory>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "events/envelope.hpp"

namespace pincer {

/// The names of every channel, in the order `GET /channels` lists them.
inline const std::vector<std::string>& channel_names() {
  static const std::vector<std::string> names{"telegram", "slack", "discord", "whatsapp"};
  return names;
}

/// A chat message a provider delivered, in provider-neutral form.
struct inbound_message {
  std::string channel;   ///< `telegram`, `whatsapp`, ...
  std::string id;        ///< Provider message id (unique per chat).
  std::string chat_jid;  ///< `tg:<id>`, `<phone>@s.whatsapp.net`, ...
  std::string chat_name;
  bool is_group = false;
  std::string sender;    ///< Provider sender id (what the allowlist matches).
  std::string sender_name;
  std::string text;
  int64_t at = 0;        ///< Epoch ms the provider says it was written.
  bool from_me = false;
  bool is_bot = false;
};

/// What the routing rules decided for one inbound message.
struct inbound_route {
  bool mapped = false;   ///< A namespace maps the chat.
  bool store = false;    ///< Store the message (false: drop, or chat list only).
  std::string group;     ///< Queue it for this group; empty: no run.
  std::string reason;    ///< Why it was not queued (for the log).
};

/// A provider HTTP call, built by a provider and run off the actor threads.
struct http_call {
  std::string method = "GET";
  std::string url;
  std::vector<std::string> headers; ///< `Name: value`.
  std::string body;
  long timeout_ms = 15000;
};

/// The answer to an `http_call`; `status` 0 when the transfer failed.
struct http_result {
  long status = 0;
  std::map<std::string, std::string> headers; ///< Lower-case names.
  std::string body;
  std::string transport_error;
};

/// How a provider answered a send.
struct send_outcome {
  enum kind_t { sent, retry_after, transient, permanent } kind = transient;
  std::string provider_id;     ///< Message id on success.
  int64_t retry_after_ms = 0;  ///< For `retry_after`.
  std::string message;         ///< Why it failed.
};

/// The provider account a token belongs to.
struct channel_account {
  std::string id;
  std::string name;
};

} // namespace pincer

namespace pincer {

/// An outbound message handed to a channel.
struct outbound_request {
  std::string chat_jid;     ///< Normalised JID.
  std::string text;
  std::string source;       ///< `api`, `run`, `ipc`, `command`.
  uint64_t origin_seq = 0;  ///< The log event it came from (run output, IPC); 0 for none.
};

/// Lets a channel abort its provider calls in flight: a call made for an
/// older connection generation, or after the channel stopped, ends at once.
struct io_control {
  std::atomic<bool> stopping{false};
  std::atomic<uint64_t> generation{0};
};

/// One provider call for a channel's I/O thread.
struct io_request {
  http_call call;
  std::shared_ptr<io_control> control;
  uint64_t generation = 0;
};

} // namespace pincer

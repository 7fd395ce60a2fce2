#pragma once

// The provider-neutral rules of the channel layer: chat JIDs, splitting of
// outbound texts, the sender allowlist, trigger matching and webhook
// signatures. Pure functions, tested without actors.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "actors/channel_types.hpp"
#include "actors/json_fields.hpp"
#include "events/error.hpp"

namespace pincer {

/// A chat JID resolved to its channel.
struct jid_route {
  std::string channel; ///< `telegram`, `slack`, `discord`, `whatsapp`.
  std::string jid;     ///< Normalised (`wa:<phone>` becomes `<phone>@s.whatsapp.net`).
  std::string chat_id; ///< The provider's chat id (`-100123`, `C123`, `<phone>`).
};

/// Resolves a chat JID; nullopt for an unknown form.
std::optional<jid_route> route_jid(const std::string& jid);

/// The text limit of a channel in characters (code points).
size_t text_limit(const std::string& channel);

/// Splits a text into parts of at most `limit` code points, cutting after a
/// line break or at a space when one exists within the last 10% of the
/// limit (the break or space itself is dropped), else exactly at the limit.
std::vector<std::string> split_text(const std::string& text, size_t limit);

/// Number of code points of UTF-8 text.
size_t code_points(std::string_view text);

// -- sender allowlist ---------------------------------------------------------

/// Who may trigger (or be stored) in a chat.
struct allowlist_entry {
  bool everyone = true;             ///< `"allow": "*"`.
  std::vector<std::string> senders; ///< Exact sender ids otherwise.
  bool drop = false;                ///< `mode: drop` (else `trigger`).

  bool allows(const std::string& sender) const;
};

/// The sender allowlist (`GET|PUT /channels/sender-allowlist`).
struct sender_allowlist {
  allowlist_entry fallback;                      ///< `default`.
  std::map<std::string, allowlist_entry> chats;  ///< By normalised JID.
  bool log_denied = true;

  /// The entry that applies to a chat (its own, else the default).
  const allowlist_entry& entry_for(const std::string& jid) const;
};

/// Validates a PUT body; `details.field` names the offending field.
result<sender_allowlist> validate_sender_allowlist(const json& body);

/// The API (and event) form.
json to_json(const sender_allowlist& list);

// -- routing ------------------------------------------------------------------

/// Whether `text` starts with `trigger`, ignoring case and leading spaces,
/// followed by the end or a character that is not a letter, digit or `_`.
bool matches_trigger(const std::string& text, const std::string& trigger);

/// Decides what happens to an inbound message given the allowlist and the
/// namespace list (the directory's `GET` body).
inbound_route route_inbound(const inbound_message& m, const sender_allowlist& list,
                            const json& namespaces);

// -- signatures ---------------------------------------------------------------

/// Lower-case hex HMAC-SHA256 of `data` keyed with `key`.
std::string hmac_sha256_hex(std::string_view key, std::string_view data);

/// Compares in time independent of where the strings differ.
bool constant_time_equal(std::string_view a, std::string_view b);

/// Checks `X-Hub-Signature-256: sha256=<hex>` over the raw body.
bool valid_hub_signature(std::string_view header, std::string_view body,
                         std::string_view app_secret);

} // namespace pincer

#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "events/envelope.hpp"

namespace pincer {

/// Cuts a container's stdout into result blocks as it streams: each block is
/// one JSON line between `---PINCER_OUTPUT_START---` and
/// `---PINCER_OUTPUT_END---` (NanoClaw's `---NANOCLAW_OUTPUT_...` markers are
/// accepted too). Text outside blocks is log output; a block that is not a
/// JSON object is skipped and counted.
class output_parser {
public:
  /// Adds a chunk; returns the blocks it completed, in order.
  std::vector<json> feed(std::string_view chunk);

  /// Blocks skipped because their JSON was bad.
  size_t skipped() const { return skipped_; }

private:
  void line(std::string_view text, std::vector<json>& out);

  std::string partial_;   ///< An unfinished line.
  bool inside_ = false;   ///< Between a start and an end marker.
  std::string body_;      ///< The block's lines so far.
  size_t skipped_ = 0;
};

/// Removes `<internal>...</internal>` blocks (an unclosed one runs to the
/// end) and trims the rest; nullopt when nothing is left.
std::optional<std::string> strip_internal(std::string_view text);

/// True when an agent error says its session no longer exists ("no
/// conversation found", "ENOENT ... .jsonl", "session ... not found").
bool session_missing(std::string_view error_text);

} // namespace pincer

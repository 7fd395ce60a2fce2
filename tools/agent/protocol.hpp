#pragma once

#include <optional>
#include <string>

namespace pincer::agent {

/// The pair of lines that frames one output block on stdout.
struct markers {
  std::string start;
  std::string end;
};

/// `---PINCER_OUTPUT_START---` / `---PINCER_OUTPUT_END---`.
markers pincer_markers();

/// `---NANOCLAW_OUTPUT_START---` / `---NANOCLAW_OUTPUT_END---`.
markers nanoclaw_markers();

/// The one JSON object the host writes to the container's stdin.
struct agent_input {
  std::string prompt;
  std::optional<std::string> session_id;
  std::string group_folder;
  std::string chat_jid;
  bool is_main = false;
  bool is_scheduled_task = false;
  std::string assistant_name;
};

/// Parses the input JSON; throws `std::runtime_error` naming what is wrong.
agent_input parse_input(const std::string& text);

/// The input's fields other than the prompt, as one JSON line.
std::string describe_input(const agent_input& input);

/// One result as the host reads it.
struct output_block {
  bool success = true;
  std::optional<std::string> result;
  std::optional<std::string> new_session_id;
  std::optional<std::string> error;
};

/// A success block carrying `result` (null when absent).
output_block success_block(std::optional<std::string> result,
                           std::optional<std::string> new_session_id = std::nullopt);

/// An error block with a null result.
output_block error_block(std::string message);

/// The block as one JSON line (invalid UTF-8 replaced, never thrown on).
std::string to_json_line(const output_block& block);

/// Prints the block between the markers on stdout and flushes.
void emit(const output_block& block, const markers& marks);

/// Prints `line` between the markers as it is (the `raw:` directive).
void emit_raw(const std::string& line, const markers& marks);

} // namespace pincer::agent

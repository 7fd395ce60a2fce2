#pragma once

#include <filesystem>
#include <string>

#include "tools/agent/protocol.hpp"

namespace pincer::agent {

/// What one agent process keeps across its prompts.
struct agent_state {
  agent_input input;
  markers marks = pincer_markers();
  std::filesystem::path ipc;
  /// Exit 0 after the current prompt instead of waiting for follow-ups.
  bool once = false;
};

/// How a prompt ended: keep going, or exit with `code`.
struct prompt_outcome {
  bool exit = false;
  int code = 0;
};

/// Runs the steps of one prompt in order and prints its output blocks.
prompt_outcome run_prompt(const std::string& text, agent_state& state);

} // namespace pincer::agent

// pincer-agent: a scriptable stand-in for the agent container. It speaks pincer's
// container protocol (input JSON on stdin, framed output blocks on stdout, follow-ups
// and `_close` through the IPC folder) and lets the prompt's directives decide what it
// does. See container/README.md for the protocol and the directive list.

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <iterator>
#include <string>
#include <thread>

#include <unistd.h>

#include "tools/agent/ipc.hpp"
#include "tools/agent/protocol.hpp"
#include "tools/agent/runner.hpp"

using namespace pincer::agent;

namespace {

constexpr auto poll_interval = std::chrono::milliseconds(100);

constexpr const char* usage =
  "usage: pincer-agent [--nanoclaw-markers]\n"
  "Reads one input JSON on stdin, answers with output blocks on stdout, then answers\n"
  "follow-ups from $PINCER_AGENT_IPC_DIR/input (default /workspace/ipc/input) until\n"
  "_close appears.\n";

/// As PID 1 in a container the default action of SIGTERM is to ignore it; exit instead.
extern "C" void on_signal(int sig) {
  _exit(128 + sig);
}

void install_signal_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGTERM, SIGINT, SIGHUP})
    sigaction(sig, &sa, nullptr);
}

/// Answers follow-ups until `_close`, a terminating directive or `once`.
int serve_follow_ups(agent_state& state) {
  auto input_dir = state.ipc / "input";
  for (;;) {
    std::this_thread::sleep_for(poll_interval);
    auto poll = take_input(input_dir);
    for (auto& text : poll.messages) {
      auto outcome = run_prompt(text, state);
      if (outcome.exit)
        return outcome.code;
    }
    if (poll.close)
      return 0;
  }
}

} // namespace

int main(int argc, char** argv) {
  agent_state state;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--nanoclaw-markers") == 0) {
      state.marks = nanoclaw_markers();
    } else if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
      std::fputs(usage, stdout);
      return 0;
    } else {
      std::fprintf(stderr, "pincer-agent: unknown argument '%s'\n%s", argv[i], usage);
      return 64;
    }
  }
  install_signal_handlers();
  state.ipc = ipc_dir();
  std::string text{std::istreambuf_iterator<char>{std::cin}, std::istreambuf_iterator<char>{}};
  try {
    state.input = parse_input(text);
  } catch (const std::exception& e) {
    emit(error_block(std::string{"invalid input: "} + e.what()), state.marks);
    return 1;
  }
  auto first = run_prompt(state.input.prompt, state);
  if (first.exit)
    return first.code;
  return serve_follow_ups(state);
}

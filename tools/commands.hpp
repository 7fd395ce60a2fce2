#pragma once

#include <functional>

#include <CLI/CLI.hpp>

namespace pincer {

/// What a parsed subcommand runs; returns the process exit code.
using command_action = std::function<int()>;

/// `pincer serve ...`: the server.
void add_serve_command(CLI::App& app, command_action& action);

/// `pincer events ls|tail|dump|show|stats|verify`: inspect the log.
void add_events_command(CLI::App& app, command_action& action);

/// `pincer replay audit|runs|analytics|chats`: rebuild a projection offline.
void add_replay_command(CLI::App& app, command_action& action);

} // namespace pincer

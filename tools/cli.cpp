#include "tools/cli.hpp"

#include <iostream>

#include "tools/commands.hpp"

namespace pincer {

int run_cli(int argc, char** argv) {
  CLI::App app{"pincer: runs AI-agent containers for chat groups behind a REST API"};
  app.require_subcommand(1);
  command_action action;
  add_serve_command(app, action);
  add_events_command(app, action);
  add_replay_command(app, action);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return action ? action() : 1;
}

} // namespace pincer

#include <fstream>
#include <iostream>
#include <memory>

#include <unistd.h>

#include "tools/commands.hpp"
#include "tools/inspect.hpp"
#include "tools/inspect_replay.hpp"

namespace pincer {

namespace {

struct replay_cli_options {
  std::string data_dir = "./data";
  std::string output;
};

int run_replay_audit(const replay_cli_options& o) {
  auto store = open_event_log(o.data_dir);
  if (!store) {
    std::cerr << "pincer: " << store.err().message << '\n';
    return 2;
  }
  std::ofstream file;
  replay_options opts;
  if (!o.output.empty()) {
    file.open(o.output, std::ios::binary | std::ios::trunc);
    if (!file) {
      std::cerr << "pincer: cannot write " << o.output << '\n';
      return 2;
    }
    opts.rows_out = &file;
  }
  if (isatty(STDERR_FILENO))
    opts.progress_out = &std::cerr;
  auto counts = replay_audit(**store, opts);
  if (!counts) {
    std::cerr << "pincer: " << counts.err().message << '\n';
    return 1;
  }
  if (file.is_open()) {
    file.close();
    if (!file) {
      std::cerr << "pincer: cannot write " << o.output << '\n';
      return 1;
    }
  }
  std::cout << counts->dump() << std::endl;
  return 0;
}

} // namespace

void add_replay_command(CLI::App& app, command_action& action) {
  auto replay = app.add_subcommand("replay", "Rebuild a projection offline from the log");
  replay->require_subcommand(1);
  auto o = std::make_shared<replay_cli_options>();
  auto audit = replay->add_subcommand("audit", "Rebuild the audit log in memory and count it");
  audit->add_option("--data-dir", o->data_dir, "Data folder (the store is <data-dir>/events)")
    ->capture_default_str();
  audit->add_option("--output", o->output, "Write the rebuilt rows as JSON lines to this file");
  audit->callback([o, &action] { action = [o] { return run_replay_audit(*o); }; });
}

} // namespace pincer

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
  std::string format = "jsonl";
};

/// Rebuilds one projection; `--output -` writes the items to standard
/// output instead of the summary.
int run_replay(const std::string& name, const replay_cli_options& o) {
  auto store = open_event_log(o.data_dir);
  if (!store) {
    std::cerr << "pincer: " << store.err().message << '\n';
    return 2;
  }
  std::ofstream file;
  replay_options opts;
  opts.format = o.format;
  bool to_stdout = o.output == "-";
  if (to_stdout) {
    std::ios_base::sync_with_stdio(false);
    opts.rows_out = &std::cout;
  } else if (!o.output.empty()) {
    file.open(o.output, std::ios::binary | std::ios::trunc);
    if (!file) {
      std::cerr << "pincer: cannot write " << o.output << '\n';
      return 2;
    }
    opts.rows_out = &file;
  }
  if (isatty(STDERR_FILENO))
    opts.progress_out = &std::cerr;
  auto counts = replay_projection(**store, name, opts);
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
  if (!to_stdout)
    std::cout << counts->dump() << std::endl;
  return std::cout ? 0 : 1;
}

} // namespace

void add_replay_command(CLI::App& app, command_action& action) {
  auto replay = app.add_subcommand("replay", "Rebuild a projection offline from the log");
  replay->require_subcommand(1);
  auto o = std::make_shared<replay_cli_options>();
  for (auto& name : replay_names()) {
    auto sub = replay->add_subcommand(name, "Rebuild the " + name
                                              + " projection in memory, count and export it");
    sub->add_option("--data-dir", o->data_dir, "Data folder (the store is <data-dir>/events)")
      ->capture_default_str();
    sub->add_option("--output", o->output, "Write the rebuilt items to this file (- for stdout)");
    sub->add_option("--format", o->format, "Export format")
      ->check(CLI::IsMember({"jsonl", "csv"}))
      ->capture_default_str();
    sub->callback([o, name, &action] { action = [o, name] { return run_replay(name, *o); }; });
  }
}

} // namespace pincer

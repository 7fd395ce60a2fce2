#include <chrono>
#include <iostream>
#include <memory>
#include <thread>

#include "tools/commands.hpp"
#include "tools/inspect.hpp"
#include "tools/inspect_verify.hpp"

namespace pincer {

namespace {

/// Every option of every `events` subcommand (each parses into its own).
struct events_options {
  std::string data_dir = "./data";
  std::string prefix;
  size_t count = 20;
  bool follow = false;
  uint64_t after = 0;
  std::optional<size_t> limit;
  uint64_t seq = 0;
  event_filter filter;
};

constexpr auto poll_interval = std::chrono::milliseconds{500};

/// Gives up following after this many failed reopens in a row.
constexpr int max_reopen_failures = 20;

int fail(const error& e, int code) {
  std::cerr << "pincer: " << e.message << '\n';
  return code;
}

/// Opens the store and runs `f` on it; exit 2 when it cannot be opened.
template <class F>
int with_store(const events_options& o, F f) {
  std::ios_base::sync_with_stdio(false);
  auto store = open_event_log(o.data_dir);
  if (!store)
    return fail(store.err(), 2);
  auto code = f(**store);
  std::cout.flush();
  return code;
}

/// Prints new matching events after `position` until interrupted, reopening
/// the read-only store every `poll_interval` to see what the server wrote.
int follow(const events_options& o, uint64_t position) {
  int failures = 0;
  for (;;) {
    std::this_thread::sleep_for(poll_interval);
    auto store = open_event_log(o.data_dir);
    if (!store) {
      if (++failures >= max_reopen_failures)
        return fail(store.err(), 2);
      continue;
    }
    failures = 0;
    if ((*store)->last_seq() <= position)
      continue;
    dump_options d;
    d.after = position;
    d.filter = o.filter;
    auto read = dump_events(**store, d, std::cout);
    if (!read)
      return fail(read.err(), 1);
    position = *read;
    std::cout.flush();
  }
}

int run_tail(const events_options& o) {
  return with_store(o, [&](const event_store& store) {
    tail_options t;
    t.count = o.count;
    t.filter = o.filter;
    auto read = tail_events(store, t, std::cout);
    if (!read)
      return fail(read.err(), 1);
    if (!o.follow)
      return 0;
    std::cout.flush();
    return follow(o, *read);
  });
}

int run_dump(const events_options& o) {
  return with_store(o, [&](const event_store& store) {
    dump_options d;
    d.after = o.after;
    d.filter = o.filter;
    d.limit = o.limit;
    auto read = dump_events(store, d, std::cout);
    return read ? 0 : fail(read.err(), 1);
  });
}

int run_show(const events_options& o) {
  return with_store(o, [&](const event_store& store) {
    auto shown = show_event(store, o.seq, std::cout);
    return shown ? 0 : fail(shown.err(), 1);
  });
}

int run_stats(const events_options& o) {
  return with_store(o, [&](const event_store& store) {
    auto stats = event_stats(store);
    if (!stats)
      return fail(stats.err(), 1);
    std::cout << stats->dump(2) << '\n';
    return 0;
  });
}

int run_verify(const events_options& o) {
  return with_store(o, [&](const event_store& store) {
    auto summary = verify_log(store, std::cout);
    if (!summary)
      return fail(summary.err(), 1);
    return summary->clean() ? 0 : 1;
  });
}

/// Adds a subcommand with its own options and `--data-dir`; selecting it
/// makes `action` run `run` on the parsed options.
CLI::App* add_leaf(CLI::App& parent, command_action& action, const std::string& name,
                   const std::string& description, std::shared_ptr<events_options> o,
                   int (*run)(const events_options&)) {
  auto cmd = parent.add_subcommand(name, description);
  cmd->add_option("--data-dir", o->data_dir, "Data folder (the store is <data-dir>/events)")
    ->capture_default_str();
  cmd->callback([o, run, &action] { action = [o, run] { return run(*o); }; });
  return cmd;
}

void add_filters(CLI::App* cmd, events_options& o) {
  cmd->add_option("--stream", o.filter.stream_prefix, "Only streams starting with this prefix");
  cmd->add_option("--type", o.filter.type, "Only events of this type");
}

} // namespace

void add_events_command(CLI::App& app, command_action& action) {
  auto events = app.add_subcommand("events", "Inspect the event log (read-only)");
  events->require_subcommand(1);

  auto ls = std::make_shared<events_options>();
  add_leaf(*events, action, "ls", "List streams with their versions", ls,
           [](const events_options& o) {
             return with_store(o, [&](const event_store& store) {
               list_streams(store, o.prefix, std::cout);
               return 0;
             });
           })
    ->add_option("--prefix", ls->prefix, "Only streams starting with this prefix");

  auto tail = std::make_shared<events_options>();
  auto tail_cmd = add_leaf(*events, action, "tail", "Print the last events as JSON lines", tail,
                           run_tail);
  tail_cmd->add_option("-n", tail->count, "How many events")->capture_default_str();
  add_filters(tail_cmd, *tail);
  tail_cmd->add_flag("-f,--follow", tail->follow, "Keep printing new events until interrupted");

  auto dump = std::make_shared<events_options>();
  auto dump_cmd = add_leaf(*events, action, "dump", "Print events from the start as JSON lines",
                           dump, run_dump);
  dump_cmd->add_option("--after", dump->after, "Start after this sequence number");
  add_filters(dump_cmd, *dump);
  dump_cmd->add_option("--limit", dump->limit, "Print at most this many events");

  auto show = std::make_shared<events_options>();
  add_leaf(*events, action, "show", "Print one event as pretty JSON", show, run_show)
    ->add_option("seq", show->seq, "Sequence number")
    ->required();

  auto stats = std::make_shared<events_options>();
  add_leaf(*events, action, "stats", "Print counts per type and stream prefix", stats,
           run_stats);

  auto verify = std::make_shared<events_options>();
  add_leaf(*events, action, "verify",
           "Check sequence gaps, checksums and decoding; exit 1 on any problem", verify,
           run_verify);
}

} // namespace pincer

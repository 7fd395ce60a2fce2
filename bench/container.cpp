#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "actors/process.hpp"
#include "actors/runtime.hpp"
#include "bench/bench.hpp"
#include "events/envelope.hpp"

extern char** environ;

namespace pincer::bench {

namespace {

using clock_type = std::chrono::steady_clock;

double median(std::vector<double> xs) {
  std::sort(xs.begin(), xs.end());
  auto n = xs.size();
  return n % 2 ? xs[n / 2] : (xs[n / 2 - 1] + xs[n / 2]) / 2;
}

/// The baseline: the same argv spawned straight from this process, stdin
/// from a pipe, stdout discarded, waited for with waitpid.
double direct_run_ms(const std::vector<std::string>& argv, const std::string& input) {
  int in[2];
  if (pipe(in) != 0)
    return -1;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in[0], 0);
  posix_spawn_file_actions_addclose(&fa, in[1]);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  std::vector<char*> args;
  for (auto& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  auto start = clock_type::now();
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  close(in[0]);
  if (rc != 0) {
    close(in[1]);
    return -1;
  }
  auto written = write(in[1], input.data(), input.size());
  (void) written;
  close(in[1]);
  int status = 0;
  waitpid(pid, &status, 0);
  return std::chrono::duration<double, std::milli>(clock_type::now() - start).count();
}

/// The same run through pincer's runtime layer (argv builder + process runner).
double pincer_run_ms(process_runner& runner, const run_options& opts, const runtime_info& info,
                     const std::string& input) {
  auto start = clock_type::now();
  auto argv = build_run_args(runtime_backend::podman, opts, info);
  if (!argv)
    return -1;
  process_spec spec;
  spec.argv = std::move(*argv);
  spec.stdin_data = input;
  spec.timeout = std::chrono::seconds{60};
  auto r = run_sync(runner, std::move(spec));
  if (r.exit_code != 0)
    return -1;
  return std::chrono::duration<double, std::milli>(clock_type::now() - start).count();
}

} // namespace

int container_main(int argc, char** argv) {
  std::string image = "localhost/pincer-agent-test:latest";
  int runs = 20;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--image") == 0)
      image = argv[i + 1];
    else if (std::strcmp(argv[i], "--runs") == 0)
      runs = std::max(1, std::atoi(argv[i + 1]));
  }
  process_runner runner;
  process_spec probe;
  probe.argv = probe_command(runtime_backend::podman);
  auto info = interpret_probe(runtime_backend::podman, run_sync(runner, probe), false);
  if (!info.available) {
    std::cerr << "pincer-bench container: podman is not usable\n";
    return 1;
  }
  run_options opts;
  opts.image = image;
  opts.network = "none";
  opts.env = {{"TZ", "UTC"}};
  auto input = json{{"prompt", "echo: hi\nonce"}}.dump();
  std::vector<double> direct, layered;
  for (int i = 0; i < runs; ++i) {
    opts.name = "pincer-bench-" + std::to_string(::getpid()) + "-" + std::to_string(i);
    auto argv_direct = build_run_args(runtime_backend::podman, opts, info);
    if (!argv_direct)
      return 1;
    direct.push_back(direct_run_ms(*argv_direct, input));
    opts.name += "-p";
    layered.push_back(pincer_run_ms(runner, opts, info, input));
    if (direct.back() < 0 || layered.back() < 0) {
      std::cerr << "pincer-bench container: a run failed\n";
      return 1;
    }
  }
  auto d = median(direct), p = median(layered);
  std::cout << "container runs=" << runs << " direct_ms=" << d << " pincer_ms=" << p
            << " ratio=" << (p / d) << std::endl;
  return 0;
}

} // namespace pincer::bench

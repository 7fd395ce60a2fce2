#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "actors/process.hpp"

namespace pincer {

/// One container run as the launcher sees it.
struct launch_spec {
  std::vector<std::string> argv;      ///< The full `run` command line.
  std::vector<std::string> stop_argv; ///< The command that stops the container.
  std::string stdin_data;             ///< The input JSON.
};

/// Starts and stops group containers. Callbacks may run on any thread, each
/// run's `on_stdout` calls come before its `done`.
class container_launcher {
public:
  virtual ~container_launcher() = default;

  /// Starts a run; returns its id.
  virtual uint64_t launch(launch_spec spec, std::function<void(std::string_view)> on_stdout,
                          std::function<void(process_result)> done) = 0;

  /// Stops a run: the runtime's stop command, then the CLI process itself.
  virtual void stop(uint64_t id) = 0;
};

/// Runs containers through the runtime's command line.
std::shared_ptr<container_launcher> make_cli_launcher(std::shared_ptr<process_runner> runner);

/// Pretends every container answers one result at once and exits 0; only the
/// queue benchmark uses it, to measure the queue without a runtime.
std::shared_ptr<container_launcher> make_instant_launcher();

} // namespace pincer

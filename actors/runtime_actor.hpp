#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "actors/interfaces.hpp"
#include "actors/process.hpp"
#include "actors/runtime.hpp"
#include "storage/event_store.hpp"

namespace pincer {

/// How the runtime actor finds the runtime and builds the agent image.
struct runtime_settings {
  std::optional<runtime_backend> configured; ///< `--runtime`; nullopt = auto.
  std::string default_image = "pincer-agent:latest";
  std::string build_context;                 ///< Folder holding the image definition.
  std::string build_file = "Dockerfile";     ///< Relative to the context, or absolute.
  std::chrono::milliseconds probe_timeout{10000};
  std::chrono::milliseconds build_timeout{30 * 60 * 1000};
  /// False: the first detection waits for a refresh request (the server
  /// sends one once it is up, so the probes do not slow its start-up);
  /// requests before it wait for that detection.
  bool detect_at_spawn = true;
};

/// Most bytes of build output kept for the answer.
constexpr size_t build_output_tail = 64 * 1024;

/// The body of a build answer (success or failure share the published shape).
json build_answer(const std::string& tag, const process_result& r);

/// The GET `/container/image/status` body.
json image_status(const std::string& tag, const std::optional<image_facts>& facts,
                  const json& build);

/// State of the runtime actor.
struct runtime_actor_state {
  using promise = caf::typed_response_promise<reply>;

  runtime_settings settings;
  std::shared_ptr<process_runner> runner;
  event_log_actor log;
  runtime_info info;
  bool detecting = false; ///< Requests wait for a detection.
  bool probing = false;    ///< A detection's probes are running.
  std::vector<std::function<void()>> awaiting_detection; ///< Run when detection ends.
  json recorded;                              ///< Last `runtime.detected` data.
  std::map<std::string, std::vector<promise>> building; ///< tag -> waiting callers
  std::map<std::string, json> last_build;     ///< tag -> {state, lastBuildAt}
  std::map<uint64_t, promise> inspecting;
  uint64_t next_inspect = 0;

  static inline const char* name = "runtime";
};

/// The runtime actor: detection, image builds and image status.
runtime_actor::behavior_type
runtime_behavior(runtime_actor::stateful_pointer<runtime_actor_state> self,
                 runtime_settings settings, std::shared_ptr<process_runner> runner,
                 std::shared_ptr<event_store> store, event_log_actor log);

} // namespace pincer

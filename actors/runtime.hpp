#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "actors/process.hpp"
#include "events/envelope.hpp"
#include "events/error.hpp"

namespace pincer {

// -- backends and detection ---------------------------------------------------

/// A container runtime pincer can drive through its command line.
enum class runtime_backend { docker, podman, apple_container };

/// `docker`, `podman` or `apple_container` (the API spelling).
std::string_view to_string(runtime_backend backend);

/// The inverse of `to_string`; nullopt for anything else.
std::optional<runtime_backend> parse_backend(std::string_view text);

/// The executable: `docker`, `podman` or `container`.
std::string_view cli_name(runtime_backend backend);

/// What detection found out (the GET `/container/runtime` facts).
struct runtime_info {
  bool available = false;
  std::optional<runtime_backend> backend;
  std::string version;
  std::string host_gateway;
  std::vector<std::string> extra_run_args;
  std::string message;
};

/// The published api.md §2 shape, with nulls when nothing is available.
json to_json(const runtime_info& info);

/// The backends to try in order: just the configured one, else `auto`
/// (Apple Container on macOS only, then Docker, then Podman).
std::vector<runtime_backend> detection_order(std::optional<runtime_backend> configured);

/// The command whose success proves a backend works and reports its version.
std::vector<std::string> probe_command(runtime_backend backend);

/// Turns a probe's outcome into runtime facts; `docker_desktop_hint` says the
/// Docker daemon is Docker Desktop (no `--add-host` needed).
runtime_info interpret_probe(runtime_backend backend, const process_result& probe,
                             bool docker_desktop_hint);

/// The answer when every backend in `tried` failed.
runtime_info runtime_not_found(const std::vector<runtime_backend>& tried);

/// True when this build targets a host where Docker is Docker Desktop.
bool docker_desktop_platform();

/// The Apple Container host gateway: the given bridge address, else 192.168.64.1.
std::string apple_host_gateway(const std::optional<std::string>& bridge_ipv4);

/// The IPv4 address of a network interface, if it has one.
std::optional<std::string> interface_ipv4(const std::string& name);

// -- validation of everything that reaches a command line --------------------

/// A container name: `^[A-Za-z0-9][A-Za-z0-9_.-]*$`, at most 128 chars.
result<unit> validate_container_name(std::string_view name, std::string field = "name");

/// An image reference `[registry[:port]/]name[:tag][@sha256:digest]`, at most 255 chars.
result<unit> validate_image_tag(std::string_view tag, std::string field = "imageTag");

/// Refuses extra run arguments that weaken isolation or add mounts, in any spelling.
result<unit> validate_extra_args(const std::vector<std::string>& args,
                                 std::string field = "extraArgs");

/// An environment variable name: `^[A-Za-z_][A-Za-z0-9_]*$`.
bool valid_env_key(std::string_view key);

// -- command lines ------------------------------------------------------------

/// One bind mount of a host folder into a container.
struct mount_spec {
  std::string host_path;
  std::string container_path;
  bool read_only = true;
};

/// Everything a `run` command line is built from.
struct run_options {
  std::string name;
  std::string image;
  std::vector<mount_spec> mounts;
  std::vector<std::pair<std::string, std::string>> env;
  std::vector<std::string> extra_args;
  std::string network;  ///< Empty means the runtime's default.
  bool interactive = true;
  std::string user;  ///< `uid` or `uid:gid`, or empty.
  /// Value of the `pincer.owner` label (docker, podman), so a server only
  /// ever stops its own containers; `[A-Za-z0-9]*`, empty for none.
  std::string owner;
};

/// The full `run` argv (starting with the CLI name) in NanoClaw's order:
/// `run -i --rm --name N`, network, host-gateway args, `-e K=V`, `--user`,
/// mounts, extra args, image. Any invalid input gives an error and no argv.
result<std::vector<std::string>> build_run_args(runtime_backend backend, const run_options& opts,
                                                const runtime_info& info);

/// `build -t TAG -f FILE [--no-cache] CONTEXT`.
std::vector<std::string> build_image_args(runtime_backend backend, const std::string& tag,
                                          const std::string& context_dir,
                                          const std::string& file, bool no_cache);

/// `image inspect` printing `ID|CREATED|SIZE` (docker, podman) or JSON (Apple).
std::vector<std::string> image_inspect_args(runtime_backend backend, const std::string& tag);

/// The facts GET `/container/image/status` reports about an existing image.
struct image_facts {
  std::string id;          ///< `sha256:...`
  int64_t created_at = 0;  ///< Epoch ms, 0 when unknown.
  int64_t size_bytes = 0;
};

/// Parses `image_inspect_args` output; nullopt when it is not an image.
std::optional<image_facts> parse_image_inspect(runtime_backend backend, std::string_view out);

/// Parses Go's `time.Time` text (`2026-01-02 03:04:05.1 +0000 UTC`) or RFC 3339 into epoch ms.
std::optional<int64_t> parse_runtime_time(std::string_view text);

/// `stop -t 1 NAME` (`stop NAME` for Apple); the name is validated first.
result<std::vector<std::string>> stop_args(runtime_backend backend, const std::string& name);

/// Lists containers whose names start with `prefix` (running or not) and,
/// when `owner` is not empty, that carry that `pincer.owner` label.
std::vector<std::string> list_containers_args(runtime_backend backend, const std::string& prefix,
                                              const std::string& owner = {});

/// The valid container names in a listing that start with `prefix`.
std::vector<std::string> parse_container_list(runtime_backend backend, std::string_view out,
                                              const std::string& prefix);

} // namespace pincer

#include "actors/runtime.hpp"

#include <cctype>
#include <cstring>

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>

#include "events/json_text.hpp"

namespace pincer {

namespace {

/// The last non-empty line of a command's error output, at most 200 chars.
std::string last_line(std::string_view text) {
  text = trim(text);
  auto nl = text.find_last_of('\n');
  if (nl != std::string_view::npos)
    text = trim(text.substr(nl + 1));
  if (text.size() > 200)
    text = text.substr(text.size() - 200);
  return std::string{text};
}

/// The first `N.N[.N...]` token in a text, or empty.
std::string first_version(std::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))
        || (i > 0 && std::isalnum(static_cast<unsigned char>(text[i - 1]))))
      continue;
    size_t j = i;
    bool dot = false;
    while (j < text.size()
           && (std::isdigit(static_cast<unsigned char>(text[j]))
               || (text[j] == '.' && j + 1 < text.size()
                   && std::isdigit(static_cast<unsigned char>(text[j + 1]))))) {
      dot = dot || text[j] == '.';
      ++j;
    }
    if (dot)
      return std::string{text.substr(i, j - i)};
    i = j;
  }
  return {};
}

/// The names of a backend: API id, CLI program, human name.
struct backend_names {
  std::string_view id;
  std::string_view cli;
  std::string_view display;
};

backend_names names_of(runtime_backend backend) {
  switch (backend) {
    case runtime_backend::docker:
      return {"docker", "docker", "Docker"};
    case runtime_backend::podman:
      return {"podman", "podman", "Podman"};
    case runtime_backend::apple_container:
      return {"apple_container", "container", "Apple Container"};
  }
  return {"unknown", "docker", "unknown"};
}

std::string display_name(runtime_backend backend) {
  return std::string{names_of(backend).display};
}

} // namespace

// -- backends -------------------------------------------------------------------

std::string_view to_string(runtime_backend backend) {
  return names_of(backend).id;
}

std::optional<runtime_backend> parse_backend(std::string_view text) {
  for (auto b : {runtime_backend::docker, runtime_backend::podman,
                 runtime_backend::apple_container})
    if (to_string(b) == text)
      return b;
  return std::nullopt;
}

std::string_view cli_name(runtime_backend backend) {
  return names_of(backend).cli;
}

// -- detection ------------------------------------------------------------------

json to_json(const runtime_info& info) {
  json result = json::object();
  result["available"] = info.available;
  if (info.available && info.backend) {
    result["backend"] = std::string{to_string(*info.backend)};
    result["version"] = info.version;
    result["networking"] = json{{"hostGateway", info.host_gateway},
                                {"extraRunArgs", info.extra_run_args}};
  } else {
    result["backend"] = nullptr;
    result["version"] = nullptr;
    result["networking"] = nullptr;
  }
  result["message"] = info.message;
  return result;
}

std::vector<runtime_backend> detection_order(std::optional<runtime_backend> configured) {
  if (configured)
    return {*configured};
  std::vector<runtime_backend> order;
#ifdef __APPLE__
  order.push_back(runtime_backend::apple_container);
#endif
  order.push_back(runtime_backend::docker);
  order.push_back(runtime_backend::podman);
  return order;
}

std::vector<std::string> probe_command(runtime_backend backend) {
  switch (backend) {
    case runtime_backend::docker:
      return {"docker", "info", "--format", "{{.ServerVersion}}|{{.OperatingSystem}}"};
    case runtime_backend::podman:
      return {"podman", "info", "--format", "{{.Version.Version}}"};
    case runtime_backend::apple_container:
      return {"container", "system", "status"};
  }
  return {};
}

runtime_info interpret_probe(runtime_backend backend, const process_result& probe,
                             bool docker_desktop_hint) {
  runtime_info info;
  auto cli = std::string{cli_name(backend)};
  if (probe.spawn_failed) {
    info.message = cli + " not found";
    return info;
  }
  if (probe.timed_out) {
    info.message = cli + " did not answer in time";
    return info;
  }
  if (probe.exit_code != 0) {
    auto why = last_line(probe.err);
    info.message = cli + " is not usable (exit code " + std::to_string(probe.exit_code) + ")"
                   + (why.empty() ? "" : ": " + why);
    return info;
  }
  auto out = trim(probe.out);
  std::string version;
  switch (backend) {
    case runtime_backend::docker: {
      auto bar = out.find('|');
      version = std::string{trim(out.substr(0, bar))};
      if (bar != std::string_view::npos
          && out.substr(bar + 1).find("Docker Desktop") != std::string_view::npos)
        docker_desktop_hint = true;
      info.host_gateway = "host.docker.internal";
      if (!docker_desktop_hint)
        info.extra_run_args = {"--add-host=host.docker.internal:host-gateway"};
      break;
    }
    case runtime_backend::podman:
      version = std::string{out};
      info.host_gateway = "host.containers.internal";
      break;
    case runtime_backend::apple_container:
      version = first_version(out);
      if (version.empty())
        version = "unknown";
      info.host_gateway = apple_host_gateway(interface_ipv4("bridge100"));
      break;
  }
  if (version.empty() || version.find('\n') != std::string::npos) {
    info.host_gateway.clear();
    info.extra_run_args.clear();
    info.message = cli + " did not report a server version";
    return info;
  }
  info.available = true;
  info.backend = backend;
  info.version = std::move(version);
  info.message = display_name(backend) + " runtime detected";
  return info;
}

runtime_info runtime_not_found(const std::vector<runtime_backend>& tried) {
  runtime_info info;
  std::string names;
  for (auto b : tried) {
    if (!names.empty())
      names += ", ";
    names += to_string(b);
  }
  info.message = "No container runtime found (tried: " + names + ")";
  return info;
}

bool docker_desktop_platform() {
#if defined(__APPLE__) || defined(_WIN32)
  return true;
#else
  return false;
#endif
}

std::string apple_host_gateway(const std::optional<std::string>& bridge_ipv4) {
  if (bridge_ipv4 && !bridge_ipv4->empty())
    return *bridge_ipv4;
  return "192.168.64.1";
}

std::optional<std::string> interface_ipv4(const std::string& name) {
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0)
    return std::nullopt;
  std::optional<std::string> found;
  for (auto* a = list; a != nullptr && !found; a = a->ifa_next) {
    if (a->ifa_addr == nullptr || a->ifa_addr->sa_family != AF_INET || a->ifa_name == nullptr
        || name != a->ifa_name)
      continue;
    char text[INET_ADDRSTRLEN] = {};
    auto* sin = reinterpret_cast<sockaddr_in*>(a->ifa_addr);
    if (::inet_ntop(AF_INET, &sin->sin_addr, text, sizeof(text)) != nullptr)
      found = std::string{text};
  }
  ::freeifaddrs(list);
  return found;
}

} // namespace pincer

#include <arpa/inet.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include <spdlog/spdlog.h>

#include "actors/core.hpp"
#include "events/json_text.hpp"
#include "http/server.hpp"
#include "tools/commands.hpp"

namespace pincer {

namespace {

struct serve_options {
  std::string host = "127.0.0.1";
  uint16_t port = 55765;
  std::string data_dir = "./data";
  std::string durability = "fsync";
  std::string api_key_file;
  std::string assistant_name = "Andy";
  std::string log_level = "info";
  std::string runtime = "auto";
  std::string agent_image = "pincer-agent:latest";
  std::string image_context = PINCER_CONTAINER_DIR "/agent";
  std::string image_file = "Dockerfile";
  int build_timeout_secs = 1800;
  std::string telegram_api_url;
  std::string whatsapp_api_url;
  std::string slack_api_url;
  std::string discord_api_url;
  std::string proxy_host;
  uint16_t proxy_port = 3001;
  int retry_base_ms = 5000;
  std::string timezone;
};

/// Keys from `--api-key-file` (one per line, `#` comments) and from
/// `PINCER_API_KEYS` (comma-separated).
result<std::vector<std::string>> load_api_keys(const serve_options& o) {
  std::vector<std::string> keys;
  if (!o.api_key_file.empty()) {
    std::ifstream in{o.api_key_file};
    if (!in)
      return error{ec::validation_failed, "cannot read --api-key-file " + o.api_key_file};
    for (std::string line; std::getline(in, line);)
      if (auto k = trim(line); !k.empty() && k[0] != '#')
        keys.emplace_back(k);
  }
  if (auto env = std::getenv("PINCER_API_KEYS")) {
    std::stringstream in{env};
    for (std::string part; std::getline(in, part, ',');)
      if (auto k = trim(part); !k.empty())
        keys.emplace_back(k);
  }
  return keys;
}

/// Blocks until SIGINT or SIGTERM.
void wait_for_signal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  int sig = 0;
  sigwait(&set, &sig);
  spdlog::info("received signal {}, shutting down", sig);
}

int serve(const serve_options& o) {
  spdlog::set_level(spdlog::level::from_str(o.log_level));
  // Every thread started from here on inherits the blocked signals, so only
  // `wait_for_signal` receives them.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  auto keys = load_api_keys(o);
  if (!keys) {
    std::cerr << "pincer: " << keys.err().message << '\n';
    return 2;
  }
  if (keys->empty() && !is_loopback(o.host)) {
    std::cerr << "pincer: refusing to listen on " << o.host
              << " without an API key (use --api-key-file or PINCER_API_KEYS)\n";
    return 2;
  }
  core_config cc;
  cc.data_dir = o.data_dir;
  cc.sync = o.durability == "fsync";
  cc.assistant_name = o.assistant_name;
  cc.runtime = o.runtime;
  cc.agent_image = o.agent_image;
  cc.image_context = o.image_context;
  cc.image_file = o.image_file;
  cc.build_timeout = std::chrono::seconds{o.build_timeout_secs};
  cc.queue.retry_base = std::chrono::milliseconds{o.retry_base_ms};
  cc.timezone = o.timezone;
  cc.channel_base_urls["telegram"] = o.telegram_api_url;
  cc.channel_base_urls["whatsapp"] = o.whatsapp_api_url;
  cc.channel_base_urls["slack"] = o.slack_api_url;
  cc.channel_base_urls["discord"] = o.discord_api_url;
  cc.proxy_host = o.proxy_host;
  cc.proxy_port = o.proxy_port;
  if (!o.api_key_file.empty())
    cc.protected_paths.push_back(std::filesystem::absolute(o.api_key_file).string());
  auto c = core::start(cc);
  if (!c) {
    std::cerr << "pincer: " << c.err().message << '\n';
    return 2;
  }
  http_config hc;
  hc.host = o.host;
  hc.port = o.port;
  hc.api_keys = std::move(*keys);
  // Image builds answer when they end: the HTTP limit leaves room for them.
  hc.handle_request_timeout = std::chrono::seconds{o.build_timeout_secs + 120};
  auto server = http_server::start(**c, hc);
  if (!server) {
    std::cerr << "pincer: " << server.err().message << '\n';
    (*c)->shutdown();
    return 2;
  }
  // One write: log lines from other threads share stdout and must not land
  // inside this line, which scripts read the port from.
  std::cout << "pincer listening on http://" + o.host + ':' + std::to_string((*server)->port())
                 + " (data in " + o.data_dir + ", durability " + o.durability + ")\n"
            << std::flush;
  wait_for_signal();
  (*server)->stop();
  (*c)->shutdown();
  spdlog::info("stopped");
  // The log is flushed and every actor told to stop: one still held by a
  // pending timer or a peer must not keep the process from exiting.
  std::thread{[] {
    std::this_thread::sleep_for(std::chrono::seconds{5});
    spdlog::warn("actors still running 5 s after shutdown; exiting");
    std::_Exit(0);
  }}.detach();
  return 0;
}

} // namespace

void add_serve_command(CLI::App& app, command_action& action) {
  auto o = std::make_shared<serve_options>();
  auto cmd = app.add_subcommand("serve", "Run the server");
  cmd->add_option("--host", o->host, "Bind address")->capture_default_str();
  cmd->add_option("--port", o->port, "Port (0 picks a free one)")->capture_default_str();
  cmd->add_option("--data-dir", o->data_dir, "Data folder")->capture_default_str();
  cmd->add_option("--durability", o->durability, "fsync: a 2xx means on disk; os: faster")
    ->check(CLI::IsMember({"fsync", "os"}))
    ->capture_default_str();
  cmd->add_option("--api-key-file", o->api_key_file, "File with one API key per line");
  cmd->add_option("--assistant-name", o->assistant_name, "Name in default triggers")
    ->capture_default_str();
  cmd->add_option("--log-level", o->log_level, "trace|debug|info|warn|error|off")
    ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}))
    ->capture_default_str();
  cmd->add_option("--runtime", o->runtime, "Container runtime")
    ->check(CLI::IsMember({"auto", "docker", "podman", "apple_container"}))
    ->capture_default_str();
  cmd->add_option("--agent-image", o->agent_image, "Agent image tag")->capture_default_str();
  cmd->add_option("--image-context", o->image_context, "Folder with the agent image definition")
    ->capture_default_str();
  cmd->add_option("--image-file", o->image_file, "Image definition file in that folder")
    ->capture_default_str();
  cmd->add_option("--build-timeout", o->build_timeout_secs, "Image build limit in seconds")
    ->check(CLI::Range(10, 24 * 3600))
    ->capture_default_str();
  cmd->add_option("--retry-base-ms", o->retry_base_ms,
                  "First retry delay of a failed run; each next one doubles")
    ->check(CLI::Range(10, 3600 * 1000))
    ->capture_default_str();
  cmd->add_option("--timezone", o->timezone,
                  "TZ for containers (default: the server's TZ, /etc/timezone, else UTC)");
  cmd->add_option("--proxy-host", o->proxy_host,
                  "Credential proxy bind address (default: the container bridge, else 127.0.0.1)")
    ->check(CLI::ValidIPV4 | CLI::Validator(
                               [](std::string& v) {
                                 in6_addr a;
                                 return inet_pton(AF_INET6, v.c_str(), &a) == 1
                                          ? std::string{}
                                          : std::string{"not an IP address"};
                               },
                               "IPv6"));
  cmd->add_option("--proxy-port", o->proxy_port,
                  "Credential proxy port until PUT .../credential-proxy/port sets one")
    ->capture_default_str();
  cmd->add_option("--telegram-api-url", o->telegram_api_url,
                  "Telegram Bot API base URL (default https://api.telegram.org)");
  cmd->add_option("--whatsapp-api-url", o->whatsapp_api_url,
                  "WhatsApp Graph API base URL with version (default "
                  "https://graph.facebook.com/v21.0)");
  cmd->add_option("--slack-api-url", o->slack_api_url,
                  "Slack Web API base URL (default https://slack.com/api)");
  cmd->add_option("--discord-api-url", o->discord_api_url,
                  "Discord REST base URL with version (default https://discord.com/api/v10)");
  cmd->callback([o, &action] { action = [o] { return serve(*o); }; });
}

} // namespace pincer

#pragma once

// Podman for end-to-end tests: a containers.conf that works on this host and
// the test agent image, both made once per test program.

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <sys/wait.h>

#include <boost/test/unit_test.hpp>

#include "tests/support/temp_dir.hpp"

namespace pincer::e2e {

/// The test agent image, built without a registry.
inline const std::string test_agent_image = "localhost/pincer-agent-test:latest";

/// Exit code and everything a shell command printed.
struct command_result {
  int exit_code = -1;
  std::string output;
};

/// Runs a shell command (test set-up only: arguments are quoted by the caller).
inline command_result shell(const std::string& command) {
  command_result out;
  auto* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr)
    return out;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;)
    out.output.append(buf, n);
  auto status = ::pclose(pipe);
  out.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return out;
}

/// Single-quotes a word for the shell.
inline std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s)
    out += c == '\'' ? std::string{"'\\''"} : std::string(1, c);
  return out + "'";
}

/// Makes sure podman commands (ours and the server's) see a containers.conf
/// that works on this host: CTest sets CONTAINERS_CONF; a direct run gets
/// one written by scripts/podman.sh into a folder that lives as long as the
/// test program.
inline void ensure_containers_conf() {
  if (auto conf = std::getenv("CONTAINERS_CONF"); conf != nullptr && *conf != '\0')
    return;
  static test::temp_dir folder;
  auto file = folder.sub("containers.conf");
  auto r = shell(shell_quote(std::string{PINCER_SOURCE_DIR} + "/scripts/podman.sh") + " conf "
                 + shell_quote(file));
  BOOST_TEST_REQUIRE(r.exit_code == 0, "scripts/podman.sh conf failed:\n" << r.output);
  ::setenv("CONTAINERS_CONF", file.c_str(), 1);
}

/// Builds the test agent image once per test program (from the pincer-agent
/// next to the test binary) and returns its tag.
inline const std::string& ensure_test_agent_image() {
  static const std::string tag = [] {
    ensure_containers_conf();
    auto build_dir = std::filesystem::path{PINCER_AGENT_BINARY}.parent_path().string();
    auto r = shell(shell_quote(std::string{PINCER_SOURCE_DIR} + "/scripts/podman.sh")
                   + " build-test-agent " + shell_quote(build_dir) + " "
                   + shell_quote(test_agent_image));
    BOOST_TEST_REQUIRE(r.exit_code == 0, "build-test-agent failed:\n" << r.output);
    return test_agent_image;
  }();
  return tag;
}

} // namespace pincer::e2e

#include "actors/runtime.hpp"

#include <boost/test/unit_test.hpp>

#include "events/time.hpp"

using namespace pincer;

namespace {

using argv_t = std::vector<std::string>;

runtime_info docker_linux() {
  runtime_info info;
  info.available = true;
  info.backend = runtime_backend::docker;
  info.version = "24.0.7";
  info.host_gateway = "host.docker.internal";
  info.extra_run_args = {"--add-host=host.docker.internal:host-gateway"};
  return info;
}

runtime_info plain(runtime_backend backend) {
  runtime_info info;
  info.available = true;
  info.backend = backend;
  return info;
}

run_options sample() {
  run_options opts;
  opts.name = "pincer-main-1742031234567";
  opts.image = "pincer-agent:latest";
  opts.mounts = {{"/data/groups/main", "/workspace/group", false},
                 {"/data/global", "/workspace/global", true}};
  opts.env = {{"TZ", "UTC"}, {"ANTHROPIC_BASE_URL", "http://host.docker.internal:3001"}};
  opts.extra_args = {"--memory=2g"};
  opts.network = "none";
  opts.user = "1001:1001";
  return opts;
}

process_result finished(int code, std::string out, std::string err = {}) {
  process_result r;
  r.exit_code = code;
  r.out = std::move(out);
  r.err = std::move(err);
  return r;
}

/// Expects `build_run_args` to refuse `opts` naming `field`.
void expect_refused(const run_options& opts, const std::string& field) {
  auto argv = build_run_args(runtime_backend::podman, opts, plain(runtime_backend::podman));
  BOOST_TEST_CONTEXT("field " << field) {
    BOOST_REQUIRE(!argv);
    BOOST_TEST((argv.err().code == ec::validation_failed));
    BOOST_TEST(argv.err().field == field);
  }
}

const std::vector<std::string> injections{";id", "a;id", "$(id)", "`id`", "-rm", "a\nb", "a b"};

} // namespace

BOOST_AUTO_TEST_SUITE(actors_runtime)

BOOST_AUTO_TEST_CASE(backends_have_api_names_and_cli_names) {
  for (auto b : {runtime_backend::docker, runtime_backend::podman,
                 runtime_backend::apple_container})
    BOOST_TEST((parse_backend(to_string(b)) == b));
  BOOST_TEST(to_string(runtime_backend::apple_container) == "apple_container");
  BOOST_TEST(cli_name(runtime_backend::apple_container) == "container");
  BOOST_TEST(cli_name(runtime_backend::podman) == "podman");
  BOOST_TEST(!parse_backend("Docker"));
  BOOST_TEST(!parse_backend("auto"));
}

BOOST_AUTO_TEST_CASE(detection_tries_docker_then_podman_unless_one_is_configured) {
  auto order = detection_order(std::nullopt);
#ifdef __APPLE__
  BOOST_TEST((order == std::vector<runtime_backend>{runtime_backend::apple_container,
                                                    runtime_backend::docker,
                                                    runtime_backend::podman}));
#else
  BOOST_TEST((order == std::vector<runtime_backend>{runtime_backend::docker,
                                                    runtime_backend::podman}));
#endif
  BOOST_TEST((detection_order(runtime_backend::podman)
              == std::vector<runtime_backend>{runtime_backend::podman}));
  BOOST_TEST(runtime_not_found({runtime_backend::docker, runtime_backend::podman}).message
             == "No container runtime found (tried: docker, podman)");
  BOOST_TEST((probe_command(runtime_backend::apple_container)
              == argv_t{"container", "system", "status"}));
  BOOST_TEST(probe_command(runtime_backend::docker).at(1) == "info");
  BOOST_TEST(probe_command(runtime_backend::podman).at(1) == "info");
}

BOOST_AUTO_TEST_CASE(interpret_probe_reads_versions_and_networking_facts) {
  auto docker = interpret_probe(runtime_backend::docker, finished(0, "24.0.7|Debian GNU/Linux 12\n"),
                                false);
  BOOST_TEST(docker.available);
  BOOST_TEST(docker.version == "24.0.7");
  BOOST_TEST(docker.host_gateway == "host.docker.internal");
  BOOST_TEST((docker.extra_run_args == argv_t{"--add-host=host.docker.internal:host-gateway"}));
  BOOST_TEST(docker.message == "Docker runtime detected");

  auto desktop = interpret_probe(runtime_backend::docker, finished(0, "27.1.1|Docker Desktop\n"),
                                 false);
  BOOST_TEST(desktop.available);
  BOOST_TEST(desktop.extra_run_args.empty());
  auto hinted = interpret_probe(runtime_backend::docker, finished(0, "27.1.1|linuxkit\n"), true);
  BOOST_TEST(hinted.extra_run_args.empty());
  BOOST_TEST(hinted.host_gateway == "host.docker.internal");

  auto podman = interpret_probe(runtime_backend::podman, finished(0, "4.3.1\n"), false);
  BOOST_TEST(podman.available);
  BOOST_TEST(podman.version == "4.3.1");
  BOOST_TEST(podman.host_gateway == "host.containers.internal");
  BOOST_TEST(podman.extra_run_args.empty());
  BOOST_TEST(podman.message == "Podman runtime detected");

  auto apple = interpret_probe(runtime_backend::apple_container,
                               finished(0, "apiserver is running\nversion 0.2.0 (build 1)\n"), false);
  BOOST_TEST(apple.available);
  BOOST_TEST(apple.version == "0.2.0");
  BOOST_TEST(apple.host_gateway == apple_host_gateway(interface_ipv4("bridge100")));
  BOOST_TEST(apple.message == "Apple Container runtime detected");
  BOOST_TEST(apple_host_gateway(std::nullopt) == "192.168.64.1");
  BOOST_TEST(apple_host_gateway(std::string{"192.168.65.1"}) == "192.168.65.1");
  BOOST_TEST(interface_ipv4("lo").value_or("") == "127.0.0.1");
}

BOOST_AUTO_TEST_CASE(interpret_probe_reports_unusable_runtimes) {
  auto down = interpret_probe(
    runtime_backend::docker,
    finished(1, "", "Cannot connect to the Docker daemon at unix:///var/run/docker.sock.\n"), false);
  BOOST_TEST(!down.available);
  BOOST_TEST(!down.backend);
  BOOST_TEST(down.message.find("Cannot connect to the Docker daemon") != std::string::npos);
  BOOST_TEST(!interpret_probe(runtime_backend::docker, finished(0, "|\n"), false).available);
  process_result missing;
  missing.spawn_failed = true;
  BOOST_TEST(interpret_probe(runtime_backend::podman, missing, false).message
             == "podman not found");
  process_result slow;
  slow.timed_out = true;
  BOOST_TEST(!interpret_probe(runtime_backend::podman, slow, false).available);
}

BOOST_AUTO_TEST_CASE(to_json_gives_the_published_shapes) {
  auto info = interpret_probe(runtime_backend::docker, finished(0, "24.0.7|Ubuntu\n"), false);
  BOOST_TEST(to_json(info)
             == json::parse(R"({"available": true, "backend": "docker", "version": "24.0.7",
                 "networking": {"hostGateway": "host.docker.internal",
                 "extraRunArgs": ["--add-host=host.docker.internal:host-gateway"]},
                 "message": "Docker runtime detected"})"));
  auto podman = interpret_probe(runtime_backend::podman, finished(0, "4.3.1"), false);
  BOOST_TEST(to_json(podman)["networking"]
             == json::parse(R"({"hostGateway": "host.containers.internal", "extraRunArgs": []})"));
  auto none = runtime_not_found({runtime_backend::docker, runtime_backend::podman});
  BOOST_TEST(to_json(none)
             == json::parse(R"j({"available": false, "backend": null, "version": null,
                 "networking": null,
                 "message": "No container runtime found (tried: docker, podman)"})j"));
}

BOOST_AUTO_TEST_CASE(run_args_follow_the_nanoclaw_order_for_each_backend) {
  auto docker = build_run_args(runtime_backend::docker, sample(), docker_linux());
  BOOST_REQUIRE(docker);
  BOOST_TEST((*docker
              == argv_t{"docker", "run", "-i", "--rm", "--name", "pincer-main-1742031234567",
                        "--network=none", "--add-host=host.docker.internal:host-gateway", "-e",
                        "TZ=UTC", "-e", "ANTHROPIC_BASE_URL=http://host.docker.internal:3001",
                        "--user", "1001:1001", "-v", "/data/groups/main:/workspace/group", "-v",
                        "/data/global:/workspace/global:ro", "--memory=2g",
                        "pincer-agent:latest"}));
  auto podman = build_run_args(runtime_backend::podman, sample(), plain(runtime_backend::podman));
  BOOST_REQUIRE(podman);
  BOOST_TEST((*podman
              == argv_t{"podman", "run", "-i", "--rm", "--name", "pincer-main-1742031234567",
                        "--network=none", "-e", "TZ=UTC", "-e",
                        "ANTHROPIC_BASE_URL=http://host.docker.internal:3001", "--user",
                        "1001:1001", "-v", "/data/groups/main:/workspace/group", "-v",
                        "/data/global:/workspace/global:ro", "--memory=2g",
                        "pincer-agent:latest"}));
  auto opts = sample();
  opts.network.clear();
  opts.user.clear();
  opts.interactive = false;
  auto apple = build_run_args(runtime_backend::apple_container, opts,
                              plain(runtime_backend::apple_container));
  BOOST_REQUIRE(apple);
  BOOST_TEST((*apple
              == argv_t{"container", "run", "--rm", "--name", "pincer-main-1742031234567", "-e",
                        "TZ=UTC", "-e", "ANTHROPIC_BASE_URL=http://host.docker.internal:3001",
                        "-v", "/data/groups/main:/workspace/group", "--mount",
                        "type=bind,source=/data/global,target=/workspace/global,readonly",
                        "--memory=2g", "pincer-agent:latest"}));
}

BOOST_AUTO_TEST_CASE(injection_attempts_are_refused_with_the_field_and_no_argv) {
  for (const auto& bad : injections) {
    BOOST_TEST_CONTEXT("input " << bad) {
      auto opts = sample();
      opts.name = bad;
      expect_refused(opts, "name");
      opts = sample();
      opts.image = bad;
      expect_refused(opts, "image");
      opts = sample();
      opts.env = {{bad, "x"}};
      expect_refused(opts, "env");
      opts = sample();
      opts.mounts = {{"/data/" + bad, "/workspace/group", false}};
      if (bad != "-rm" && bad != "a b")
        expect_refused(opts, "mounts");
      opts.mounts = {{bad, "/workspace/group", false}};
      expect_refused(opts, "mounts");
      opts = sample();
      opts.mounts = {{"/data", "/workspace/" + bad, true}};
      if (bad != "-rm" && bad != "a b")
        expect_refused(opts, "mounts");
      opts = sample();
      opts.extra_args = {"--label=" + bad};
      if (bad != "-rm" && bad != "a b")
        expect_refused(opts, "extraArgs");
    }
  }
  auto opts = sample();
  opts.env = {{"TZ", "UTC\n-v /:/host"}};
  expect_refused(opts, "env");
  opts = sample();
  opts.env = {{"1TZ", "UTC"}};
  expect_refused(opts, "env");
  for (auto path : {"relative/path", "/a:b", "/a,b", "/a/../etc", "/a\tb"}) {
    opts = sample();
    opts.mounts = {{path, "/workspace/x", true}};
    expect_refused(opts, "mounts");
  }
  opts = sample();
  opts.network = "host";
  expect_refused(opts, "network");
  opts.network = "container:abc";
  expect_refused(opts, "network");
  opts = sample();
  opts.user = "root";
  expect_refused(opts, "user");
  opts.user = "0:";
  expect_refused(opts, "user");
  opts = sample();
  opts.name = std::string(129, 'a');
  expect_refused(opts, "name");
  BOOST_TEST(bool(validate_container_name(std::string(128, 'a'))));
  BOOST_TEST(!bool(validate_container_name("_a")));
  BOOST_TEST(!bool(validate_container_name("a/b")));
  BOOST_TEST(bool(validate_container_name("a.b_c-1")));
}

BOOST_AUTO_TEST_CASE(the_extra_args_denylist_covers_every_spelling) {
  std::vector<argv_t> refused{
    {"--privileged"}, {"--privileged=true"}, {"--cap-add=SYS_ADMIN"}, {"--cap-add", "ALL"},
    {"--security-opt", "seccomp=unconfined"}, {"--security-opt=apparmor=unconfined"},
    {"--device=/dev/sda"}, {"--device", "/dev/kvm"}, {"--device-cgroup-rule=a *:* rwm"},
    {"--pid=host"}, {"--pid", "host"}, {"--network=host"}, {"--network", "host"},
    {"--net=host"}, {"--net", "host"}, {"--NETWORK=HOST"}, {"--userns=host"},
    {"--userns", "host"}, {"--ipc=host"}, {"--ipc", "host"}, {"--uts=host"},
    {"--network=container:other"}, {"--pid=ns:/proc/1/ns/pid"}, {"-v", "/:/host"},
    {"-v/:/host"}, {"-itv/:/host"}, {"-v=/:/host"}, {"--volume=/:/host"},
    {"--volume", "/:/host"}, {"--volumes-from=other"}, {"--mount=type=bind,src=/,dst=/h"},
    {"--mount", "type=bind,src=/,dst=/h"}, {"--env-file=/etc/shadow"}, {"--label=a\nb"},
    {"--label=a\x01"}, {"--label=a\x7f"}, {"--network"}, {"--memory=1g", "--privileged"}};
  for (const auto& args : refused) {
    auto ok = validate_extra_args(args);
    BOOST_TEST_CONTEXT("args " << args.front() << " (" << args.size() << ")") {
      BOOST_TEST(!bool(ok));
      if (!ok)
        BOOST_TEST(ok.err().field == "extraArgs");
    }
  }
  std::vector<argv_t> accepted{{"--memory=2g"}, {"--cpus", "1.5"},    {"--network=none"},
                               {"--network", "bridge"}, {"-e", "FOO=bar"}, {"-ev=1"},
                               {"-it"},          {"--init"},           {"--pids-limit=100"},
                               {"--label", "volume=x"}, {"--add-host=a.b:10.0.0.1"}, {}};
  for (const auto& args : accepted)
    BOOST_TEST_CONTEXT("args " << (args.empty() ? "" : args.front())) {
      BOOST_TEST(bool(validate_extra_args(args)));
    }
}

BOOST_AUTO_TEST_CASE(image_tags_follow_docker_reference_rules) {
  std::string digest = "@sha256:" + std::string(64, 'a');
  for (std::string tag :
       {std::string{"pincer-agent:latest"}, std::string{"localhost/bb:1"},
        std::string{"localhost:5000/team/app:v1.2"}, std::string{"registry.example.com/a/b"},
        std::string{"ubuntu"}, std::string{"a__b"}, std::string{"a-----b"},
        std::string{"my_image.v2"}, "ghcr.io/org/img" + digest, "img:tag" + digest,
        std::string{"Registry.Example.com/x"}, "x:" + std::string(128, 'T')})
    BOOST_TEST(bool(validate_image_tag(tag)), tag);
  for (std::string tag :
       {std::string{""}, std::string{"-rm"}, std::string{"Upper:tag"}, std::string{"img:"},
        std::string{"img:-tag"}, std::string{":tag"}, std::string{"img::tag"},
        std::string{"a b"}, std::string{"img;rm"}, std::string{"$(id)"}, std::string{"`id`"},
        std::string{"img\n"}, std::string{"a/"}, std::string{"/a"}, std::string{"a//b"},
        std::string{"img@sha256:abc"}, "img@md5:" + std::string(64, 'a'),
        std::string(256, 'a'), "x:" + std::string(129, 'T'), std::string{"a..b"},
        std::string{"_a"}, std::string{"a_"}, std::string{"img:tag:tag"}}) {
    auto ok = validate_image_tag(tag);
    BOOST_TEST(!bool(ok), tag);
    if (!ok)
      BOOST_TEST(ok.err().field == "imageTag");
  }
}

BOOST_AUTO_TEST_CASE(image_build_inspect_stop_and_list_commands) {
  BOOST_TEST((build_image_args(runtime_backend::podman, "t:1", "/ctx", "/ctx/Containerfile", true)
              == argv_t{"podman", "build", "-t", "t:1", "-f", "/ctx/Containerfile", "--no-cache",
                        "/ctx"}));
  BOOST_TEST((build_image_args(runtime_backend::docker, "t:1", "/ctx", "/ctx/Dockerfile", false)
              == argv_t{"docker", "build", "-t", "t:1", "-f", "/ctx/Dockerfile", "/ctx"}));
  BOOST_TEST((image_inspect_args(runtime_backend::docker, "t:1")
              == argv_t{"docker", "image", "inspect", "--format", "{{.Id}}|{{.Created}}|{{.Size}}",
                        "t:1"}));
  BOOST_TEST((*stop_args(runtime_backend::podman, "pincer-a-1")
              == argv_t{"podman", "stop", "-t", "1", "pincer-a-1"}));
  BOOST_TEST((*stop_args(runtime_backend::apple_container, "pincer-a-1")
              == argv_t{"container", "stop", "pincer-a-1"}));
  auto bad = stop_args(runtime_backend::docker, "pincer-$(id)");
  BOOST_REQUIRE(!bad);
  BOOST_TEST(bad.err().field == "name");
  BOOST_TEST((list_containers_args(runtime_backend::docker, "pincer-")
              == argv_t{"docker", "ps", "-a", "--filter", "name=^pincer-", "--format",
                        "{{.Names}}"}));
  BOOST_TEST((parse_container_list(runtime_backend::podman,
                                   "pincer-a-1\nother\npincer-b-2\n\npincer-;x\npincer-a-1\n",
                                   "pincer-")
              == argv_t{"pincer-a-1", "pincer-b-2"}));
  BOOST_TEST((parse_container_list(
                runtime_backend::apple_container,
                R"([{"status":"running","configuration":{"id":"pincer-x-1"}},
                    {"status":"stopped","configuration":{"id":"other"}}])",
                "pincer-")
              == argv_t{"pincer-x-1"}));
}

BOOST_AUTO_TEST_CASE(image_inspect_output_is_parsed_for_podman_and_docker) {
  std::string hex(64, 'f');
  auto podman = parse_image_inspect(
    runtime_backend::podman, hex + "|2026-11-28 21:43:59.648980421 +0000 UTC|2129781\n");
  BOOST_REQUIRE(podman);
  BOOST_TEST(podman->id == "sha256:" + hex);
  BOOST_TEST(podman->created_at == *parse_time("2026-11-28T21:43:59.648Z"));
  BOOST_TEST(podman->size_bytes == 2129781);
  auto docker = parse_image_inspect(runtime_backend::docker,
                                    "sha256:" + hex + "|2024-01-02T03:04:05.123456789Z|12345");
  BOOST_REQUIRE(docker);
  BOOST_TEST(docker->id == "sha256:" + hex);
  BOOST_TEST(docker->created_at == *parse_time("2024-01-02T03:04:05.123Z"));
  BOOST_TEST(docker->size_bytes == 12345);
  BOOST_TEST(parse_runtime_time("2024-01-02 03:04:05 -0130 -0130").value_or(0)
             == *parse_time("2024-01-02T03:04:05-01:30"));
  BOOST_TEST(!parse_image_inspect(runtime_backend::podman, ""));
  BOOST_TEST(!parse_image_inspect(runtime_backend::podman, "Error: no such image"));
}

BOOST_AUTO_TEST_SUITE_END()

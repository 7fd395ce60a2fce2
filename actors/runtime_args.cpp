#include "actors/runtime.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "events/json_text.hpp"
#include "events/time.hpp"

namespace pincer {

namespace {

bool has_control(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

/// Characters no path pincer mounts needs, refused so that no later quoting
/// mistake can turn a path into a command.
constexpr std::string_view shell_specials = ";$`|&<>\"'\\*?";

bool all_digits(std::string_view s) {
  return !s.empty()
         && std::all_of(s.begin(), s.end(),
                        [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; });
}

/// An absolute path that fits into `-v a:b[:ro]` and `--mount k=v,...` unambiguously.
result<unit> validate_mount_path(std::string_view path, const char* what) {
  std::string message = std::string{what} + " ";
  if (path.empty() || path.front() != '/')
    return invalid("mounts", message + "must be an absolute path");
  if (path.find_first_of(":,") != std::string_view::npos || has_control(path)
      || path.find('\0') != std::string_view::npos)
    return invalid("mounts", message + "must not contain ':', ',' or control characters");
  if (path.find_first_of(shell_specials) != std::string_view::npos)
    return invalid("mounts", message + "must not contain shell metacharacters");
  for (size_t start = 0; start <= path.size();) {
    auto end = path.find('/', start);
    if (end == std::string_view::npos)
      end = path.size();
    if (path.substr(start, end - start) == "..")
      return invalid("mounts", message + "must not contain '..'");
    start = end + 1;
  }
  return unit{};
}

result<unit> validate_run_options(const run_options& opts, const runtime_info& info) {
  if (auto ok = validate_container_name(opts.name, "name"); !ok)
    return ok.err();
  if (auto ok = validate_image_tag(opts.image, "image"); !ok)
    return ok.err();
  if (!opts.network.empty()) {
    if (auto ok = validate_container_name(opts.network, "network"); !ok)
      return invalid("network", "network must be a plain network name");
    auto net = opts.network;
    std::transform(net.begin(), net.end(), net.begin(),
                   [](char c) { return static_cast<char>(std::tolower(c)); });
    if (net == "host")
      return invalid("network", "the host network is not allowed");
  }
  for (const auto& [key, value] : opts.env) {
    if (!valid_env_key(key))
      return invalid("env", "environment variable names must match ^[A-Za-z_][A-Za-z0-9_]*$");
    if (value.find_first_of(std::string{"\n\r\0", 3}) != std::string::npos)
      return invalid("env", "environment variable " + key + " contains a line break or NUL");
  }
  if (!std::all_of(opts.owner.begin(), opts.owner.end(),
                   [](unsigned char c) { return std::isalnum(c) != 0; }))
    return invalid("owner", "the owner label must be letters and digits");
  if (!opts.user.empty()) {
    auto colon = opts.user.find(':');
    std::string_view user = opts.user;
    auto uid = user.substr(0, colon);
    auto gid = colon == std::string_view::npos ? std::string_view{"0"} : user.substr(colon + 1);
    if (!all_digits(uid) || !all_digits(gid))
      return invalid("user", "user must be uid or uid:gid");
  }
  for (const auto& m : opts.mounts) {
    if (auto ok = validate_mount_path(m.host_path, "host path"); !ok)
      return ok.err();
    if (auto ok = validate_mount_path(m.container_path, "container path"); !ok)
      return ok.err();
  }
  if (auto ok = validate_extra_args(opts.extra_args, "extraArgs"); !ok)
    return ok.err();
  if (auto ok = validate_extra_args(info.extra_run_args, "extraRunArgs"); !ok)
    return ok.err();
  return unit{};
}

/// The part after `key` in a JSON object, searched a few levels deep.
const json* find_key(const json& j, const std::vector<std::string>& keys, int depth = 3) {
  if (!j.is_object() || depth < 0)
    return nullptr;
  for (const auto& key : keys)
    if (auto i = j.find(key); i != j.end())
      return &*i;
  for (const auto& [k, v] : j.items()) {
    (void) k;
    if (auto found = find_key(v, keys, depth - 1))
      return found;
  }
  return nullptr;
}

} // namespace

result<std::vector<std::string>> build_run_args(runtime_backend backend, const run_options& opts,
                                                const runtime_info& info) {
  if (auto ok = validate_run_options(opts, info); !ok)
    return ok.err();
  std::vector<std::string> argv{std::string{cli_name(backend)}, "run"};
  if (opts.interactive)
    argv.emplace_back("-i");
  argv.insert(argv.end(), {"--rm", "--name", opts.name});
  if (!opts.network.empty())
    argv.push_back("--network=" + opts.network);
  if (!opts.owner.empty() && backend != runtime_backend::apple_container)
    argv.insert(argv.end(), {"--label", "pincer.owner=" + opts.owner});
  argv.insert(argv.end(), info.extra_run_args.begin(), info.extra_run_args.end());
  for (const auto& [key, value] : opts.env) {
    argv.emplace_back("-e");
    argv.push_back(key + "=" + value);
  }
  if (!opts.user.empty()) {
    argv.emplace_back("--user");
    argv.push_back(opts.user);
  }
  for (const auto& m : opts.mounts) {
    if (backend == runtime_backend::apple_container && m.read_only) {
      argv.emplace_back("--mount");
      argv.push_back("type=bind,source=" + m.host_path + ",target=" + m.container_path
                     + ",readonly");
    } else {
      argv.emplace_back("-v");
      argv.push_back(m.host_path + ":" + m.container_path + (m.read_only ? ":ro" : ""));
    }
  }
  argv.insert(argv.end(), opts.extra_args.begin(), opts.extra_args.end());
  argv.push_back(opts.image);
  return argv;
}

std::vector<std::string> build_image_args(runtime_backend backend, const std::string& tag,
                                          const std::string& context_dir,
                                          const std::string& file, bool no_cache) {
  std::vector<std::string> argv{std::string{cli_name(backend)}, "build", "-t", tag, "-f", file};
  if (no_cache)
    argv.emplace_back("--no-cache");
  argv.push_back(context_dir);
  return argv;
}

std::vector<std::string> image_inspect_args(runtime_backend backend, const std::string& tag) {
  auto cli = std::string{cli_name(backend)};
  if (backend == runtime_backend::apple_container)
    return {cli, "image", "inspect", tag};
  return {cli, "image", "inspect", "--format", "{{.Id}}|{{.Created}}|{{.Size}}", tag};
}

std::optional<int64_t> parse_runtime_time(std::string_view text) {
  text = trim(text);
  if (auto direct = parse_time(text))
    return direct;
  // Go's time.Time: `2006-01-02 15:04:05.999999999 -0700 MST [m=+0.1]`.
  if (text.size() < 19)
    return std::nullopt;
  size_t pos = 19;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos])))
      ++pos;
  }
  std::string rfc{text.substr(0, pos)};
  auto rest = trim(text.substr(pos));
  if (rest.size() >= 5 && (rest[0] == '+' || rest[0] == '-') && all_digits(rest.substr(1, 4))) {
    rfc += std::string{rest.substr(0, 3)} + ":" + std::string{rest.substr(3, 2)};
  } else if (!rest.empty() && (rest[0] == 'Z' || rest.substr(0, 3) == "UTC")) {
    rfc += "Z";
  } else {
    return std::nullopt;
  }
  return parse_time(rfc);
}

std::optional<image_facts> parse_image_inspect(runtime_backend backend, std::string_view out) {
  out = trim(out);
  if (out.empty())
    return std::nullopt;
  image_facts facts;
  if (backend == runtime_backend::apple_container) {
    auto doc = json::parse(out.begin(), out.end(), nullptr, false);
    if (doc.is_array() && !doc.empty())
      doc = doc.front();
    if (!doc.is_object())
      return std::nullopt;
    if (auto id = find_key(doc, {"digest", "id", "Id"}); id && id->is_string())
      facts.id = id->get<std::string>();
    if (auto created = find_key(doc, {"created", "createdAt", "Created"});
        created && created->is_string())
      facts.created_at = parse_runtime_time(created->get<std::string>()).value_or(0);
    if (auto size = find_key(doc, {"size", "Size"}); size && size->is_number_integer())
      facts.size_bytes = size->get<int64_t>();
  } else {
    auto line = trim(out.substr(0, out.find('\n')));
    auto first = line.find('|');
    auto last = line.rfind('|');
    if (first == std::string_view::npos || first == last)
      return std::nullopt;
    facts.id = std::string{trim(line.substr(0, first))};
    facts.created_at
      = parse_runtime_time(line.substr(first + 1, last - first - 1)).value_or(0);
    auto size = trim(line.substr(last + 1));
    std::from_chars(size.data(), size.data() + size.size(), facts.size_bytes);
  }
  if (facts.id.empty())
    return std::nullopt;
  auto hex = facts.id.size() == 64
             && std::all_of(facts.id.begin(), facts.id.end(),
                            [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
  if (hex)
    facts.id = "sha256:" + facts.id;
  return facts;
}

result<std::vector<std::string>> stop_args(runtime_backend backend, const std::string& name) {
  if (auto ok = validate_container_name(name, "name"); !ok)
    return ok.err();
  auto cli = std::string{cli_name(backend)};
  if (backend == runtime_backend::apple_container)
    return std::vector<std::string>{cli, "stop", name};
  return std::vector<std::string>{cli, "stop", "-t", "1", name};
}

std::vector<std::string> list_containers_args(runtime_backend backend, const std::string& prefix,
                                              const std::string& owner) {
  auto cli = std::string{cli_name(backend)};
  if (backend == runtime_backend::apple_container)
    return {cli, "ls", "--all", "--format", "json"};
  std::vector<std::string> argv{cli, "ps", "-a", "--filter", "name=^" + prefix};
  if (!owner.empty())
    argv.insert(argv.end(), {"--filter", "label=pincer.owner=" + owner});
  argv.insert(argv.end(), {"--format", "{{.Names}}"});
  return argv;
}

std::vector<std::string> parse_container_list(runtime_backend backend, std::string_view out,
                                              const std::string& prefix) {
  std::vector<std::string> names;
  auto keep = [&](std::string_view name) {
    name = trim(name);
    if (name.substr(0, prefix.size()) == prefix && validate_container_name(name)
        && std::find(names.begin(), names.end(), name) == names.end())
      names.emplace_back(name);
  };
  if (backend == runtime_backend::apple_container) {
    auto doc = json::parse(out.begin(), out.end(), nullptr, false);
    if (!doc.is_array())
      return names;
    for (const auto& entry : doc) {
      if (!entry.is_object())
        continue;
      auto config = entry.find("configuration");
      if (config == entry.end() || !config->is_object())
        continue;
      auto id = config->find("id");
      if (id != config->end() && id->is_string())
        keep(id->get<std::string>());
    }
    return names;
  }
  while (!out.empty()) {
    auto nl = out.find('\n');
    keep(out.substr(0, nl));
    if (nl == std::string_view::npos)
      break;
    out.remove_prefix(nl + 1);
  }
  return names;
}

} // namespace pincer

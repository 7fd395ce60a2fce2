#include "actors/runtime.hpp"

#include <algorithm>
#include <cctype>
#include <regex>

namespace pincer {

namespace {

constexpr size_t max_container_name = 128;
constexpr size_t max_image_tag = 255;

bool has_control(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

std::string lower(std::string_view s) {
  std::string out{s};
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

/// Options refused whatever their value (`--x`, `--x=y`, `--x y`).
bool refused_option(std::string_view name) {
  static const std::vector<std::string_view> names{
    "--privileged", "--cap-add",       "--security-opt", "--mount",
    "--volume",     "--volumes-from",  "--env-file",     "--cidfile",
  };
  return std::find(names.begin(), names.end(), name) != names.end()
         || name.substr(0, 8) == "--device";
}

/// Options that join a namespace; refused when the value is a host or
/// another container's namespace.
bool namespace_option(std::string_view name) {
  static const std::vector<std::string_view> names{"--pid", "--network", "--net",     "--userns",
                                                   "--ipc", "--uts",     "--cgroupns"};
  return std::find(names.begin(), names.end(), name) != names.end();
}

bool shared_namespace_value(std::string_view value) {
  auto v = lower(value);
  return v == "host" || v.rfind("container:", 0) == 0 || v.rfind("ns:", 0) == 0;
}

/// Short flags that take a value: in `-eX`, `X` is the value, not a flag.
bool short_takes_value(char c) {
  return std::string_view{"aceEhlmpuw"}.find(c) != std::string_view::npos;
}

/// True when a single-dash argument (flags may be combined: `-itv/a:/b`) contains `-v`.
bool short_volume(std::string_view arg) {
  for (size_t i = 1; i < arg.size(); ++i) {
    if (arg[i] == 'v')
      return true;
    if (short_takes_value(arg[i]) || arg[i] == '=')
      return false;
  }
  return false;
}

} // namespace

result<unit> validate_container_name(std::string_view name, std::string field) {
  if (name.empty())
    return invalid(std::move(field), "container name must not be empty");
  if (name.size() > max_container_name)
    return invalid(std::move(field), "container name is longer than 128 characters");
  auto ok_first = std::isalnum(static_cast<unsigned char>(name[0])) != 0;
  auto ok_rest = std::all_of(name.begin(), name.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u < 0x80 && (std::isalnum(u) || c == '_' || c == '.' || c == '-');
  });
  if (!ok_first || !ok_rest || static_cast<unsigned char>(name[0]) >= 0x80)
    return invalid(std::move(field),
                   "container name must match ^[A-Za-z0-9][A-Za-z0-9_.-]*$");
  return unit{};
}

result<unit> validate_image_tag(std::string_view tag, std::string field) {
  if (tag.empty())
    return invalid(std::move(field), "image tag must not be empty");
  if (tag.size() > max_image_tag)
    return invalid(std::move(field), "image tag is longer than 255 characters");
  if (tag.front() == '-')
    return invalid(std::move(field), "image tag must not start with '-'");
  // Docker's reference grammar (distribution/reference), without IPv6 hosts.
  static const std::regex grammar{
    "^(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
    "(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*"
    "(?::[0-9]+)?/)?"
    "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
    "(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*"
    "(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?"
    "(?:@sha256:[a-f0-9]{64})?$"};
  if (!std::regex_match(tag.begin(), tag.end(), grammar))
    return invalid(std::move(field),
                   "image tag must look like [registry[:port]/]name[:tag][@sha256:digest] "
                   "with lowercase name components");
  return unit{};
}

result<unit> validate_extra_args(const std::vector<std::string>& args, std::string field) {
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (arg.find('\0') != std::string_view::npos || has_control(arg))
      return invalid(std::move(field), "extra arguments must not contain control characters");
    if (arg.find_first_of(";`$|&<>") != std::string_view::npos)
      return invalid(std::move(field), "extra arguments must not contain shell metacharacters");
    if (arg.size() < 2 || arg[0] != '-')
      continue;
    if (arg[1] != '-') {
      if (short_volume(arg))
        return invalid(std::move(field), "extra arguments must not add volumes (-v)");
      continue;
    }
    auto eq = arg.find('=');
    auto name = lower(arg.substr(0, eq));
    if (refused_option(name))
      return invalid(std::move(field), "extra argument " + name + " is not allowed");
    if (namespace_option(name)) {
      if (eq == std::string_view::npos && i + 1 >= args.size())
        return invalid(std::move(field), "extra argument " + name + " needs a value");
      auto value = eq == std::string_view::npos ? std::string_view{args[i + 1]}
                                                : arg.substr(eq + 1);
      if (shared_namespace_value(value))
        return invalid(std::move(field),
                       "extra argument " + name + " must not share a host or container namespace");
    }
  }
  return unit{};
}

bool valid_env_key(std::string_view key) {
  if (key.empty() || std::isdigit(static_cast<unsigned char>(key[0])))
    return false;
  return std::all_of(key.begin(), key.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u < 0x80 && (std::isalnum(u) || c == '_');
  });
}

} // namespace pincer

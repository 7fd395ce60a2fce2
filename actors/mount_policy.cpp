#include "actors/mount_policy.hpp"

#include <algorithm>
#include <set>

#include "actors/mount_paths.hpp"
#include "events/time.hpp"

namespace pincer {

namespace {

constexpr size_t max_pattern_bytes = 255;

// -- allowlist validation ------------------------------------------------------

/// Reads an array of strings, each checked by `check`, into `out`.
template <class Check>
std::optional<error> read_list(const json& body, const std::string& key, bool required,
                               std::vector<std::string>& out, Check check) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) {
    if (required)
      return invalid(key, key + " is required");
    return std::nullopt;
  }
  if (!it->is_array())
    return invalid(key, key + " must be an array of strings");
  if (it->size() > max_allowlist_entries)
    return invalid(key, key + " holds more than " + std::to_string(max_allowlist_entries)
                          + " entries");
  std::set<std::string> seen;
  for (size_t i = 0; i < it->size(); ++i) {
    auto field = key + "." + std::to_string(i);
    const auto& v = (*it)[i];
    if (!v.is_string())
      return invalid(field, "each entry must be a string");
    auto value = v.get<std::string>();
    if (contains_control_char(value))
      return invalid(field, "control characters are not allowed");
    auto checked = check(value, field);
    if (!checked)
      return checked.err();
    if (seen.insert(*checked).second)
      out.push_back(std::move(*checked));
  }
  return std::nullopt;
}

result<std::string> check_root(const std::string& raw, const std::string& field,
                               const std::string& home) {
  if (raw.empty())
    return invalid(field, "a root must not be empty");
  if (raw.size() > max_mount_path_bytes)
    return invalid(field, "a root is longer than " + std::to_string(max_mount_path_bytes)
                            + " bytes");
  if ((raw == "~" || raw.rfind("~/", 0) == 0) && home.empty())
    return invalid(field, "~ cannot be expanded: the server user has no home folder");
  auto normal = normalise_absolute(expand_home(raw, home));
  if (!normal)
    return invalid(field, "a root must be an absolute path (or start with ~/)");
  return *normal;
}

result<std::string> check_pattern(const std::string& raw, const std::string& field) {
  if (raw.find_first_not_of(" \t") == std::string::npos)
    return invalid(field, "a pattern must not be empty");
  if (raw.find('/') != std::string::npos)
    return invalid(field, "a pattern must not contain /");
  if (raw.size() > max_pattern_bytes)
    return invalid(field, "a pattern is longer than " + std::to_string(max_pattern_bytes)
                            + " bytes");
  return raw;
}

// -- mount validation ----------------------------------------------------------

mount_decision refuse(mount_decision d, std::string reason, std::string message) {
  d.allowed = false;
  d.read_only = true;
  d.reason = std::move(reason);
  d.message = std::move(message);
  return d;
}

/// The absolute container path for a requested (or defaulted) name, or nothing.
std::optional<std::string> place_container_path(const std::string& raw, std::string& why) {
  if (raw.find_first_not_of(" \t") == std::string::npos) {
    why = "container path is empty";
    return std::nullopt;
  }
  if (raw.size() > max_mount_path_bytes) {
    why = "container path is too long";
    return std::nullopt;
  }
  if (contains_control_char(raw) || raw.find(':') != std::string::npos
      || raw.find(',') != std::string::npos) {
    why = "container path must not contain ':', ',' or control characters";
    return std::nullopt;
  }
  auto full = raw.front() == '/' ? raw : std::string{extra_mount_base} + "/" + raw;
  for (size_t pos = 0; pos <= full.size();) {
    auto next = std::min(full.find('/', pos), full.size());
    if (full.compare(pos, next - pos, "..") == 0) {
      why = "container path must not contain '..'";
      return std::nullopt;
    }
    pos = next + 1;
  }
  auto normal = normalise_absolute(full);
  if (!normal || *normal == extra_mount_base || !path_within(*normal, extra_mount_base)) {
    why = std::string{"container path must lie under "} + extra_mount_base + "/";
    return std::nullopt;
  }
  return normal;
}

/// The canonical form of a path when it exists, else its lexical normal form.
std::optional<std::string> resolve_if_present(const std::string& path) {
  auto normal = normalise_absolute(path);
  if (!normal)
    return std::nullopt;
  auto canonical = canonicalise(*normal);
  return canonical.path ? canonical.path : normal;
}

/// The first existing root (canonicalised) that contains `path`.
std::optional<std::string> matching_root(const std::string& path,
                                         const std::vector<std::string>& roots,
                                         const std::string& home) {
  for (const auto& root : roots) {
    auto normal = normalise_absolute(expand_home(root, home));
    if (!normal)
      continue;
    auto canonical = canonicalise(*normal);
    if (canonical.path && path_within(path, *canonical.path))
      return canonical.path;
  }
  return std::nullopt;
}

/// Step 4: protected folders, the home folder's ancestors, then patterns.
std::optional<std::pair<std::string, std::string>>
blocked_by(const std::string& path, const mount_allowlist& list, const mount_context& ctx) {
  for (const auto& p : ctx.protected_paths) {
    auto resolved = resolve_if_present(expand_home(p, ctx.home));
    if (resolved && (path_within(path, *resolved) || path_within(*resolved, path)))
      return std::pair{*resolved, "the path overlaps the server's own folder " + *resolved};
  }
  if (auto home = resolve_if_present(ctx.home); home && !ctx.home.empty()
                                                && path_within(*home, path))
    return std::pair{std::string{"~"},
                     std::string{"the path is the home folder or contains it, which "
                                 "would expose every secret below it"}};
  auto lower = ascii_lower(path);
  for (const auto& pattern : effective_blocked_patterns(list))
    if (lower.find(ascii_lower(pattern)) != std::string::npos)
      return std::pair{pattern, "the path matches the blocked pattern " + pattern};
  return std::nullopt;
}

} // namespace

// -- allowlist -----------------------------------------------------------------

const std::vector<std::string>& default_blocked_patterns() {
  static const std::vector<std::string> patterns{
    ".ssh",    ".gnupg",  ".gpg",   ".aws",    ".azure",     ".gcloud",
    ".kube",   ".docker", "credentials", ".env", ".netrc",   ".npmrc",
    ".pypirc", "id_rsa",  "id_ed25519",  "private_key", ".secret"};
  return patterns;
}

std::vector<std::string> effective_blocked_patterns(const mount_allowlist& list) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  auto add = [&](const std::string& p) {
    if (seen.insert(ascii_lower(p)).second)
      out.push_back(p);
  };
  for (const auto& p : default_blocked_patterns())
    add(p);
  for (const auto& p : list.blocked_patterns)
    add(p);
  return out;
}

json to_json(const mount_allowlist& list) {
  return json{{"allowedRoots", list.allowed_roots},
              {"readWriteRoots", list.read_write_roots},
              {"blockedPatterns", list.blocked_patterns},
              {"effectiveBlockedPatterns", effective_blocked_patterns(list)},
              {"nonMainReadOnly", list.non_main_read_only},
              {"configured", list.configured},
              {"updatedAt", list.updated_at > 0 ? json(format_time(list.updated_at))
                                                : json(nullptr)}};
}

result<mount_allowlist> validate_allowlist(const json& body, const std::string& home) {
  if (!body.is_object())
    return invalid("", "the body must be a JSON object");
  mount_allowlist out;
  auto root = [&](const std::string& raw, const std::string& field) {
    return check_root(raw, field, home);
  };
  if (auto err = read_list(body, "allowedRoots", true, out.allowed_roots, root))
    return *err;
  if (auto err = read_list(body, "blockedPatterns", true, out.blocked_patterns, check_pattern))
    return *err;
  auto inside_allowed = [&](const std::string& raw, const std::string& field) {
    auto checked = check_root(raw, field, home);
    if (!checked)
      return checked;
    for (const auto& allowed : out.allowed_roots)
      if (path_within(*checked, allowed))
        return checked;
    return result<std::string>{invalid(field, "a read-write root must lie inside an allowed root")};
  };
  if (auto err = read_list(body, "readWriteRoots", false, out.read_write_roots, inside_allowed))
    return *err;
  if (auto it = body.find("nonMainReadOnly"); it != body.end() && !it->is_null()) {
    if (!it->is_boolean())
      return invalid("nonMainReadOnly", "nonMainReadOnly must be a boolean");
    out.non_main_read_only = it->get<bool>();
  }
  out.configured = true;
  return out;
}

// -- mount requests ------------------------------------------------------------

result<mount_request> parse_mount_request(const json& body) {
  if (!body.is_object())
    return invalid("", "the body must be a JSON object");
  mount_request out;
  auto host = body.find("hostPath");
  if (host == body.end() || !host->is_string() || host->get<std::string>().empty())
    return invalid("hostPath", "hostPath must be a non-empty string");
  out.host_path = host->get<std::string>();
  if (out.host_path.size() > max_mount_path_bytes
      || out.host_path.find('\0') != std::string::npos)
    return invalid("hostPath", "hostPath is too long or holds a NUL character");
  if (auto it = body.find("containerPath"); it != body.end() && !it->is_null()) {
    if (!it->is_string())
      return invalid("containerPath", "containerPath must be a string");
    out.container_path = it->get<std::string>();
  }
  if (auto it = body.find("readOnly"); it != body.end() && !it->is_null()) {
    if (!it->is_boolean())
      return invalid("readOnly", "readOnly must be a boolean");
    out.read_only = it->get<bool>();
  }
  if (auto it = body.find("group"); it != body.end() && !it->is_null()) {
    if (!it->is_string())
      return invalid("group", "group must be a string");
    out.group = it->get<std::string>();
  }
  return out;
}

json to_json(const mount_decision& d) {
  auto text_or_null = [](const std::string& s) { return s.empty() ? json(nullptr) : json(s); };
  json out{{"allowed", d.allowed},
           {"canonicalHostPath", text_or_null(d.canonical_host_path)},
           {"containerPath", text_or_null(d.container_path)},
           {"readOnly", d.read_only},
           {"message", d.message},
           {"reason", d.reason ? json(*d.reason) : json(nullptr)}};
  if (d.pattern)
    out["details"] = json{{"pattern", *d.pattern}};
  return out;
}

mount_decision validate_mount(const mount_request& req, const mount_allowlist& list,
                              const mount_context& ctx) {
  mount_decision d;
  auto host = expand_home(req.host_path, ctx.home);
  // 1. Container path.
  std::string why;
  auto wanted = req.container_path;
  if (!wanted) {
    auto normal = normalise_absolute(host);
    wanted = normal ? base_name(*normal) : base_name(host);
  }
  auto container = place_container_path(*wanted, why);
  if (!container)
    return refuse(d, "invalid_container_path", why);
  d.container_path = *container;
  // 2. Allowlist.
  if (!list.configured)
    return refuse(d, "no_allowlist", "No mount allowlist is configured; extra mounts are denied");
  // 3. Host path.
  if (host.empty() || host.front() != '/')
    return refuse(d, "invalid_host_path", "hostPath must be absolute (or start with ~/)");
  if (contains_control_char(host))
    return refuse(d, "invalid_host_path", "hostPath must not contain control characters");
  auto canonical = canonicalise(host);
  if (!canonical.path)
    return refuse(d, "host_path_not_found", "hostPath cannot be resolved: " + canonical.failure);
  d.canonical_host_path = *canonical.path;
  const auto& path = d.canonical_host_path;
  if (path.find(':') != std::string::npos || path.find(',') != std::string::npos
      || contains_control_char(path))
    return refuse(d, "invalid_host_path",
                  "the resolved host path contains ':', ',' or control characters");
  // 4. Blocked patterns and protected folders.
  if (auto blocked = blocked_by(path, list, ctx)) {
    d.pattern = blocked->first;
    return refuse(d, "blocked_pattern", "Mount refused: " + blocked->second);
  }
  // 5. Allowed roots.
  if (!matching_root(path, list.allowed_roots, ctx.home))
    return refuse(d, "outside_allowed_roots",
                  "Mount refused: the resolved path lies outside every allowed root");
  // 6. Effective read-only.
  d.allowed = true;
  d.read_only = true;
  d.message = "Mount validated successfully";
  if (req.read_only)
    return d;
  if (list.non_main_read_only && !ctx.is_main) {
    d.reason = "readwrite_downgraded";
    d.message = "Mount validated read-only: non-main groups mount read-only";
  } else if (!matching_root(path, list.read_write_roots, ctx.home)) {
    d.reason = "readwrite_downgraded";
    d.message = "Mount validated read-only: the path lies outside every read-write root";
  } else {
    d.read_only = false;
  }
  return d;
}

} // namespace pincer

#include "actors/proxy_state.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include <openssl/evp.h>

#include "events/json_text.hpp"
#include "events/proxy_events.hpp"
#include "events/time.hpp"

namespace pincer {

namespace {

constexpr size_t max_name_size = 100;
constexpr size_t max_url_size = 2048;
constexpr size_t max_credential_size = 8192;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool has_control(const std::string& s) {
  return std::any_of(s.begin(), s.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; });
}

/// RFC 7230 `tchar`.
bool is_token_char(unsigned char c) {
  return std::isalnum(c) || std::string_view{"!#$%&'*+-.^_`|~"}.find(static_cast<char>(c))
                              != std::string_view::npos;
}

result<std::string> required_string(const json& body, const char* field) {
  auto i = body.find(field);
  if (i == body.end() || i->is_null())
    return invalid(field, std::string{field} + " is required.");
  if (!i->is_string())
    return invalid(field, std::string{field} + " must be a string.");
  return i->get<std::string>();
}

bool valid_host(const std::string& host, bool bracketed) {
  if (host.empty() || host.size() > 253)
    return false;
  if (bracketed)
    return std::all_of(host.begin(), host.end(),
                       [](unsigned char c) { return std::isxdigit(c) || c == ':' || c == '.'; });
  return std::all_of(host.begin(), host.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '.' || c == '_';
  });
}

std::string base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  auto n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                           reinterpret_cast<const unsigned char*>(bytes.data()),
                           static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

/// The env prefix of an upstream host, or "" when it is not a known API.
std::string known_prefix(const std::string& upstream) {
  auto url = parse_upstream_url(upstream);
  if (!url)
    return {};
  auto host = lower(url->host);
  if (host == "api.anthropic.com")
    return "ANTHROPIC";
  if (host == "api.openai.com")
    return "OPENAI";
  return {};
}

std::string name_prefix(const std::string& name) {
  std::string out;
  for (unsigned char c : name) {
    if (std::isalnum(c))
      out += static_cast<char>(std::toupper(c));
    else if (!out.empty() && out.back() != '_')
      out += '_';
  }
  while (!out.empty() && out.back() == '_')
    out.pop_back();
  if (out.size() > 4 && out.compare(out.size() - 4, 4, "_API") == 0)
    out.resize(out.size() - 4); // "GitHub API" -> GITHUB, not GITHUB_API_API_KEY
  if (!out.empty() && std::isdigit(static_cast<unsigned char>(out[0])))
    out = "P_" + out;
  return out;
}

} // namespace

// -- upstream URLs -------------------------------------------------------------

std::string upstream_url::host_header() const {
  auto h = host.find(':') == std::string::npos ? host : "[" + host + "]";
  if (port != (tls ? 443 : 80))
    h += ":" + std::to_string(port);
  return h;
}

result<upstream_url> parse_upstream_url(const std::string& text) {
  auto bad = [](const std::string& why) { return invalid("upstreamUrl", why); };
  if (text.empty() || text.size() > max_url_size)
    return bad("upstreamUrl must be an http or https URL of at most 2048 characters.");
  if (has_control(text) || text.find(' ') != std::string::npos)
    return bad("upstreamUrl must not contain spaces or control characters.");
  auto colon = text.find("://");
  if (colon == std::string::npos)
    return bad("upstreamUrl must start with http:// or https://.");
  upstream_url out;
  auto scheme = lower(text.substr(0, colon));
  if (scheme == "https")
    out.tls = true;
  else if (scheme != "http")
    return bad("upstreamUrl must use http or https.");
  auto rest = text.substr(colon + 3);
  if (rest.find_first_of("?#") != std::string::npos)
    return bad("upstreamUrl must not have a query or fragment.");
  auto slash = rest.find('/');
  auto authority = rest.substr(0, slash);
  out.base_path = slash == std::string::npos ? "" : rest.substr(slash);
  while (!out.base_path.empty() && out.base_path.back() == '/')
    out.base_path.pop_back();
  if (authority.find('@') != std::string::npos)
    return bad("upstreamUrl must not contain user information.");
  std::string port;
  bool bracketed = !authority.empty() && authority[0] == '[';
  if (bracketed) {
    auto close = authority.find(']');
    if (close == std::string::npos)
      return bad("upstreamUrl has an unclosed IPv6 address.");
    out.host = authority.substr(1, close - 1);
    auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':')
        return bad("upstreamUrl has a malformed host.");
      port = after.substr(1);
    }
  } else {
    auto c = authority.find(':');
    out.host = authority.substr(0, c);
    if (c != std::string::npos)
      port = authority.substr(c + 1);
  }
  if (!valid_host(out.host, bracketed))
    return bad("upstreamUrl must have a valid host.");
  out.port = out.tls ? 443 : 80;
  if (!port.empty() || authority.back() == ':') {
    if (port.empty() || port.size() > 5
        || port.find_first_not_of("0123456789") != std::string::npos
        || std::stoul(port) < 1 || std::stoul(port) > 65535)
      return bad("upstreamUrl has a port outside 1..65535.");
    out.port = static_cast<uint16_t>(std::stoul(port));
  }
  return out;
}

// -- requests -------------------------------------------------------------------

result<mapping_request> parse_mapping_request(const json& body) {
  mapping_request out;
  auto name = required_string(body, "name");
  if (!name)
    return name.err();
  out.name = std::string{trim(*name)};
  if (out.name.empty() || out.name.size() > max_name_size || has_control(*name))
    return invalid("name", "name must be 1 to 100 printable characters.");
  auto url = required_string(body, "upstreamUrl");
  if (!url)
    return url.err();
  if (auto parsed = parse_upstream_url(*url); !parsed)
    return parsed.err();
  out.upstream_url = *url;
  while (out.upstream_url.size() > 1 && out.upstream_url.back() == '/'
         && out.upstream_url[out.upstream_url.size() - 2] != '/')
    out.upstream_url.pop_back();
  auto type = required_string(body, "credentialType");
  if (!type)
    return type.err();
  static const std::set<std::string> types{"api_key", "bearer", "basic", "header"};
  if (!types.count(*type))
    return invalid("credentialType",
                   "credentialType must be one of api_key, bearer, basic, header.");
  out.credential_type = *type;
  if (*type == "header") {
    auto header = required_string(body, "headerName");
    if (!header)
      return header.err();
    if (header->empty() || header->size() > 100
        || !std::all_of(header->begin(), header->end(),
                        [](unsigned char c) { return is_token_char(c); }))
      return invalid("headerName", "headerName must be an HTTP header name (token characters).");
    static const std::set<std::string> reserved{
      "host", "connection", "keep-alive", "te", "trailer", "transfer-encoding", "upgrade",
      "content-length", "content-type", "proxy-authorization", "proxy-authenticate"};
    if (reserved.count(lower(*header)))
      return invalid("headerName", "headerName must not be a framing or hop-by-hop header.");
    out.header_name = *header;
  }
  auto credential = required_string(body, "credential");
  if (!credential)
    return credential.err();
  if (credential->empty() || credential->size() > max_credential_size)
    return invalid("credential", "credential must be 1 to 8192 characters.");
  if (has_control(*credential))
    return invalid("credential", "credential must not contain control characters.");
  if (*type == "basic" && credential->find(':') == std::string::npos)
    return invalid("credential", "A basic credential has the form user:password.");
  out.credential = std::move(*credential);
  return out;
}

result<uint16_t> parse_port_request(const json& body) {
  auto i = body.find("port");
  if (i == body.end() || i->is_null())
    return invalid("port", "port is required.");
  if (!i->is_number_integer())
    return invalid("port", "port must be an integer from 1 to 65535.");
  auto v = i->get<int64_t>();
  if (v < 1 || v > 65535)
    return invalid("port", "port must be an integer from 1 to 65535.");
  return static_cast<uint16_t>(v);
}

std::pair<std::string, std::string> credential_header(const std::string& credential_type,
                                                      const std::string& header_name,
                                                      const std::string& credential) {
  if (credential_type == "api_key")
    return {"x-api-key", credential};
  if (credential_type == "bearer")
    return {"Authorization", "Bearer " + credential};
  if (credential_type == "basic")
    return {"Authorization", "Basic " + base64(credential)};
  return {header_name, credential};
}

// -- state ----------------------------------------------------------------------

std::string proxy_mapping::proxy_path() const {
  return "/m/" + id;
}

json mapping_added_data(const proxy_mapping& m) {
  json d{{"id", m.id},
         {"name", m.name},
         {"upstreamUrl", m.upstream_url},
         {"credentialType", m.credential_type},
         {"placeholder", m.placeholder},
         {"credential", m.sealed}};
  if (!m.header_name.empty())
    d["headerName"] = m.header_name;
  return d;
}

const proxy_mapping* proxy_state::find(const std::string& id) const {
  for (auto& m : mappings)
    if (m.id == id)
      return &m;
  return nullptr;
}

result<unit> proxy_state::check_new(const mapping_request& req) const {
  for (auto& m : mappings)
    if (lower(m.name) == lower(req.name))
      return error{ec::conflict, "A mapping named '" + m.name + "' already exists."};
  return unit{};
}

void proxy_state::apply(const envelope& e) {
  using namespace event_types;
  const auto& d = e.data;
  if (e.type == proxy_started) {
    running = true;
    started_at = e.at;
  } else if (e.type == proxy_stopped) {
    running = false;
    started_at = 0;
  } else if (e.type == proxy_port_set) {
    port = d.value("port", port);
  } else if (e.type == proxy_mapping_added) {
    proxy_mapping m;
    m.id = d.value("id", "");
    m.name = d.value("name", "");
    m.upstream_url = d.value("upstreamUrl", "");
    m.credential_type = d.value("credentialType", "");
    m.header_name = d.value("headerName", "");
    m.placeholder = d.value("placeholder", proxy_placeholder);
    m.sealed = d.value("credential", json());
    m.created_at = e.at;
    if (!find(m.id))
      mappings.push_back(std::move(m));
  } else if (e.type == proxy_mapping_removed) {
    auto id = d.value("id", "");
    mappings.erase(std::remove_if(mappings.begin(), mappings.end(),
                                  [&](const proxy_mapping& m) { return m.id == id; }),
                   mappings.end());
  }
}

json proxy_state::status(const std::string& host, uint16_t bound_port, bool listening,
                         uint64_t requests_served) const {
  json list = json::array();
  for (auto& m : mappings)
    list.push_back(json{{"id", m.id},
                        {"name", m.name},
                        {"upstreamUrl", m.upstream_url},
                        {"credentialType", m.credential_type},
                        {"placeholder", m.placeholder},
                        {"proxyPath", m.proxy_path()},
                        {"createdAt", format_time(m.created_at)},
                        {"requestsServed", m.served->load()}});
  for (size_t i = 0; i < mappings.size(); ++i)
    if (!mappings[i].header_name.empty())
      list[i]["headerName"] = mappings[i].header_name;
  return json{{"running", listening},
              {"host", host},
              {"port", listening ? bound_port : port},
              {"startedAt", listening && started_at ? json(format_time(started_at)) : json()},
              {"requestsServed", requests_served},
              {"mappings", std::move(list)}};
}

// -- container environment -----------------------------------------------------

env_pairs proxy_container_env(const std::vector<proxy_mapping>& mappings,
                              const std::string& gateway_host, uint16_t port) {
  env_pairs out;
  std::set<std::string> taken;
  auto host = gateway_host.find(':') == std::string::npos ? gateway_host
                                                          : "[" + gateway_host + "]";
  for (auto& m : mappings) {
    auto prefix = known_prefix(m.upstream_url);
    bool anthropic = prefix == "ANTHROPIC";
    if (prefix.empty())
      prefix = name_prefix(m.name);
    if (prefix.empty())
      prefix = "PROXY";
    if (taken.count(prefix)) {
      auto tag = m.id.substr(0, 8);
      std::transform(tag.begin(), tag.end(), tag.begin(),
                     [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
      prefix += "_" + tag;
    }
    taken.insert(prefix);
    out.emplace_back(prefix + "_BASE_URL",
                     "http://" + host + ":" + std::to_string(port) + m.proxy_path());
    auto key_var = anthropic && m.credential_type == "bearer" && prefix == "ANTHROPIC"
                     ? std::string{"ANTHROPIC_AUTH_TOKEN"}
                     : prefix + "_API_KEY";
    out.emplace_back(key_var, m.placeholder);
  }
  return out;
}

} // namespace pincer

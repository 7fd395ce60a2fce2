#include "actors/proxy_state.hpp"

#include <boost/test/unit_test.hpp>

using namespace pincer;

namespace {

json good_mapping() {
  return json{{"name", "Anthropic API"},
              {"upstreamUrl", "https://api.anthropic.com"},
              {"credentialType", "api_key"},
              {"credential", "sk-ant-secret"}};
}

/// The field a bad body is refused for.
std::string refused_field(const json& body) {
  auto r = parse_mapping_request(body);
  if (r)
    return "<accepted>";
  BOOST_TEST((r.err().code == ec::validation_failed));
  return r.err().field;
}

json with(json body, const std::string& key, json value) {
  if (value.is_null())
    body.erase(key);
  else
    body[key] = std::move(value);
  return body;
}

proxy_mapping mapping(std::string id, std::string name, std::string url,
                      std::string type = "api_key") {
  proxy_mapping m;
  m.id = std::move(id);
  m.name = std::move(name);
  m.upstream_url = std::move(url);
  m.credential_type = std::move(type);
  return m;
}

} // namespace

BOOST_AUTO_TEST_SUITE(actors_proxy_state)

BOOST_AUTO_TEST_CASE(a_good_mapping_request_is_accepted) {
  auto r = parse_mapping_request(good_mapping());
  BOOST_TEST_REQUIRE(bool(r));
  BOOST_TEST(r->name == "Anthropic API");
  BOOST_TEST(r->credential == "sk-ant-secret");
  auto h = parse_mapping_request(with(with(good_mapping(), "credentialType", "header"),
                                      "headerName", "X-Goog-Api-Key"));
  BOOST_TEST_REQUIRE(bool(h));
  BOOST_TEST(h->header_name == "X-Goog-Api-Key");
}

BOOST_AUTO_TEST_CASE(every_bad_mapping_field_is_named) {
  auto g = good_mapping();
  BOOST_TEST(refused_field(with(g, "name", nullptr)) == "name");
  BOOST_TEST(refused_field(with(g, "name", "")) == "name");
  BOOST_TEST(refused_field(with(g, "name", 42)) == "name");
  BOOST_TEST(refused_field(with(g, "name", "evil\r\nX-Injected: 1")) == "name");
  BOOST_TEST(refused_field(with(g, "name", std::string(101, 'a'))) == "name");
  BOOST_TEST(refused_field(with(g, "upstreamUrl", "ftp://example.com")) == "upstreamUrl");
  BOOST_TEST(refused_field(with(g, "upstreamUrl", "file:///etc/passwd")) == "upstreamUrl");
  BOOST_TEST(refused_field(with(g, "upstreamUrl", "https://")) == "upstreamUrl");
  BOOST_TEST(refused_field(with(g, "upstreamUrl", "api.anthropic.com")) == "upstreamUrl");
  BOOST_TEST(refused_field(with(g, "upstreamUrl", "https://u:p@host")) == "upstreamUrl");
  BOOST_TEST(refused_field(with(g, "upstreamUrl", "https://host/a?b=1")) == "upstreamUrl");
  BOOST_TEST(refused_field(with(g, "upstreamUrl", "https://host:0")) == "upstreamUrl");
  BOOST_TEST(refused_field(with(g, "upstreamUrl", "https://host:70000")) == "upstreamUrl");
  BOOST_TEST(refused_field(with(g, "upstreamUrl", "https://ho st")) == "upstreamUrl");
  BOOST_TEST(refused_field(with(g, "upstreamUrl", "https://host\r\nX: y")) == "upstreamUrl");
  BOOST_TEST(refused_field(with(g, "upstreamUrl", nullptr)) == "upstreamUrl");
  BOOST_TEST(refused_field(with(g, "credentialType", "oauth")) == "credentialType");
  BOOST_TEST(refused_field(with(g, "credentialType", nullptr)) == "credentialType");
  BOOST_TEST(refused_field(with(g, "credential", nullptr)) == "credential");
  BOOST_TEST(refused_field(with(g, "credential", "")) == "credential");
  BOOST_TEST(refused_field(with(g, "credential", 7)) == "credential");
  BOOST_TEST(refused_field(with(g, "credential", "sk\r\nX-Evil: 1")) == "credential");
  BOOST_TEST(refused_field(with(with(g, "credentialType", "basic"), "credential", "nocolon"))
             == "credential");
  auto header = with(g, "credentialType", "header");
  BOOST_TEST(refused_field(header) == "headerName");
  BOOST_TEST(refused_field(with(header, "headerName", "")) == "headerName");
  BOOST_TEST(refused_field(with(header, "headerName", "X-Key\r\nX-Evil")) == "headerName");
  BOOST_TEST(refused_field(with(header, "headerName", "X Key")) == "headerName");
  BOOST_TEST(refused_field(with(header, "headerName", "X-Key:")) == "headerName");
  BOOST_TEST(refused_field(with(header, "headerName", "Host")) == "headerName");
  BOOST_TEST(refused_field(with(header, "headerName", "transfer-encoding")) == "headerName");
}

BOOST_AUTO_TEST_CASE(upstream_urls_are_parsed_with_default_ports_and_base_paths) {
  auto a = parse_upstream_url("https://api.anthropic.com");
  BOOST_TEST_REQUIRE(bool(a));
  BOOST_TEST(a->tls);
  BOOST_TEST(a->port == 443);
  BOOST_TEST(a->base_path == "");
  BOOST_TEST(a->host_header() == "api.anthropic.com");
  auto b = parse_upstream_url("HTTP://127.0.0.1:8080/api/v2/");
  BOOST_TEST_REQUIRE(bool(b));
  BOOST_TEST(!b->tls);
  BOOST_TEST(b->port == 8080);
  BOOST_TEST(b->base_path == "/api/v2");
  BOOST_TEST(b->host_header() == "127.0.0.1:8080");
  auto c = parse_upstream_url("http://[::1]:9000");
  BOOST_TEST_REQUIRE(bool(c));
  BOOST_TEST(c->host == "::1");
  BOOST_TEST(c->host_header() == "[::1]:9000");
}

BOOST_AUTO_TEST_CASE(ports_must_be_integers_from_1_to_65535) {
  BOOST_TEST(*parse_port_request(json{{"port", 3001}}) == 3001);
  BOOST_TEST(*parse_port_request(json{{"port", 65535}}) == 65535);
  for (auto bad : {json{{"port", 0}}, json{{"port", 70000}}, json{{"port", -1}},
                   json{{"port", "3001"}}, json{{"port", 3001.5}}, json{{"port", nullptr}},
                   json::object(), json{{"port", true}}}) {
    auto r = parse_port_request(bad);
    BOOST_TEST_REQUIRE(!r, bad.dump());
    BOOST_TEST(r.err().field == "port");
  }
}

BOOST_AUTO_TEST_CASE(credentials_go_into_the_header_of_their_type) {
  using p = std::pair<std::string, std::string>;
  BOOST_TEST((credential_header("api_key", "", "k") == p{"x-api-key", "k"}));
  BOOST_TEST((credential_header("bearer", "", "t") == p{"Authorization", "Bearer t"}));
  BOOST_TEST((credential_header("basic", "", "Aladdin:open sesame")
              == p{"Authorization", "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="}));
  BOOST_TEST((credential_header("header", "X-Goog-Api-Key", "g") == p{"X-Goog-Api-Key", "g"}));
}

BOOST_AUTO_TEST_CASE(a_duplicate_name_ignoring_case_is_a_conflict) {
  proxy_state st;
  st.mappings.push_back(mapping("1", "Anthropic API", "https://api.anthropic.com"));
  auto req = *parse_mapping_request(with(good_mapping(), "name", "anthropic api"));
  auto r = st.check_new(req);
  BOOST_TEST_REQUIRE(!r);
  BOOST_TEST((r.err().code == ec::conflict));
  BOOST_TEST(bool(st.check_new(*parse_mapping_request(with(good_mapping(), "name", "Other")))));
}

BOOST_AUTO_TEST_CASE(anthropic_mappings_give_containers_the_anthropic_variables) {
  auto env = proxy_container_env({mapping("abc", "Anthropic API", "https://api.anthropic.com")},
                                 "10.88.0.1", 3001);
  env_pairs expected{{"ANTHROPIC_BASE_URL", "http://10.88.0.1:3001/m/abc"},
                     {"ANTHROPIC_API_KEY", "CREDENTIAL_PROXY_PLACEHOLDER"}};
  BOOST_TEST((env == expected));
  auto bearer = proxy_container_env(
    {mapping("abc", "Claude", "https://API.anthropic.com/", "bearer")}, "gw", 4000);
  env_pairs expected_bearer{{"ANTHROPIC_BASE_URL", "http://gw:4000/m/abc"},
                            {"ANTHROPIC_AUTH_TOKEN", "CREDENTIAL_PROXY_PLACEHOLDER"}};
  BOOST_TEST((bearer == expected_bearer));
}

BOOST_AUTO_TEST_CASE(other_mappings_are_named_after_their_name_and_never_collide) {
  auto env = proxy_container_env({mapping("11111111-a", "GitHub API", "https://api.github.com"),
                                  mapping("22222222-b", "github-api", "https://x.example"),
                                  mapping("33333333-c", "3rd party", "http://h"),
                                  mapping("44444444-d", "---", "http://h"),
                                  mapping("55555555-e", "OpenAI", "https://api.openai.com")},
                                 "::1", 3001);
  env_pairs expected{{"GITHUB_BASE_URL", "http://[::1]:3001/m/11111111-a"},
                     {"GITHUB_API_KEY", "CREDENTIAL_PROXY_PLACEHOLDER"},
                     {"GITHUB_22222222_BASE_URL", "http://[::1]:3001/m/22222222-b"},
                     {"GITHUB_22222222_API_KEY", "CREDENTIAL_PROXY_PLACEHOLDER"},
                     {"P_3RD_PARTY_BASE_URL", "http://[::1]:3001/m/33333333-c"},
                     {"P_3RD_PARTY_API_KEY", "CREDENTIAL_PROXY_PLACEHOLDER"},
                     {"PROXY_BASE_URL", "http://[::1]:3001/m/44444444-d"},
                     {"PROXY_API_KEY", "CREDENTIAL_PROXY_PLACEHOLDER"},
                     {"OPENAI_BASE_URL", "http://[::1]:3001/m/55555555-e"},
                     {"OPENAI_API_KEY", "CREDENTIAL_PROXY_PLACEHOLDER"}};
  BOOST_TEST((env == expected));
  BOOST_TEST(proxy_container_env({}, "gw", 1).empty());
}

BOOST_AUTO_TEST_SUITE_END()

#include <boost/test/unit_test.hpp>

#include <string>

#include "http/errors.hpp"

using namespace pincer;
using namespace pincer::http;

namespace {

struct expectation {
  ec code;
  int status;
  const char* name;
};

const expectation all_codes[] = {
  {ec::invalid_json, 400, "invalid_json"},
  {ec::validation_failed, 400, "validation_failed"},
  {ec::not_found, 404, "not_found"},
  {ec::conflict, 409, "conflict"},
  {ec::unauthorized, 401, "unauthorized"},
  {ec::forbidden, 403, "forbidden"},
  {ec::payload_too_large, 413, "payload_too_large"},
  {ec::unsupported_media_type, 415, "unsupported_media_type"},
  {ec::method_not_allowed, 405, "method_not_allowed"},
  {ec::timeout, 504, "timeout"},
  {ec::internal, 500, "internal"},
  {ec::storage_failed, 500, "internal"},
  {ec::layout_too_new, 500, "internal"},
  {ec::undecodable_event, 500, "internal"},
  {ec::runtime_unavailable, 503, "runtime_unavailable"},
  {ec::upstream_error, 502, "upstream_error"},
  {ec::none, 500, "internal"},
};

} // namespace

BOOST_AUTO_TEST_SUITE(http_errors)

BOOST_AUTO_TEST_CASE(every_code_maps_to_its_status_and_name) {
  for (auto& x : all_codes) {
    error e{x.code, "some text"};
    BOOST_TEST(error_status(e) == x.status, x.name);
    auto body = error_body(e, "rid-1");
    BOOST_TEST(body.at("error").at("code").get<std::string>() == x.name);
    BOOST_TEST(body.at("requestId").get<std::string>() == "rid-1");
  }
}

BOOST_AUTO_TEST_CASE(the_envelope_has_exactly_error_and_request_id) {
  auto body = error_body(error{ec::not_found, "No such namespace."}, "r");
  BOOST_TEST(body.size() == 2u);
  BOOST_TEST(body.at("error").size() == 3u);
  BOOST_TEST(body.at("error").at("message").get<std::string>() == "No such namespace.");
  BOOST_TEST(body.at("error").at("details").is_object());
  BOOST_TEST(body.at("error").at("details").empty());
}

BOOST_AUTO_TEST_CASE(validation_errors_name_the_field_in_details) {
  auto body = error_body(invalid("containerConfig.timeoutSecs", "Must be positive."), "r");
  BOOST_TEST(body.at("error").at("code").get<std::string>() == "validation_failed");
  BOOST_TEST(body.at("error").at("details").at("field").get<std::string>()
             == "containerConfig.timeoutSecs");
}

BOOST_AUTO_TEST_CASE(a_field_on_another_code_is_not_shown) {
  auto body = error_body(error{ec::conflict, "Taken.", "name"}, "r");
  BOOST_TEST(body.at("error").at("details").empty());
}

BOOST_AUTO_TEST_CASE(internal_error_text_never_reaches_the_body) {
  for (ec code : {ec::internal, ec::storage_failed, ec::layout_too_new,
                  ec::undecodable_event, ec::none}) {
    auto body = error_body(error{code, "rocksdb: IO error /secret/path"}, "r");
    auto text = body.dump();
    BOOST_TEST(text.find("rocksdb") == std::string::npos);
    BOOST_TEST(text.find("/secret/path") == std::string::npos);
    BOOST_TEST(!body.at("error").at("message").get<std::string>().empty());
  }
}

BOOST_AUTO_TEST_CASE(a_client_error_without_text_gets_a_sentence) {
  for (auto& x : all_codes)
    BOOST_TEST(!public_message(error{x.code, ""}).empty(), x.name);
}

BOOST_AUTO_TEST_SUITE_END()

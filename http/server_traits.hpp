#pragma once

// RESTinio types of the server. Private to http/server.cpp: only that
// translation unit instantiates the RESTinio templates.

#include <chrono>
#include <string>

#include <restinio/all.hpp>
#include <restinio/router/pcre2_regex_engine.hpp>
#include <restinio/sync_chain/fixed_size.hpp>
#include <spdlog/spdlog.h>

namespace pincer::http {

/// What the chain stores in each request before the router runs.
struct request_data {
  std::string request_id;
  std::string actor;
  std::chrono::steady_clock::time_point received; ///< When the chain saw it.
};

using extra_data_factory = restinio::simple_extra_data_factory_t<request_data>;

using request_handle = restinio::generic_request_handle_t<request_data>;

/// The express router on PCRE2: std::regex matching was about 8% of a
/// GET's CPU.
using router_type =
  restinio::router::generic_express_router_t<restinio::router::pcre2_regex_engine_t<>,
                                             extra_data_factory>;

using chain_type = restinio::sync_chain::fixed_size_chain_t<3, extra_data_factory>;

/// Routes RESTinio's own messages to spdlog, one level quieter: RESTinio
/// warns about ordinary events such as clients that went away.
class spdlog_logger {
public:
  template <class MessageBuilder>
  void trace(MessageBuilder&& mb) const {
    if (spdlog::should_log(spdlog::level::trace))
      spdlog::trace("restinio: {}", mb());
  }

  template <class MessageBuilder>
  void info(MessageBuilder&& mb) const {
    if (spdlog::should_log(spdlog::level::debug))
      spdlog::debug("restinio: {}", mb());
  }

  template <class MessageBuilder>
  void warn(MessageBuilder&& mb) const {
    if (spdlog::should_log(spdlog::level::debug))
      spdlog::debug("restinio: {}", mb());
  }

  template <class MessageBuilder>
  void error(MessageBuilder&& mb) const {
    if (spdlog::should_log(spdlog::level::warn))
      spdlog::warn("restinio: {}", mb());
  }
};

/// Multi-threaded traits: a strand per connection, the chain in front of
/// the express router, request data carried in each request.
struct server_traits
  : restinio::traits_t<restinio::asio_timer_manager_t, spdlog_logger> {
  using extra_data_factory_t = extra_data_factory;
  using request_handler_t = chain_type;
};

using server_type = restinio::http_server_t<server_traits>;

} // namespace pincer::http

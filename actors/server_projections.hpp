#pragma once

// The stored projections the server keeps, and their start-up catch-up.

#include <memory>
#include <string>
#include <vector>

#include "actors/projection.hpp"

namespace pincer {

/// Every stored projection of the server, built as its runner builds it:
/// audit, run history, analytics, chats and schedule runs.
std::vector<std::unique_ptr<projection>> server_projections(const std::string& assistant_name);

/// Brings every projection of the server up to the end of the log in one
/// pass over it (see `catch_up`). The server calls it once at start-up,
/// before the runners, which then only follow new events.
result<uint64_t> catch_up_server_projections(event_store& store,
                                             const std::string& assistant_name);

} // namespace pincer

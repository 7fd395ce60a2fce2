#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "events/envelope.hpp"
#include "events/error.hpp"

namespace pincer {

/// The outcome of checking one `append` call before anything is written:
/// one result per request, holding either the records to store or the error.
struct append_plan {
  std::vector<result<std::vector<record>>> results;
  uint64_t last_seq = 0; ///< The highest sequence number after the call.
};

/// Looks up a stream's current version in the store.
using version_lookup = std::function<uint64_t(const std::string& stream)>;

/// Validates every request, checks expected versions (counting earlier
/// requests of the same call) and assigns gap-free sequence numbers after
/// `last_seq` to the requests that pass, with `at` as append time.
append_plan plan_append(const std::vector<append_request>& requests,
                        uint64_t last_seq, int64_t at,
                        const version_lookup& version_of);

/// Whether a projection name is usable as a key component.
bool valid_projection_name(const std::string& projection);

} // namespace pincer

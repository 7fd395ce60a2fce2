#pragma once

// Reading fields of JSON that is not trusted to have the documented types
// (provider answers, agent output, event data of older versions): never a throw.

#include <string>

#include "events/envelope.hpp"

namespace pincer {

/// `obj[key]` when it is a string; empty for anything else.
std::string text_of(const json& obj, const char* key);

/// Whether `obj[key]` is the boolean `true`; false for anything else.
bool is_true(const json& obj, const char* key);

} // namespace pincer

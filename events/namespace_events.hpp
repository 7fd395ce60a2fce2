#pragma once

#include <string>

namespace pincer {

class catalog;

/// Event types of namespaces (container groups) and their instructions.
namespace event_types {
constexpr const char* namespace_created = "namespace.created";
constexpr const char* namespace_updated = "namespace.updated";
constexpr const char* namespace_deleted = "namespace.deleted";
constexpr const char* instructions_updated = "instructions.updated";
} // namespace event_types

/// The stream of a namespace: `namespace/<lower-case name>`.
std::string namespace_stream(const std::string& name);

/// The stream of the global instructions.
constexpr const char* global_instructions_stream = "instructions/global";

/// Adds the namespace event types to a catalog.
void register_namespace_events(catalog& c);

} // namespace pincer

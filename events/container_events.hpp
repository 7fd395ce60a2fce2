#pragma once

namespace pincer {

class catalog;

/// Event types of the container runtime, the agent image and mount security.
namespace event_types {
constexpr const char* runtime_detected = "runtime.detected";
constexpr const char* image_build_started = "image.build_started";
constexpr const char* image_build_finished = "image.build_finished";
constexpr const char* mount_allowlist_set = "mount.allowlist_set";
constexpr const char* mount_validated = "mount.validated";
} // namespace event_types

/// The stream of runtime detections.
constexpr const char* runtime_stream = "runtime/detection";

/// The stream of the mount allowlist.
constexpr const char* mount_allowlist_stream = "mount/allowlist";

/// The stream of mount validations.
constexpr const char* mount_validation_stream = "mount/validations";

/// Adds the container event types to a catalog.
void register_container_events(catalog& c);

} // namespace pincer

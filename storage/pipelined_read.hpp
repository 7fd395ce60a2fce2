#pragma once

#include "storage/event_store.hpp"

namespace pincer {

/// Reads the global log after `after` like `store.read_all`, but on a
/// second thread that hands records over in batches, while `visit` runs on
/// the calling thread: reading and decoding overlap with what `visit` does,
/// on two cores. Stops at the first false from `visit`. The store must not
/// be used by `visit` for anything but reads.
result<unit> read_all_pipelined(const event_store& store, uint64_t after,
                                const record_visitor& visit);

} // namespace pincer

#include <map>
#include <mutex>
#include <shared_mutex>

#include "events/time.hpp"
#include "storage/append_plan.hpp"
#include "storage/event_store.hpp"

namespace pincer {

namespace {

/// How many records a reader copies per lock; visitors run unlocked, so
/// they may call back into the store.
constexpr size_t read_chunk = 256;

class memory_store final : public event_store {
public:
  // -- the log ----------------------------------------------------------------

  std::vector<result<std::vector<record>>>
  append(const std::vector<append_request>& requests) override {
    std::unique_lock guard{mtx_};
    auto lookup = [this](const std::string& s) { return version_locked(s); };
    auto plan = plan_append(requests, log_.size(), now_ms(), lookup);
    for (auto& res : plan.results) {
      if (!res)
        continue;
      for (auto& r : *res) {
        streams_[r.stream].push_back(r.seq);
        log_.push_back(r);
      }
    }
    return std::move(plan.results);
  }

  uint64_t last_seq() const override {
    std::shared_lock guard{mtx_};
    return log_.size();
  }

  uint64_t stream_version(const std::string& stream) const override {
    std::shared_lock guard{mtx_};
    return version_locked(stream);
  }

  result<unit> read_stream(const std::string& stream, uint64_t after,
                           const record_visitor& f) const override {
    std::vector<record> chunk;
    for (;;) {
      chunk.clear();
      {
        std::shared_lock guard{mtx_};
        auto i = streams_.find(stream);
        if (i == streams_.end())
          return unit{};
        const auto& seqs = i->second;
        for (auto v = after; v < seqs.size() && chunk.size() < read_chunk; ++v)
          chunk.push_back(log_[seqs[v] - 1]);
      }
      if (chunk.empty())
        return unit{};
      for (const auto& r : chunk)
        if (!f(r))
          return unit{};
      after = chunk.back().stream_version;
    }
  }

  result<unit> read_all(uint64_t after, const record_visitor& f) const override {
    std::vector<record> chunk;
    for (;;) {
      chunk.clear();
      {
        std::shared_lock guard{mtx_};
        for (auto s = after; s < log_.size() && chunk.size() < read_chunk; ++s)
          chunk.push_back(log_[s]);
      }
      if (chunk.empty())
        return unit{};
      for (const auto& r : chunk)
        if (!f(r))
          return unit{};
      after = chunk.back().seq;
    }
  }

  std::vector<std::pair<std::string, uint64_t>>
  streams(const std::string& prefix) const override {
    std::shared_lock guard{mtx_};
    std::vector<std::pair<std::string, uint64_t>> out;
    for (auto i = streams_.lower_bound(prefix);
         i != streams_.end() && i->first.compare(0, prefix.size(), prefix) == 0;
         ++i)
      out.emplace_back(i->first, i->second.size());
    return out;
  }

  // -- projections ------------------------------------------------------------

  uint64_t checkpoint(const std::string& projection) const override {
    std::shared_lock guard{mtx_};
    auto i = checkpoints_.find(projection);
    return i == checkpoints_.end() ? 0 : i->second;
  }

  result<unit> commit_projection(const std::string& projection,
                                 uint64_t checkpoint,
                                 const std::vector<row>& rows) override {
    if (!valid_projection_name(projection))
      return invalid("projection", "invalid projection name");
    std::unique_lock guard{mtx_};
    store_rows(projection, checkpoint, rows);
    return unit{};
  }

  result<unit> commit_projections(const std::vector<projection_commit>& commits) override {
    for (const auto& c : commits)
      if (!valid_projection_name(c.projection))
        return invalid("projection", "invalid projection name");
    std::unique_lock guard{mtx_};
    for (const auto& c : commits)
      store_rows(c.projection, c.checkpoint, c.rows);
    return unit{};
  }

  result<unit> scan_projection(const std::string& projection,
                               const std::string& start, bool reverse,
                               const row_visitor& f) const override {
    // Copy the selected rows in chunks so that visitors run unlocked.
    std::vector<row> chunk;
    std::string from = start;
    bool inclusive = true;
    for (;;) {
      chunk.clear();
      {
        std::shared_lock guard{mtx_};
        auto t = rows_.find(projection);
        if (t == rows_.end())
          return unit{};
        const auto& table = t->second;
        if (!reverse) {
          auto i = inclusive ? table.lower_bound(from) : table.upper_bound(from);
          for (; i != table.end() && chunk.size() < read_chunk; ++i)
            chunk.emplace_back(i->first, i->second);
        } else {
          auto i = (from.empty() && inclusive) ? table.end()
                   : inclusive                 ? table.upper_bound(from)
                                               : table.lower_bound(from);
          while (i != table.begin() && chunk.size() < read_chunk) {
            --i;
            chunk.emplace_back(i->first, i->second);
          }
        }
      }
      if (chunk.empty())
        return unit{};
      for (const auto& [k, v] : chunk)
        if (!f(k, v))
          return unit{};
      from = chunk.back().first;
      inclusive = false;
    }
  }

  result<unit> clear_projection(const std::string& projection) override {
    std::unique_lock guard{mtx_};
    rows_.erase(projection);
    checkpoints_.erase(projection);
    return unit{};
  }

  // -- key store --------------------------------------------------------------

  result<unit> put_key(const std::string& id, const std::string& material) override {
    std::unique_lock guard{mtx_};
    keys_[id] = material;
    return unit{};
  }

  std::optional<std::string> key(const std::string& id) const override {
    std::shared_lock guard{mtx_};
    auto i = keys_.find(id);
    if (i == keys_.end())
      return std::nullopt;
    return i->second;
  }

  result<unit> erase_key(const std::string& id) override {
    std::unique_lock guard{mtx_};
    auto i = keys_.find(id);
    if (i != keys_.end()) {
      std::fill(i->second.begin(), i->second.end(), '\0');
      keys_.erase(i);
    }
    return unit{};
  }

private:
  uint64_t version_locked(const std::string& stream) const {
    auto i = streams_.find(stream);
    return i == streams_.end() ? 0 : i->second.size();
  }

  /// Stores a projection's rows and checkpoint; the caller holds `mtx_`.
  void store_rows(const std::string& projection, uint64_t checkpoint,
                  const std::vector<row>& rows) {
    auto& table = rows_[projection];
    for (const auto& [k, v] : rows)
      table[k] = v;
    checkpoints_[projection] = checkpoint;
  }

  mutable std::shared_mutex mtx_;
  std::vector<record> log_;                                ///< Index seq - 1.
  std::map<std::string, std::vector<uint64_t>> streams_;   ///< Version - 1 -> seq.
  std::map<std::string, uint64_t> checkpoints_;
  std::map<std::string, std::map<std::string, std::string>> rows_;
  std::map<std::string, std::string> keys_;
};

} // namespace

std::unique_ptr<event_store> make_memory_store() {
  return std::make_unique<memory_store>();
}

} // namespace pincer

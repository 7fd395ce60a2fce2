#include <algorithm>
#include <atomic>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include "events/time.hpp"
#include "storage/append_plan.hpp"
#include "storage/event_store.hpp"
#include "storage/keys.hpp"

namespace pincer {

namespace {

using rocksdb::Slice;

bool starts_with(const Slice& s, const std::string& prefix) {
  return s.size() >= prefix.size()
         && std::memcmp(s.data(), prefix.data(), prefix.size()) == 0;
}

error storage_error(const std::string& what, const rocksdb::Status& st) {
  return error{ec::storage_failed, what + ": " + st.ToString()};
}

class rocksdb_store final : public event_store {
public:
  rocksdb_store(std::unique_ptr<rocksdb::DB> db, rocksdb_options opts)
    : db_(std::move(db)), opts_(opts) {
    write_opts_.sync = opts.sync;
  }

  /// Writes the memory tables out, so the next open has no write-ahead log
  /// to replay (which takes seconds after a large load).
  ~rocksdb_store() override {
    if (!opts_.read_only)
      db_->Flush(rocksdb::FlushOptions{});
  }

  /// Reads the last sequence number; called once before the store is shared.
  result<unit> load() {
    auto it = iterator(nullptr);
    auto bound = keys::log_key(UINT64_MAX);
    it->SeekForPrev(bound);
    if (it->Valid() && it->key().size() == 9 && it->key()[0] == keys::log_prefix)
      last_seq_ = keys::be64(it->key().data() + 1);
    if (!it->status().ok())
      return storage_error("cannot read the event log", it->status());
    if (opts_.read_only)
      return unit{};
    // The only writer knows every stream: a stream missing from the cache
    // has no events, so new streams cost no index look-up.
    for (auto& [stream, version] : streams(""))
      versions_.emplace(std::move(stream), version);
    versions_complete_ = true;
    return unit{};
  }

  // -- the log ----------------------------------------------------------------

  std::vector<result<std::vector<record>>>
  append(const std::vector<append_request>& requests) override {
    if (auto err = refuse_read_only())
      return std::vector<result<std::vector<record>>>(requests.size(), *err);
    std::lock_guard writer{write_mtx_};
    auto lookup = [this](const std::string& s) { return version_of(s); };
    auto plan = plan_append(requests, last_seq_.load(), now_ms(), lookup);
    rocksdb::WriteBatch batch;
    std::unordered_map<std::string, uint64_t> new_versions;
    std::string value;
    std::string seq_value;
    for (const auto& res : plan.results) {
      if (!res)
        continue;
      for (const auto& r : *res) {
        value.clear();
        keys::encode_record(r, value);
        batch.Put(keys::log_key(r.seq), value);
        seq_value.clear();
        keys::put_be64(seq_value, r.seq);
        batch.Put(keys::stream_key(r.stream, r.stream_version), seq_value);
        new_versions[r.stream] = r.stream_version;
      }
    }
    if (batch.Count() == 0)
      return std::move(plan.results);
    auto st = db_->Write(write_opts_, &batch);
    if (!st.ok()) {
      auto err = storage_error("cannot append events", st);
      for (auto& res : plan.results)
        if (res)
          res = err;
      return std::move(plan.results);
    }
    {
      std::unique_lock guard{cache_mtx_};
      for (auto& [stream, version] : new_versions)
        versions_[stream] = version;
    }
    last_seq_ = plan.last_seq;
    return std::move(plan.results);
  }

  uint64_t last_seq() const override {
    return last_seq_.load();
  }

  uint64_t stream_version(const std::string& stream) const override {
    return version_of(stream);
  }

  result<unit> read_stream(const std::string& stream, uint64_t after,
                           const record_visitor& f) const override {
    if (!valid_stream_name(stream) || after == UINT64_MAX || version_of(stream) <= after)
      return unit{};
    auto prefix = keys::stream_index_prefix(stream);
    auto end = keys::prefix_end(prefix);
    Slice upper{end};
    auto index = iterator(&upper);
    // Look up the log entries in sorted batches with MultiGet.
    constexpr size_t batch = 128;
    std::vector<std::string> log_keys(batch, keys::log_key(0));
    std::vector<Slice> slices(batch);
    std::vector<rocksdb::PinnableSlice> values(batch);
    std::vector<rocksdb::Status> statuses(batch);
    std::vector<uint64_t> seqs;
    seqs.reserve(batch);
    record r;
    index->Seek(keys::stream_key(stream, after + 1));
    for (;;) {
      seqs.clear();
      for (; index->Valid() && seqs.size() < batch; index->Next()) {
        auto v = index->value();
        if (v.size() != 8)
          return error{ec::storage_failed, "malformed stream index entry in " + stream};
        std::memcpy(log_keys[seqs.size()].data() + 1, v.data(), 8);
        slices[seqs.size()] = log_keys[seqs.size()];
        seqs.push_back(keys::be64(v.data()));
      }
      if (!index->status().ok())
        return storage_error("cannot read stream " + stream, index->status());
      if (seqs.empty())
        return unit{};
      db_->MultiGet(rocksdb::ReadOptions{}, db_->DefaultColumnFamily(), seqs.size(),
                    slices.data(), values.data(), statuses.data(), true);
      for (size_t i = 0; i < seqs.size(); ++i) {
        if (!statuses[i].ok())
          return error{ec::storage_failed, "stream " + stream + " points at unreadable event "
                                             + std::to_string(seqs[i]) + ": "
                                             + statuses[i].ToString()};
        r.seq = seqs[i];
        decode(values[i], r);
        values[i].Reset();
        if (!f(r))
          return unit{};
      }
    }
  }

  result<unit> read_all(uint64_t after, const record_visitor& f) const override {
    if (after == UINT64_MAX)
      return unit{};
    // Followers read the few events just appended, from the memtable or
    // cached blocks; only a read far behind the end is a scan of the log.
    bool long_scan = after + long_scan_events <= last_seq_.load();
    auto it = iterator(&log_upper_, long_scan);
    record r;
    for (it->Seek(keys::log_key(after + 1)); it->Valid(); it->Next()) {
      auto k = it->key();
      if (k.size() != 9)
        continue;
      r.seq = keys::be64(k.data() + 1);
      decode(it->value(), r);
      if (!f(r))
        return unit{};
    }
    if (!it->status().ok())
      return storage_error("cannot read the event log", it->status());
    return unit{};
  }

  /// Steps through a stream's index keys while it is short, and seeks past
  /// it once it is long: most streams hold a few events, a few hold many.
  std::vector<std::pair<std::string, uint64_t>>
  streams(const std::string& prefix) const override {
    constexpr int steps_before_seek = 8;
    std::vector<std::pair<std::string, uint64_t>> out;
    std::string start{keys::stream_prefix};
    start += prefix;
    auto it = iterator(nullptr);
    it->Seek(start);
    auto version_in = [](const Slice& k) { return keys::be64(k.data() + k.size() - 8); };
    while (it->Valid() && starts_with(it->key(), start)) {
      auto k = it->key();
      auto nul = std::find(k.data() + 1, k.data() + k.size(), '\0');
      if (k.data() + k.size() - nul != 9)
        break; // not an index key: past the streams
      std::string head(k.data(), nul + 1); // 'S', the stream, '\0'
      auto version = version_in(k);
      auto same_stream = [&](const Slice& key) {
        return key.size() == head.size() + 8 && starts_with(key, head);
      };
      int steps = 0;
      for (it->Next(); it->Valid() && same_stream(it->key()); it->Next()) {
        version = version_in(it->key());
        if (++steps < steps_before_seek)
          continue;
        auto bound = keys::prefix_end(head);
        it->SeekForPrev(bound);
        version = version_in(it->key());
        it->Seek(bound);
        break;
      }
      out.emplace_back(head.substr(1, head.size() - 2), version);
    }
    return out;
  }

  // -- projections ------------------------------------------------------------

  uint64_t checkpoint(const std::string& projection) const override {
    std::string value;
    auto st = db_->Get({}, keys::checkpoint_key(projection), &value);
    return st.ok() && value.size() == 8 ? keys::be64(value.data()) : 0;
  }

  result<unit> commit_projection(const std::string& projection,
                                 uint64_t checkpoint,
                                 const std::vector<row>& rows) override {
    if (auto err = refuse_read_only())
      return *err;
    if (!valid_projection_name(projection))
      return invalid("projection", "invalid projection name");
    rocksdb::WriteBatch batch;
    add_rows(batch, projection, checkpoint, rows);
    return write_projections(batch, "cannot commit projection " + projection);
  }

  result<unit> commit_projections(const std::vector<projection_commit>& commits) override {
    if (auto err = refuse_read_only())
      return *err;
    for (const auto& c : commits)
      if (!valid_projection_name(c.projection))
        return invalid("projection", "invalid projection name");
    rocksdb::WriteBatch batch;
    for (const auto& c : commits)
      add_rows(batch, c.projection, c.checkpoint, c.rows);
    return write_projections(batch, "cannot commit projections");
  }

  result<unit> scan_projection(const std::string& projection,
                               const std::string& start, bool reverse,
                               const row_visitor& f) const override {
    if (!valid_projection_name(projection))
      return unit{};
    auto prefix = keys::row_key_prefix(projection);
    auto end = keys::prefix_end(prefix);
    Slice upper{end};
    auto it = iterator(&upper);
    if (!reverse)
      it->Seek(prefix + start);
    else if (start.empty())
      it->SeekForPrev(end);
    else
      it->SeekForPrev(prefix + start);
    std::string k;
    std::string v;
    while (it->Valid() && starts_with(it->key(), prefix)) {
      k.assign(it->key().data() + prefix.size(), it->key().size() - prefix.size());
      v.assign(it->value().data(), it->value().size());
      if (!f(k, v))
        return unit{};
      if (reverse)
        it->Prev();
      else
        it->Next();
    }
    if (!it->status().ok())
      return storage_error("cannot scan projection " + projection, it->status());
    return unit{};
  }

  result<unit> clear_projection(const std::string& projection) override {
    if (auto err = refuse_read_only())
      return *err;
    if (!valid_projection_name(projection))
      return unit{};
    auto prefix = keys::row_key_prefix(projection);
    rocksdb::WriteBatch batch;
    batch.DeleteRange(prefix, keys::prefix_end(prefix));
    batch.Delete(keys::checkpoint_key(projection));
    return write(batch, "cannot clear projection " + projection);
  }

  // -- key store --------------------------------------------------------------

  result<unit> put_key(const std::string& id, const std::string& material) override {
    if (auto err = refuse_read_only())
      return *err;
    rocksdb::WriteBatch batch;
    batch.Put(keys::key_store_key(id), material);
    return write(batch, "cannot store key " + id);
  }

  std::optional<std::string> key(const std::string& id) const override {
    std::string value;
    if (!db_->Get({}, keys::key_store_key(id), &value).ok())
      return std::nullopt;
    return value;
  }

  result<unit> erase_key(const std::string& id) override {
    if (auto err = refuse_read_only())
      return *err;
    auto k = keys::key_store_key(id);
    rocksdb::WriteBatch batch;
    batch.Delete(k);
    if (auto res = write(batch, "cannot erase key " + id); !res)
      return res;
    // Rewrite the files holding the key so the material leaves the disk.
    rocksdb::CompactRangeOptions copts;
    copts.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
    Slice begin{k};
    Slice end{k};
    auto st = db_->CompactRange(copts, &begin, &end);
    if (!st.ok())
      return storage_error("cannot compact erased key " + id, st);
    return unit{};
  }

private:
  /// How far behind the end of the log a read must start to be a long scan
  /// (readahead, blocks kept out of the cache).
  static constexpr uint64_t long_scan_events = 16384;

  /// A new iterator; `upper`, when given, must outlive it.
  std::unique_ptr<rocksdb::Iterator> iterator(const Slice* upper,
                                              bool long_scan = false) const {
    rocksdb::ReadOptions ro;
    ro.iterate_upper_bound = upper;
    if (long_scan) {
      ro.readahead_size = 2 << 20;
      ro.fill_cache = false; // a scan of the log would evict every hot block
    }
    return std::unique_ptr<rocksdb::Iterator>{db_->NewIterator(ro)};
  }

  static void decode(const Slice& value, record& r) {
    if (!keys::decode_record({value.data(), value.size()}, r))
      r.checksum_ok = false;
  }

  uint64_t version_of(const std::string& stream) const {
    {
      std::shared_lock guard{cache_mtx_};
      if (auto i = versions_.find(stream); i != versions_.end())
        return i->second;
    }
    if (versions_complete_ || !valid_stream_name(stream))
      return 0;
    uint64_t version = 0;
    auto it = iterator(nullptr);
    auto prefix = keys::stream_index_prefix(stream);
    it->SeekForPrev(keys::prefix_end(prefix));
    if (it->Valid() && starts_with(it->key(), prefix)
        && it->key().size() == prefix.size() + 8)
      version = keys::be64(it->key().data() + prefix.size());
    if (!it->status().ok())
      return version;
    std::unique_lock guard{cache_mtx_};
    return versions_.emplace(stream, version).first->second;
  }

  /// Adds a projection's rows and checkpoint to a batch.
  static void add_rows(rocksdb::WriteBatch& batch, const std::string& projection,
                       uint64_t checkpoint, const std::vector<row>& rows) {
    auto key = keys::row_key_prefix(projection);
    auto prefix_size = key.size();
    for (const auto& [k, v] : rows) {
      key.resize(prefix_size);
      key.append(k);
      batch.Put(key, v);
    }
    std::string value;
    keys::put_be64(value, checkpoint);
    batch.Put(keys::checkpoint_key(projection), value);
  }

  /// Writes projection rows: they are rebuilt from the log, so they need no
  /// sync of their own; rows and checkpoints land together or not at all.
  result<unit> write_projections(rocksdb::WriteBatch& batch, const std::string& what) {
    return write(batch, what, rocksdb::WriteOptions{});
  }

  std::optional<error> refuse_read_only() const {
    if (opts_.read_only)
      return error{ec::storage_failed, "the event store is open read-only"};
    return std::nullopt;
  }

  result<unit> write(rocksdb::WriteBatch& batch, const std::string& what) {
    return write(batch, what, write_opts_);
  }

  result<unit> write(rocksdb::WriteBatch& batch, const std::string& what,
                     const rocksdb::WriteOptions& wo) {
    auto st = db_->Write(wo, &batch);
    if (!st.ok())
      return storage_error(what, st);
    return unit{};
  }

  std::unique_ptr<rocksdb::DB> db_;
  rocksdb_options opts_;
  rocksdb::WriteOptions write_opts_;
  const std::string log_end_ = std::string(1, keys::log_prefix + 1);
  const Slice log_upper_{log_end_};
  std::atomic<uint64_t> last_seq_{0};
  std::mutex write_mtx_;                                  ///< Serializes appends.
  mutable std::shared_mutex cache_mtx_;                   ///< Guards versions_.
  mutable std::unordered_map<std::string, uint64_t> versions_;
  bool versions_complete_ = false; ///< Set once by load(): versions_ holds every stream.
};

} // namespace

result<std::unique_ptr<event_store>> open_rocksdb_store(const std::string& path,
                                                        rocksdb_options opts) {
  rocksdb::Options options;
  options.create_if_missing = !opts.read_only;
  options.keep_log_file_num = 5;
  if (!opts.read_only) {
    std::error_code err;
    std::filesystem::create_directories(path, err);
    if (err)
      return error{ec::storage_failed,
                   "cannot create data folder " + path + ": " + err.message()};
  }
  rocksdb::DB* raw = nullptr;
  auto st = opts.read_only ? rocksdb::DB::OpenForReadOnly(options, path, &raw)
                           : rocksdb::DB::Open(options, path, &raw);
  if (!st.ok())
    return storage_error("cannot open event store in " + path, st);
  std::unique_ptr<rocksdb::DB> db{raw};
  auto write_layout = [&]() -> result<unit> {
    std::string value;
    keys::put_be32(value, storage_layout_version);
    rocksdb::WriteOptions wo;
    wo.sync = true;
    if (auto put = db->Put(wo, keys::layout_key(), value); !put.ok())
      return storage_error("cannot write the storage layout version", put);
    return unit{};
  };
  std::string layout;
  st = db->Get({}, keys::layout_key(), &layout);
  if (st.IsNotFound()) {
    if (!opts.read_only)
      if (auto res = write_layout(); !res)
        return res.err();
  } else if (!st.ok()) {
    return storage_error("cannot read the storage layout version", st);
  } else if (layout.size() != 4) {
    return error{ec::storage_failed, "data folder " + path
                                       + " has a malformed storage layout version"};
  } else if (auto found = keys::be32(layout.data()); found > storage_layout_version) {
    return error{ec::layout_too_new,
                 "data folder " + path + " uses storage layout "
                   + std::to_string(found) + ", this pincer supports up to "
                   + std::to_string(storage_layout_version) + "; upgrade pincer"};
  } else if (found < storage_layout_version && !opts.read_only) {
    // Older layouts differ only in their records' checksum, which every
    // record names itself: new records simply use the current one.
    if (auto res = write_layout(); !res)
      return res.err();
  }
  auto store = std::make_unique<rocksdb_store>(std::move(db), opts);
  if (auto res = store->load(); !res)
    return res.err();
  return std::unique_ptr<event_store>{std::move(store)};
}

} // namespace pincer

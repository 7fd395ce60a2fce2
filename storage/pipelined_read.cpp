#include "storage/pipelined_read.hpp"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

namespace pincer {

namespace {

constexpr size_t batch_records = 256;
constexpr size_t max_full_batches = 8;

/// Records handed over at once. Slots past `size` keep their buffers, so a
/// recycled batch assigns into strings that already have the capacity.
struct batch {
  std::vector<record> records;
  size_t size = 0;

  void add(const record& r) {
    if (size < records.size())
      records[size] = r;
    else
      records.push_back(r);
    ++size;
  }
};

/// The hand-over between the reading thread and the visiting one.
class handoff {
public:
  /// Reader: queues a full batch and returns an empty one; false when the
  /// visitor has stopped.
  bool put(batch& b) {
    std::unique_lock<std::mutex> lock{mutex_};
    changed_.wait(lock, [&] { return full_.size() < max_full_batches || cancelled_; });
    if (cancelled_)
      return false;
    full_.push_back(std::move(b));
    b = take_spare();
    lock.unlock();
    changed_.notify_all();
    return true;
  }

  /// Reader: no more batches.
  void finish() {
    {
      std::lock_guard<std::mutex> lock{mutex_};
      finished_ = true;
    }
    changed_.notify_all();
  }

  /// Visitor: the next batch; false when the reader has finished and every
  /// batch has been taken.
  bool get(batch& out) {
    std::unique_lock<std::mutex> lock{mutex_};
    changed_.wait(lock, [&] { return !full_.empty() || finished_; });
    if (full_.empty())
      return false;
    out = std::move(full_.front());
    full_.pop_front();
    lock.unlock();
    changed_.notify_all();
    return true;
  }

  /// Visitor: gives a visited batch back for reuse.
  void recycle(batch b) {
    b.size = 0;
    std::lock_guard<std::mutex> lock{mutex_};
    spare_.push_back(std::move(b));
  }

  /// Visitor: stops the reader at its next hand-over.
  void cancel() {
    {
      std::lock_guard<std::mutex> lock{mutex_};
      cancelled_ = true;
    }
    changed_.notify_all();
  }

private:
  batch take_spare() {
    if (spare_.empty())
      return {};
    auto b = std::move(spare_.back());
    spare_.pop_back();
    return b;
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<batch> full_;
  std::vector<batch> spare_;
  bool finished_ = false;
  bool cancelled_ = false;
};

/// Stops and joins the reading thread however the visiting loop ends.
struct reader_guard {
  handoff& channel;
  std::thread& thread;

  ~reader_guard() {
    channel.cancel();
    if (thread.joinable())
      thread.join();
  }
};

} // namespace

result<unit> read_all_pipelined(const event_store& store, uint64_t after,
                                const record_visitor& visit) {
  handoff channel;
  result<unit> read = unit{};
  std::thread reader{[&] {
    batch current;
    current.records.reserve(batch_records);
    read = store.read_all(after, [&](const record& r) {
      current.add(r);
      return current.size < batch_records || channel.put(current);
    });
    if (current.size > 0)
      channel.put(current);
    channel.finish();
  }};
  {
    reader_guard guard{channel, reader};
    batch b;
    bool more = true;
    while (more && channel.get(b)) {
      for (size_t i = 0; i < b.size && more; ++i)
        more = visit(b.records[i]);
      channel.recycle(std::move(b));
    }
  }
  return read;
}

} // namespace pincer

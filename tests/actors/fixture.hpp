#pragma once

#include <memory>

#include <boost/test/unit_test.hpp>
#include <caf/all.hpp>

#include "actors/interfaces.hpp"
#include "storage/event_store.hpp"

namespace pincer::test {

/// Counts `append` calls (batches) on top of a memory store.
class counting_store : public event_store {
public:
  counting_store() : inner_(make_memory_store()) {
  }

  size_t appends = 0;
  size_t appended_requests = 0;

  std::vector<result<std::vector<record>>>
  append(const std::vector<append_request>& reqs) override {
    ++appends;
    appended_requests += reqs.size();
    return inner_->append(reqs);
  }
  uint64_t last_seq() const override {
    return inner_->last_seq();
  }
  uint64_t stream_version(const std::string& s) const override {
    return inner_->stream_version(s);
  }
  result<unit> read_stream(const std::string& s, uint64_t after,
                           const record_visitor& f) const override {
    return inner_->read_stream(s, after, f);
  }
  result<unit> read_all(uint64_t after, const record_visitor& f) const override {
    return inner_->read_all(after, f);
  }
  std::vector<std::pair<std::string, uint64_t>> streams(const std::string& p) const override {
    return inner_->streams(p);
  }
  uint64_t checkpoint(const std::string& p) const override {
    return inner_->checkpoint(p);
  }
  result<unit> commit_projection(const std::string& p, uint64_t c,
                                 const std::vector<row>& rows) override {
    return inner_->commit_projection(p, c, rows);
  }
  result<unit> commit_projections(const std::vector<projection_commit>& commits) override {
    return inner_->commit_projections(commits);
  }
  result<unit> scan_projection(const std::string& p, const std::string& start, bool reverse,
                               const row_visitor& f) const override {
    return inner_->scan_projection(p, start, reverse, f);
  }
  result<unit> clear_projection(const std::string& p) override {
    return inner_->clear_projection(p);
  }
  result<unit> put_key(const std::string& id, const std::string& m) override {
    return inner_->put_key(id, m);
  }
  std::optional<std::string> key(const std::string& id) const override {
    return inner_->key(id);
  }
  result<unit> erase_key(const std::string& id) override {
    return inner_->erase_key(id);
  }

private:
  std::unique_ptr<event_store> inner_;
};

/// An actor system on CAF's deterministic test scheduler: nothing runs until
/// the test calls `run()`.
struct deterministic_fixture {
  static caf::actor_system_config& configure(caf::actor_system_config& cfg) {
    cfg.set("scheduler.policy", caf::atom("testing"));
    cfg.set("logger.file-verbosity", caf::atom("quiet"));
    return cfg;
  }

  deterministic_fixture()
    : sys(configure(cfg)),
      sched(dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler())),
      self(sys, true) {
  }

  ~deterministic_fixture() {
    for (auto& a : tracked)
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    run();
  }

  /// Remembers an actor so the fixture stops it at the end of the test.
  template <class Handle>
  Handle track(Handle h) {
    tracked.push_back(caf::actor_cast<caf::actor>(h));
    return h;
  }

  /// Runs every actor until all mailboxes are empty.
  size_t run() {
    return sched.run();
  }

  /// Sends a request, runs the system, and returns the reply or error.
  template <class Reply, class Handle, class... Ts>
  caf::expected<Reply> ask(const Handle& target, Ts&&... xs) {
    auto handle = self->request(target, caf::infinite, std::forward<Ts>(xs)...);
    run();
    caf::expected<Reply> out{caf::sec::unexpected_message};
    handle.receive([&](Reply& r) { out = std::move(r); },
                   [&](caf::error& e) { out = std::move(e); });
    return out;
  }

  caf::actor_system_config cfg;
  caf::actor_system sys;
  caf::scheduler::test_coordinator& sched;
  caf::scoped_actor self;
  std::vector<caf::actor> tracked;
};

} // namespace pincer::test

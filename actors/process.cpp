#include "actors/process.hpp"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <deque>
#include <future>
#include <thread>
#include <unordered_map>

#include <sys/wait.h>
#include <unistd.h>

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <asio/steady_timer.hpp>
#include <asio/write.hpp>

#include "actors/process_spawn.hpp"

namespace pincer {

namespace {

using steady = std::chrono::steady_clock;

/// Bytes read per stdout / stderr read.
constexpr size_t read_chunk = 64 * 1024;

/// How long output may keep flowing after the child exited (from grandchildren
/// that still hold the pipes) before the result is delivered anyway.
constexpr auto drain_window = std::chrono::milliseconds{500};

/// Poll period when the kernel offers no pidfd.
constexpr auto poll_period = std::chrono::milliseconds{20};

/// Appends to a tail buffer that holds at most about twice `cap` bytes.
void append_tail(std::string& buf, std::string_view chunk, size_t cap, bool& truncated) {
  buf.append(chunk.data(), chunk.size());
  if (buf.size() > cap && buf.size() - cap > cap) {
    buf.erase(0, buf.size() - cap);
    truncated = true;
  }
}

/// Cuts a tail buffer to exactly `cap` bytes.
void trim_tail(std::string& buf, size_t cap, bool& truncated) {
  if (buf.size() > cap) {
    buf.erase(0, buf.size() - cap);
    truncated = true;
  }
}

int decode_status(int status) {
  if (WIFEXITED(status))
    return WEXITSTATUS(status);
  if (WIFSIGNALED(status))
    return 128 + WTERMSIG(status);
  return -1;
}

/// One running child and its asio objects; lives on the runner's thread.
struct child {
  explicit child(asio::io_context& io)
    : in(io), out(io), err(io), pidfd(io), deadline(io), kill_timer(io), drain(io),
      out_buf(read_chunk), err_buf(read_chunk) {
  }

  uint64_t id = 0;
  pid_t pid = -1;
  size_t cap = 0;
  std::function<void(std::string_view)> on_stdout;
  std::function<void(process_result)> done;
  asio::posix::stream_descriptor in, out, err, pidfd;
  asio::steady_timer deadline, kill_timer, drain;
  std::vector<char> out_buf, err_buf;
  std::deque<std::string> pending;
  bool writing = false;
  bool close_requested = false;
  bool exited = false;
  bool out_open = true;
  bool err_open = true;
  bool finished = false;
  process_result res;
  steady::time_point started;
};

using child_ptr = std::shared_ptr<child>;

template <class Closable>
void close_quietly(Closable& x) {
  std::error_code ignored;
  x.close(ignored);
}

} // namespace

// -- the runner's state, touched only on its thread ---------------------------

struct process_runner::impl {
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> guard{io.get_executor()};
  std::unordered_map<uint64_t, child_ptr> children;
  std::atomic<uint64_t> next_id{1};
  std::atomic<size_t> live{0};
  std::thread thread;

  void launch(uint64_t id, process_spec spec, std::function<void(process_result)> done) {
    auto c = std::make_shared<child>(io);
    c->id = id;
    c->cap = spec.output_cap;
    c->on_stdout = std::move(spec.on_stdout);
    c->done = std::move(done);
    c->started = steady::now();
    std::string why;
    if (!spawn(*c, spec, why)) {
      c->res.spawn_failed = true;
      c->res.err = std::move(why);
      c->out_open = c->err_open = false;
      finish(c);
      return;
    }
    children.emplace(id, c);
    read(c, true);
    read(c, false);
    watch_exit(c);
    if (spec.timeout.count() > 0) {
      c->deadline.expires_after(spec.timeout);
      c->deadline.async_wait([this, c](std::error_code ec) {
        if (ec || c->finished || c->exited)
          return;
        c->res.timed_out = true;
        signal_group(*c, SIGKILL);
      });
    }
    c->close_requested = spec.close_stdin;
    if (!spec.stdin_data.empty())
      c->pending.push_back(std::move(spec.stdin_data));
    pump(c);
  }

  static bool spawn(child& c, const process_spec& spec, std::string& why) {
    auto started = spawn_child(spec.argv, spec.env, why);
    if (!started)
      return false;
    c.pid = started->pid;
    c.in.assign(started->stdin_fd);
    c.out.assign(started->stdout_fd);
    c.err.assign(started->stderr_fd);
    if (started->pidfd >= 0)
      c.pidfd.assign(started->pidfd);
    return true;
  }

  static void signal_group(child& c, int sig) {
    if (c.exited || c.pid <= 0)
      return;
    if (::kill(-c.pid, sig) != 0)
      ::kill(c.pid, sig);
  }

  void read(const child_ptr& c, bool is_out) {
    auto& desc = is_out ? c->out : c->err;
    auto& buf = is_out ? c->out_buf : c->err_buf;
    desc.async_read_some(asio::buffer(buf), [this, c, is_out](std::error_code ec, size_t n) {
      if (c->finished)
        return;
      if (n > 0) {
        std::string_view chunk{(is_out ? c->out_buf : c->err_buf).data(), n};
        append_tail(is_out ? c->res.out : c->res.err, chunk, c->cap, c->res.truncated);
        if (is_out && c->on_stdout) {
          try {
            c->on_stdout(chunk);
          } catch (...) {
            // A throwing observer must not stop the runner.
          }
        }
      }
      if (ec) {
        close_quietly(is_out ? c->out : c->err);
        (is_out ? c->out_open : c->err_open) = false;
        maybe_finish(c);
        return;
      }
      read(c, is_out);
    });
  }

  void pump(const child_ptr& c) {
    if (c->writing || c->finished || !c->in.is_open())
      return;
    if (c->pending.empty()) {
      if (c->close_requested)
        close_quietly(c->in);
      return;
    }
    c->writing = true;
    asio::async_write(c->in, asio::buffer(c->pending.front()),
                      [this, c](std::error_code ec, size_t) {
                        c->writing = false;
                        if (c->finished)
                          return;
                        if (ec) {
                          c->pending.clear();
                          close_quietly(c->in);
                          return;
                        }
                        c->pending.pop_front();
                        pump(c);
                      });
  }

  void watch_exit(const child_ptr& c) {
    if (c->pidfd.is_open()) {
      c->pidfd.async_wait(asio::posix::descriptor_base::wait_read,
                          [this, c](std::error_code ec) {
                            if (!ec && !c->finished)
                              reap(c);
                          });
      return;
    }
    c->drain.expires_after(poll_period);
    c->drain.async_wait([this, c](std::error_code ec) {
      if (!ec && !c->finished && !c->exited)
        reap(c);
    });
  }

  void reap(const child_ptr& c) {
    int status = 0;
    pid_t r = ::waitpid(c->pid, &status, WNOHANG);
    if (r == 0) {
      watch_exit(c);
      return;
    }
    if (r == c->pid)
      c->res.exit_code = decode_status(status);
    c->exited = true;
    close_quietly(c->pidfd);
    c->deadline.cancel();
    c->kill_timer.cancel();
    c->pending.clear();
    close_quietly(c->in);
    if (c->out_open || c->err_open) {
      c->drain.expires_after(drain_window);
      c->drain.async_wait([this, c](std::error_code ec) {
        if (!ec)
          finish(c);
      });
    }
    maybe_finish(c);
  }

  void maybe_finish(const child_ptr& c) {
    if (c->exited && !c->out_open && !c->err_open)
      finish(c);
  }

  /// Marks a child finished, stops its timers and closes its descriptors.
  void release(child& c) {
    c.finished = true;
    c.deadline.cancel();
    c.kill_timer.cancel();
    c.drain.cancel();
    for (auto* d : {&c.in, &c.out, &c.err, &c.pidfd})
      close_quietly(*d);
  }

  void finish(const child_ptr& c) {
    if (c->finished)
      return;
    release(*c);
    trim_tail(c->res.out, c->cap, c->res.truncated);
    trim_tail(c->res.err, c->cap, c->res.truncated);
    c->res.duration_ms
      = std::chrono::duration_cast<std::chrono::milliseconds>(steady::now() - c->started).count();
    children.erase(c->id);
    --live;
    auto done = std::move(c->done);
    if (done) {
      try {
        done(std::move(c->res));
      } catch (...) {
        // A throwing callback must not stop the runner.
      }
    }
  }

  void stop(uint64_t id, std::chrono::milliseconds grace) {
    auto i = children.find(id);
    if (i == children.end() || i->second->exited)
      return;
    auto c = i->second;
    if (grace.count() <= 0) {
      signal_group(*c, SIGKILL);
      return;
    }
    signal_group(*c, SIGTERM);
    c->kill_timer.expires_after(grace);
    c->kill_timer.async_wait([c](std::error_code ec) {
      if (!ec && !c->finished)
        signal_group(*c, SIGKILL);
    });
  }

  /// Kills and reaps every child, then lets the io_context run dry.
  void shutdown() {
    for (auto& [id, c] : children) {
      if (!c->exited && c->pid > 0) {
        signal_group(*c, SIGKILL);
        int status = 0;
        ::waitpid(c->pid, &status, 0);
        c->exited = true;
      }
      release(*c);
    }
    live -= children.size();
    children.clear();
    guard.reset();
  }
};

// -- public interface ---------------------------------------------------------

process_runner::process_runner() : impl_(std::make_shared<impl>()) {
  impl_->thread = std::thread([state = impl_.get()] {
    // Writes to a closed stdin pipe must fail with EPIPE, not kill the server;
    // children get an empty mask back through posix_spawn.
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &block, nullptr);
    for (;;) {
      try {
        state->io.run();
        return;
      } catch (...) {
        // Keep serving the other children.
      }
    }
  });
}

process_runner::~process_runner() {
  asio::post(impl_->io, [state = impl_.get()] { state->shutdown(); });
  if (impl_->thread.joinable())
    impl_->thread.join();
}

uint64_t process_runner::start(process_spec spec, std::function<void(process_result)> done) {
  auto id = impl_->next_id++;
  ++impl_->live;
  asio::post(impl_->io, [state = impl_.get(), id, spec = std::move(spec),
                         done = std::move(done)]() mutable {
    state->launch(id, std::move(spec), std::move(done));
  });
  return id;
}

void process_runner::write_stdin(uint64_t id, std::string data) {
  asio::post(impl_->io, [state = impl_.get(), id, data = std::move(data)]() mutable {
    auto i = state->children.find(id);
    if (i == state->children.end() || i->second->close_requested || data.empty())
      return;
    i->second->pending.push_back(std::move(data));
    state->pump(i->second);
  });
}

void process_runner::close_stdin(uint64_t id) {
  asio::post(impl_->io, [state = impl_.get(), id] {
    auto i = state->children.find(id);
    if (i == state->children.end())
      return;
    i->second->close_requested = true;
    state->pump(i->second);
  });
}

void process_runner::stop(uint64_t id, std::chrono::milliseconds grace) {
  asio::post(impl_->io, [state = impl_.get(), id, grace] { state->stop(id, grace); });
}

size_t process_runner::running() const {
  return impl_->live.load();
}

process_result run_sync(process_runner& runner, process_spec spec) {
  std::promise<process_result> promise;
  auto future = promise.get_future();
  runner.start(std::move(spec), [&promise](process_result r) { promise.set_value(std::move(r)); });
  return future.get();
}

} // namespace pincer

#include "actors/launcher.hpp"

#include <atomic>
#include <map>
#include <mutex>

namespace pincer {

namespace {

/// How long the runtime's stop command may take, and the grace the CLI gets
/// after it before it is killed.
constexpr std::chrono::seconds stop_timeout{20};
constexpr std::chrono::seconds cli_grace{5};

class cli_launcher : public container_launcher {
public:
  explicit cli_launcher(std::shared_ptr<process_runner> runner) : runner_(std::move(runner)) {
  }

  uint64_t launch(launch_spec spec, std::function<void(std::string_view)> on_stdout,
                  std::function<void(process_result)> done) override {
    process_spec p;
    p.argv = std::move(spec.argv);
    p.stdin_data = std::move(spec.stdin_data);
    p.timeout = std::chrono::milliseconds{0};
    p.on_stdout = std::move(on_stdout);
    auto run_id = std::make_shared<uint64_t>(0);
    std::lock_guard<std::mutex> guard{book_->mutex};
    auto id = runner_->start(std::move(p), [book = book_, run_id, done = std::move(done)](
                                             process_result r) {
      {
        std::lock_guard<std::mutex> guard{book->mutex};
        book->stops.erase(*run_id);
      }
      done(std::move(r));
    });
    *run_id = id;
    book_->stops.emplace(id, std::move(spec.stop_argv));
    return id;
  }

  void stop(uint64_t id) override {
    std::vector<std::string> argv;
    {
      std::lock_guard<std::mutex> guard{book_->mutex};
      auto i = book_->stops.find(id);
      if (i == book_->stops.end())
        return;
      argv = std::move(i->second);
      book_->stops.erase(i);
    }
    process_spec p;
    p.argv = std::move(argv);
    p.timeout = stop_timeout;
    runner_->start(std::move(p), [runner = runner_, id](process_result) {
      runner->stop(id, cli_grace);
    });
  }

private:
  /// The stop command of every live run; shared with the runner's callbacks.
  struct book {
    std::mutex mutex;
    std::map<uint64_t, std::vector<std::string>> stops;
  };

  std::shared_ptr<process_runner> runner_;
  std::shared_ptr<book> book_ = std::make_shared<book>();
};

class instant_launcher : public container_launcher {
public:
  uint64_t launch(launch_spec, std::function<void(std::string_view)> on_stdout,
                  std::function<void(process_result)> done) override {
    on_stdout("---PINCER_OUTPUT_START---\n{\"status\":\"success\",\"result\":\"done\"}\n"
              "---PINCER_OUTPUT_END---\n");
    process_result r;
    r.exit_code = 0;
    done(std::move(r));
    return ++next_;
  }

  void stop(uint64_t) override {
  }

private:
  std::atomic<uint64_t> next_{0};
};

} // namespace

std::shared_ptr<container_launcher> make_cli_launcher(std::shared_ptr<process_runner> runner) {
  return std::make_shared<cli_launcher>(std::move(runner));
}

std::shared_ptr<container_launcher> make_instant_launcher() {
  return std::make_shared<instant_launcher>();
}

} // namespace pincer

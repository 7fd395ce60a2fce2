#include "actors/ipc_watcher.hpp"

#include <algorithm>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "actors/ipc_files.hpp"
#include "tests/support/temp_dir.hpp"

using namespace pincer;
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

namespace {

/// Records the watcher's reports with the time each arrived.
struct reports {
  std::mutex mtx;
  std::condition_variable cv;
  std::vector<std::pair<std::string, clock_type::time_point>> seen;

  void add(const std::string& group) {
    {
      std::lock_guard guard{mtx};
      seen.emplace_back(group, clock_type::now());
    }
    cv.notify_all();
  }

  /// Waits for a report of `group` after index `from`; its arrival time.
  std::optional<clock_type::time_point> wait_for(const std::string& group, size_t from,
                                                 std::chrono::milliseconds limit = 3000ms) {
    std::unique_lock guard{mtx};
    std::optional<clock_type::time_point> at;
    cv.wait_for(guard, limit, [&] {
      for (auto i = from; i < seen.size(); ++i)
        if (seen[i].first == group) {
          at = seen[i].second;
          return true;
        }
      return false;
    });
    return at;
  }

  size_t size() {
    std::lock_guard guard{mtx};
    return seen.size();
  }

  size_t count(const std::string& group) {
    std::lock_guard guard{mtx};
    return std::count_if(seen.begin(), seen.end(), [&](auto& x) { return x.first == group; });
  }
};

struct watcher_fixture {
  test::temp_dir tmp;
  fs::path root = tmp.at("ipc");
  reports got;
  ipc_watcher watcher{root, [this](const std::string& g) { got.add(g); }};

  /// Writes `<dir>/<name>.json.tmp` and renames it to `<name>.json`; the
  /// time just before the rename.
  clock_type::time_point drop(const fs::path& dir, const std::string& name) {
    auto tmp_file = dir / (name + ".json.tmp");
    {
      std::ofstream out{tmp_file};
      out << R"({"type":"message","chatJid":"tg:1","text":"hi"})";
    }
    auto at = clock_type::now();
    fs::rename(tmp_file, dir / (name + ".json"));
    return at;
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(actors_ipc_watcher, watcher_fixture)

BOOST_AUTO_TEST_CASE(a_file_renamed_into_messages_is_reported_within_milliseconds) {
  BOOST_REQUIRE(ensure_ipc_dirs(root, "team"));
  BOOST_REQUIRE(watcher.start());
#ifdef __linux__
  BOOST_TEST(watcher.uses_inotify());
#endif
  auto before = got.size();
  auto sent = drop(root / "team" / "messages", "1");
  auto at = got.wait_for("team", before);
  BOOST_REQUIRE(at);
  auto ms = std::chrono::duration<double, std::milli>(*at - sent).count();
  BOOST_TEST_MESSAGE("reported after " << ms << " ms");
#ifdef __linux__
  BOOST_TEST(ms < 100.0); // a 250 ms poll would average 125 ms
#endif
  before = got.size();
  drop(root / "team" / "tasks", "2");
  BOOST_TEST(got.wait_for("team", before).has_value());
}

BOOST_AUTO_TEST_CASE(a_temp_file_alone_is_not_reported_and_errors_never_are) {
  BOOST_REQUIRE(ensure_ipc_dirs(root, "team"));
  BOOST_REQUIRE(watcher.start());
  std::this_thread::sleep_for(50ms);
  auto before = got.size();
  std::ofstream{root / "team" / "messages" / "1.json.tmp"} << "{}";
  std::ofstream{root / "team" / "messages" / "2.tmp"} << "{}";
  fs::create_directories(root / "errors" / "messages");
  std::ofstream{root / "errors" / "team-1.json"} << "{}";
  std::ofstream{root / "errors" / "messages" / "1.json"} << "{}";
  std::this_thread::sleep_for(400ms);
  BOOST_TEST(got.size() == before);
  fs::rename(root / "team" / "messages" / "1.json.tmp", root / "team" / "messages" / "1.json");
  BOOST_TEST(got.wait_for("team", before).has_value());
  BOOST_TEST(got.count("errors") == 0u);
}

BOOST_AUTO_TEST_CASE(groups_with_pending_files_are_reported_at_start) {
  BOOST_REQUIRE(ensure_ipc_dirs(root, "early"));
  BOOST_REQUIRE(ensure_ipc_dirs(root, "quiet"));
  drop(root / "early" / "tasks", "1");
  BOOST_REQUIRE(watcher.start());
  BOOST_TEST(got.wait_for("early", 0).has_value());
  std::this_thread::sleep_for(100ms);
  BOOST_TEST(got.count("quiet") == 0u);
}

BOOST_AUTO_TEST_CASE(group_folders_created_after_start_are_watched) {
  BOOST_REQUIRE(watcher.start());
  // Folders made one after the other, as ensure_ipc_dirs does.
  fs::create_directory(root / "late");
  fs::create_directory(root / "late" / "messages");
  auto before = got.size();
  drop(root / "late" / "messages", "1");
  BOOST_TEST(got.wait_for("late", before).has_value());
  // A whole group folder with a pending file moved in at once.
  fs::create_directories(tmp.at("staged") / "moved" / "tasks");
  drop(tmp.at("staged") / "moved" / "tasks", "1");
  before = got.size();
  fs::rename(tmp.at("staged") / "moved", root / "moved");
  BOOST_TEST(got.wait_for("moved", before).has_value());
  // And a box created later in that folder.
  fs::create_directory(root / "moved" / "messages");
  before = got.size();
  drop(root / "moved" / "messages", "2");
  BOOST_TEST(got.wait_for("moved", before).has_value());
}

BOOST_AUTO_TEST_CASE(a_box_deleted_and_made_again_is_watched_again) {
  BOOST_REQUIRE(ensure_ipc_dirs(root, "team"));
  BOOST_REQUIRE(watcher.start());
  fs::remove_all(root / "team" / "messages");
  std::this_thread::sleep_for(20ms);
  fs::create_directory(root / "team" / "messages");
  auto before = got.size();
  drop(root / "team" / "messages", "1");
  BOOST_TEST(got.wait_for("team", before).has_value());
}

BOOST_AUTO_TEST_CASE(the_polling_fallback_reports_pending_groups_and_stops_promptly) {
  BOOST_REQUIRE(ensure_ipc_dirs(root, "team"));
  ipc_watcher poller{root, [this](const std::string& g) { got.add(g); }, 250ms, false};
  BOOST_REQUIRE(poller.start());
  BOOST_TEST(!poller.uses_inotify());
  std::this_thread::sleep_for(20ms);
  BOOST_TEST(got.count("team") == 0u);
  auto before = got.size();
  drop(root / "team" / "messages", "1");
  auto at = got.wait_for("team", before);
  BOOST_REQUIRE(at);
  std::ofstream{root / "errors" / "team-1.json"} << "{}";
  std::this_thread::sleep_for(300ms);
  BOOST_TEST(got.count("errors") == 0u);
  auto t0 = clock_type::now();
  poller.stop();
  BOOST_TEST((std::chrono::duration<double, std::milli>(clock_type::now() - t0).count() < 100.0));
}

BOOST_AUTO_TEST_CASE(stop_returns_promptly_and_is_idempotent) {
  BOOST_REQUIRE(ensure_ipc_dirs(root, "team"));
  BOOST_REQUIRE(watcher.start());
  BOOST_TEST(watcher.running());
  BOOST_TEST(!watcher.start()); // already running
  std::this_thread::sleep_for(50ms);
  auto t0 = clock_type::now();
  watcher.stop();
  auto ms = std::chrono::duration<double, std::milli>(clock_type::now() - t0).count();
  BOOST_TEST(ms < 100.0);
  BOOST_TEST(!watcher.running());
  watcher.stop();
  auto before = got.size();
  drop(root / "team" / "messages", "1");
  std::this_thread::sleep_for(100ms);
  BOOST_TEST(got.size() == before); // nothing after stop
  BOOST_REQUIRE(watcher.start());   // and it can start again
  BOOST_TEST(got.wait_for("team", before).has_value());
}

BOOST_AUTO_TEST_SUITE_END()

// The folder work a namespace create implies, alone: the workspace actor's
// `materialize` (the namespace's folder and its empty CLAUDE.md) called for
// N new namespaces on one thread. It is the floor under the POST benchmark,
// measured on the same disk in the same run.

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>

#include <unistd.h>

#include "actors/workspace.hpp"
#include "bench/bench.hpp"
#include "events/namespace_events.hpp"

namespace pincer::bench {

int folders_main(int argc, char** argv) {
  namespace fs = std::filesystem;
  size_t count = 20000;
  std::string base;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--count") == 0)
      count = std::strtoull(argv[i + 1], nullptr, 10);
    else if (std::strcmp(argv[i], "--dir") == 0)
      base = argv[i + 1];
    else {
      std::cerr << "folders: unknown option " << argv[i] << '\n';
      return 2;
    }
  }
  if (count == 0) {
    std::cerr << "folders: --count must be at least 1\n";
    return 2;
  }
  auto dir = (base.empty() ? fs::temp_directory_path() : fs::path{base})
             / ("pincer-folders-" + std::to_string(::getpid()));
  record r;
  r.type = event_types::namespace_created;
  auto t0 = std::chrono::steady_clock::now();
  for (size_t i = 0; i < count; ++i) {
    r.data = "{\"name\":\"bench-" + std::to_string(i) + "\"}";
    if (!materialize(r, dir.string())) {
      std::cerr << "folders: cannot make the folder of bench-" << i << '\n';
      return 1;
    }
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  bool made = fs::exists(dir / "groups" / ("bench-" + std::to_string(count - 1)) / "CLAUDE.md");
  // The folders stay, for the caller to remove with its scratch folder at
  // the end: freeing many inodes just before the POST benchmark would slow
  // its inode allocation (ext4 without a journal passes over inodes freed
  // in the last minutes).
  if (!made) {
    std::cerr << "folders: the last CLAUDE.md is missing\n";
    return 1;
  }
  std::printf("folders=%zu folders_per_s=%.0f us_per_folder=%.1f\n", count,
              static_cast<double>(count) / secs, 1e6 * secs / static_cast<double>(count));
  return 0;
}

} // namespace pincer::bench

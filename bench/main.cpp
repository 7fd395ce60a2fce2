#include <cstring>
#include <iostream>

#include "bench/bench.hpp"

namespace {

int usage() {
  std::cerr << "usage: pincer-bench bare-server [--host H] [--port P] [--body-file F]\n"
               "       pincer-bench replay [--events N] [--runs R] [--dir D]\n"
               "       pincer-bench monitoring [--events N] [--dir D]\n"
               "       pincer-bench folders [--count N] [--dir D]\n"
               "       pincer-bench container [--image TAG] [--runs N]\n"
               "       pincer-bench ipc-latency [--files N] [--dir D]\n"
               "       pincer-bench queue [--groups G] [--runs N] [--dir D]\n"
               "       pincer-bench follow-up [--image TAG] [--count N] [--dir D]\n"
               "       pincer-bench schedules fire|load|replay [--schedules N] [--seconds S] [--dir D]\n"
               "       pincer-bench channels [--messages N] [--clients C] [--webhooks M] [--dir D]\n";
  return 2;
}

} // namespace

int main(int argc, char** argv) {
  if (argc < 2)
    return usage();
  if (std::strcmp(argv[1], "bare-server") == 0)
    return pincer::bench::bare_server_main(argc - 1, argv + 1);
  if (std::strcmp(argv[1], "replay") == 0)
    return pincer::bench::replay_main(argc - 1, argv + 1);
  if (std::strcmp(argv[1], "monitoring") == 0)
    return pincer::bench::monitoring_main(argc - 1, argv + 1);
  if (std::strcmp(argv[1], "folders") == 0)
    return pincer::bench::folders_main(argc - 1, argv + 1);
  if (std::strcmp(argv[1], "container") == 0)
    return pincer::bench::container_main(argc - 1, argv + 1);
  if (std::strcmp(argv[1], "ipc-latency") == 0)
    return pincer::bench::ipc_latency_main(argc - 1, argv + 1);
  if (std::strcmp(argv[1], "queue") == 0)
    return pincer::bench::queue_main(argc - 1, argv + 1);
  if (std::strcmp(argv[1], "follow-up") == 0)
    return pincer::bench::follow_up_main(argc - 1, argv + 1);
  if (std::strcmp(argv[1], "schedules") == 0)
    return pincer::bench::schedules_main(argc - 1, argv + 1);
  if (std::strcmp(argv[1], "channels") == 0)
    return pincer::bench::channels_main(argc - 1, argv + 1);
  return usage();
}

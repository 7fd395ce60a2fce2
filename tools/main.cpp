#include "tools/cli.hpp"

int main(int argc, char** argv) {
  return pincer::run_cli(argc, argv);
}

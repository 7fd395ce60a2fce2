#!/usr/bin/env bash
# Installs what is missing on Debian 12, builds pincer, then either serves or tests.
#   scripts/setup.sh serve [pincer serve options...]   build and run the server
#   scripts/setup.sh test                              build and run every test
#   scripts/setup.sh bench                             build and run the benchmarks
set -euo pipefail
cd "$(dirname "$0")/.."

mode="${1:-}"
[ $# -gt 0 ] && shift
case "$mode" in
  serve|test|bench) ;;
  *) echo "usage: $0 serve|test|bench [options]" >&2; exit 2 ;;
esac

packages=(
  cmake ninja-build g++ pkg-config ca-certificates
  libcaf-dev librestinio-dev libasio-dev libfmt-dev nlohmann-json3-dev
  librocksdb-dev libboost-test-dev libboost1.74-dev libcurl4-openssl-dev libssl-dev zlib1g-dev
  libspdlog-dev libcli11-dev libhowardhinnant-date-dev libjemalloc-dev
  libpcre2-dev
)
[ "$mode" = bench ] && packages+=(wrk)
# Agent containers: the server runs them, the tests run them (podman + runc, no registry).
case "$mode" in serve|test) packages+=(podman runc busybox-static) ;; esac

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "installing: ${missing[*]}"
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build

# Podman on hosts with hybrid cgroups and no CAP_SYS_RESOURCE needs runc, cgroupfs and
# explicit ulimits; an operator's own CONTAINERS_CONF wins.
if [ "$mode" != bench ] && [ -z "${CONTAINERS_CONF:-}" ]; then
  scripts/podman.sh conf build/containers.conf
  export CONTAINERS_CONF="$PWD/build/containers.conf"
fi

case "$mode" in
  serve) exec build/pincer serve --data-dir ./data "$@" ;;
  test) ctest --test-dir build --output-on-failure "$@" ;;
  bench) exec bench/run.sh "$@" ;;
esac

#!/usr/bin/env bash
# Podman helpers for pincer; no registry is needed for any of them.
#   scripts/podman.sh conf <out-file>
#       write a containers.conf that works on hosts with hybrid cgroups and without
#       CAP_SYS_RESOURCE: runtime runc, cgroup manager cgroupfs, explicit ulimits
#       (nofile = the hard `ulimit -Hn`, nproc 4096). Use it with CONTAINERS_CONF=<out-file>.
#   scripts/podman.sh prepare-test-agent <build-dir> <context-dir>
#       assemble the build context of the test agent image: container/test-agent/Containerfile,
#       Debian's static busybox (/bin/busybox, or $BUSYBOX) and <build-dir>/pincer-agent.
#   scripts/podman.sh build-test-agent <build-dir> [tag]
#       assemble the context under <build-dir>/test-agent-context and build it
#       (tag default localhost/pincer-agent-test:latest).
# Every command is idempotent.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"

usage() {
  sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

# Writes stdin to $1 through a temporary file, leaving an identical file untouched.
write_if_changed() {
  local out="$1" tmp
  mkdir -p "$(dirname "$out")"
  tmp="$(mktemp "$out.XXXXXX")"
  cat >"$tmp"
  if [ -f "$out" ] && cmp -s "$tmp" "$out"; then
    rm -f "$tmp"
  else
    chmod 0644 "$tmp"
    mv -f "$tmp" "$out"
  fi
}

cmd_conf() {
  [ $# -eq 1 ] || usage
  local nofile
  nofile="$(ulimit -Hn)"
  [ "$nofile" = unlimited ] && nofile=1048576
  write_if_changed "$1" <<CONF
# containers.conf for pincer, written by scripts/podman.sh conf.
[containers]
default_ulimits = ["nofile=${nofile}:${nofile}", "nproc=4096:4096"]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
CONF
}

cmd_prepare_test_agent() {
  [ $# -eq 2 ] || usage
  local build="$1" ctx="$2" busybox="${BUSYBOX:-/bin/busybox}"
  local agent="$build/pincer-agent"
  [ -x "$agent" ] || { echo "podman.sh: $agent not found; build the pincer-agent target" >&2; exit 1; }
  [ -x "$busybox" ] || { echo "podman.sh: $busybox not found; install busybox-static" >&2; exit 1; }
  mkdir -p "$ctx/bin"
  install -m 0644 "$root/container/test-agent/Containerfile" "$ctx/Containerfile"
  install -m 0755 "$busybox" "$ctx/bin/busybox"
  install -m 0755 "$agent" "$ctx/bin/pincer-agent"
}

cmd_build_test_agent() {
  [ $# -ge 1 ] && [ $# -le 2 ] || usage
  local build="$1" tag="${2:-localhost/pincer-agent-test:latest}"
  local ctx="$build/test-agent-context"
  # Test programs running side by side build the same image: one at a time.
  exec 9>"$build/test-agent.lock"
  flock 9
  cmd_prepare_test_agent "$build" "$ctx"
  podman build -q -t "$tag" -f "$ctx/Containerfile" "$ctx"
}

[ $# -ge 1 ] || usage
command="$1"
shift
case "$command" in
  conf) cmd_conf "$@" ;;
  prepare-test-agent) cmd_prepare_test_agent "$@" ;;
  build-test-agent) cmd_build_test_agent "$@" ;;
  *) usage ;;
esac

#!/usr/bin/env bash
# Runs pincer's benchmarks and prints one table. Each benchmark is compared
# with a baseline measured in the same run, because absolute numbers on a
# small shared machine move a lot between runs.
#
#   bench/run.sh [--quick] [--duration SECS] [--events N] [--runs R] [--strict]
#
#   --quick        smoke run: 2 s per wrk run, 100k replay events, 1 round
#   --duration     seconds per wrk run (default 5)
#   --events       synthetic events for the replay benchmark (default 1000000)
#   --runs         rounds; every measurement is the median over them (default 3)
#   --strict       exit 1 when a target is missed
#
# Environment: BUILD_DIR (default build) holds pincer and pincer-bench;
# BENCH_TMP (default $TMPDIR or /tmp) holds the data folders, which must be on
# a real disk for the fsync numbers to mean anything.
set -euo pipefail
cd "$(dirname "$0")/.."

duration=5
events=1000000
runs=3
strict=0
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) duration=2; events=100000; runs=1 ;;
    --duration) duration="$2"; shift ;;
    --events) events="$2"; shift ;;
    --runs) runs="$2"; shift ;;
    --strict) strict=1 ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench/run.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

build_dir="${BUILD_DIR:-build}"
pincer="$build_dir/pincer"
bench="$build_dir/pincer-bench"
for exe in "$pincer" "$bench"; do
  [ -x "$exe" ] || { echo "bench/run.sh: $exe not found; build first (scripts/setup.sh bench)" >&2; exit 2; }
done
command -v wrk >/dev/null || { echo "bench/run.sh: wrk not found (apt-get install -y wrk)" >&2; exit 2; }
command -v curl >/dev/null || { echo "bench/run.sh: curl not found" >&2; exit 2; }

tmp="$(mktemp -d "${BENCH_TMP:-${TMPDIR:-/tmp}}/pincer-bench.XXXXXX")"
pids=()
cleanup() {
  for p in "${pids[@]}"; do
    kill -TERM "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "$*" >&2; }

# start_process NAME CMD... : starts CMD in the background, waits for its
# "listening on http://HOST:PORT" line and sets PORT and PID.
start_process() {
  local name="$1"; shift
  : >"$tmp/$name.out"
  "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
  PID=$!
  pids+=("$PID")
  local i
  for i in $(seq 1 1200); do
    if PORT="$(sed -n 's|.*listening on http://[^ ]*:\([0-9][0-9]*\).*|\1|p' "$tmp/$name.out" | head -n1)" \
       && [ -n "$PORT" ]; then
      return 0
    fi
    kill -0 "$PID" 2>/dev/null || break
    sleep 0.05
  done
  log "bench/run.sh: $name did not start:"
  cat "$tmp/$name.err" >&2
  exit 1
}

stop_process() {
  kill -TERM "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
  local kept=()
  for p in "${pids[@]}"; do [ "$p" = "$1" ] || kept+=("$p"); done
  pids=("${kept[@]+"${kept[@]}"}")
}

start_pincer() { # NAME DURABILITY -> PORT, PID
  rm -rf "$tmp/$1"
  start_process "$1" "$pincer" serve --host 127.0.0.1 --port 0 --data-dir "$tmp/$1" \
    --durability "$2" --log-level warn
}

# run_wrk SECS SCRIPT URL [ARGS...] -> prints "ok_per_s non2xx p50_us p99_us"
run_wrk() {
  local secs="$1" script="$2" url="$3"; shift 3
  local out
  out="$(wrk -t2 -c64 -d"${secs}s" -s "$script" "$url" -- "$@" 2>&1)" || {
    log "wrk failed: $out"; exit 1; }
  local line
  line="$(grep '^BENCH ' <<<"$out" || true)"
  [ -n "$line" ] || { log "wrk printed no BENCH line: $out"; exit 1; }
  awk '{
    for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    ok = v["requests"] - v["non2xx"];
    printf "%.0f %d %d %d\n", ok / (v["duration_us"] / 1e6), v["non2xx"] + v["socket_errors"],
      v["p50_us"], v["p99_us"]
  }' <<<"$line"
}

# field NAME LINE: the number after "NAME=" in LINE, matched at a word start so
# that "poll_followup_p99_ms" never passes for "followup_p99_ms".
field() { sed -n -E "s/(^|.* )$1=([0-9.]*).*/\\2/p" <<<"$2"; }
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
sum() { tr ' ' '\n' | awk '{s+=$1} END {print s+0}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}'; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN {exit !(a >= b)}'; }
human() { awk -v x="$1" 'BEGIN {
  if (x >= 1e6) printf "%.2f M", x / 1e6; else if (x >= 1e3) printf "%.1f k", x / 1e3; else printf "%d", x }'; }

log "pincer benchmarks: $runs round(s), wrk -t2 -c64 -d${duration}s, replay of $events events"
log "machine: $(nproc) cores, $(uptime | sed 's/.*load average/load average/')"
log "data folders in $tmp ($(stat -f -c %T "$tmp"))"

# -- 1. GET /api/v1/container/namespaces vs a bare RESTinio handler ------------
log ""
log "[1/5] GET /api/v1/container/namespaces: actor path vs bare RESTinio handler"
start_pincer get os
get_port=$PORT get_pid=$PID
for i in $(seq 1 10); do
  curl -sf -o /dev/null -X POST -H 'Content-Type: application/json' \
    -d "{\"name\":\"bench-ns-$i\",\"description\":\"namespace $i of the GET benchmark\"}" \
    "http://127.0.0.1:$get_port/api/v1/container/namespaces" \
    || { log "cannot create namespace bench-ns-$i"; exit 1; }
done
curl -sf -o "$tmp/list.json" "http://127.0.0.1:$get_port/api/v1/container/namespaces"
count="$(grep -o '"name"' "$tmp/list.json" | wc -l)"
[ "$count" -eq 10 ] || { log "expected 10 namespaces, the server lists $count"; exit 1; }
# The bare handler answers the very bytes pincer answers, so that both sides
# pay the same for the response size (kernel copies, wrk's parsing).
start_process bare "$bench" bare-server --host 127.0.0.1 --port 0 --body-file "$tmp/list.json"
bare_port=$PORT bare_pid=$PID
actor_url="http://127.0.0.1:$get_port/api/v1/container/namespaces"
bare_url="http://127.0.0.1:$bare_port/api/v1/container/namespaces"
run_wrk 1 bench/get.lua "$actor_url" >/dev/null   # warm-up
run_wrk 1 bench/get.lua "$bare_url" >/dev/null
get_actor="" get_bare="" get_bad=0
for r in $(seq 1 "$runs"); do
  out="$(run_wrk "$duration" bench/get.lua "$actor_url")"
  read -r a_rps a_bad a_p50 a_p99 <<<"$out"
  out="$(run_wrk "$duration" bench/get.lua "$bare_url")"
  read -r b_rps b_bad b_p50 b_p99 <<<"$out"
  log "  round $r: actor $a_rps req/s (p50 ${a_p50} us, p99 ${a_p99} us, bad $a_bad)," \
      "bare $b_rps req/s (p50 ${b_p50} us, p99 ${b_p99} us, bad $b_bad)"
  get_actor+=" $a_rps" get_bare+=" $b_rps"
  get_bad=$((get_bad + a_bad + b_bad))
done
stop_process "$get_pid"
stop_process "$bare_pid"
get_actor_med="$(median <<<"$get_actor")"
get_bare_med="$(median <<<"$get_bare")"
get_ratio="$(ratio "$get_actor_med" "$get_bare_med")"

# -- 2. POST /api/v1/container/namespaces: fsync vs os -------------------------
log ""
log "[2/5] POST /api/v1/container/namespaces (new namespace per request): fsync vs os"
post_fsync="" post_os="" post_bad=0
for r in $(seq 1 "$runs"); do
  line="  round $r:"
  for mode in fsync os; do
    # Each run keeps its data folder until the end: tens of thousands of
    # inodes freed between runs would slow the next run's folder creation
    # (ext4 without a journal passes over inodes freed in the last minutes).
    start_pincer "post-$mode-$r" "$mode"
    out="$(run_wrk "$duration" bench/post.lua "http://127.0.0.1:$PORT" "r$r$mode")"
    read -r rps bad p50 p99 <<<"$out"
    stop_process "$PID"
    line+=" $mode $rps writes/s (p50 ${p50} us, p99 ${p99} us, non-2xx $bad)"
    post_bad=$((post_bad + bad))
    if [ "$mode" = fsync ]; then post_fsync+=" $rps"; else post_os+=" $rps"; fi
  done
  log "$line"
done
post_fsync_med="$(median <<<"$post_fsync")"
post_os_med="$(median <<<"$post_os")"
post_ratio="$(ratio "$post_fsync_med" "$post_os_med")"
# Every create makes a folder and an empty CLAUDE.md: that work alone, on
# one thread and nothing else running, is a ceiling for creates per second.
folders_line="$("$bench" folders --count 20000 --dir "$tmp")"
log "  folder work alone: $folders_line"
folders_ps="$(field folders_per_s "$folders_line")"

# -- 3. audit projection replay vs raw scan ------------------------------------
log ""
log "[3/5] replay of the audit projection over $events synthetic events vs a raw read_all scan"
replay_line="$("$bench" replay --events "$events" --runs "$runs" --dir "$tmp")"
log "  $replay_line"
replay_eps="$(field replay_eps "$replay_line")"
scan_eps="$(field scan_eps "$replay_line")"
replay_ratio="$(ratio "$replay_eps" "$scan_eps")"

# -- 4. container start-to-exit: runtime layer vs podman run -------------------
log ""
log "[4/5] container start-to-exit through pincer's runtime layer vs podman run directly"
if [ -z "${CONTAINERS_CONF:-}" ]; then
  bash scripts/podman.sh conf "$tmp/containers.conf"
  export CONTAINERS_CONF="$tmp/containers.conf"
fi
container_tag="localhost/pincer-agent-bench:latest"
bash scripts/podman.sh build-test-agent "$build_dir" "$container_tag" >/dev/null
container_runs=20
[ "$duration" -le 2 ] && container_runs=5
container_line="$("$bench" container --image "$container_tag" --runs "$container_runs")"
log "  $container_line"
podman rmi -f "$container_tag" >/dev/null 2>&1 || true
direct_ms="$(field direct_ms "$container_line")"
layer_ms="$(field pincer_ms "$container_line")"
container_ratio="$(ratio "$layer_ms" "$direct_ms")"

# -- 5. IPC file noticed: inotify watcher vs NanoClaw's 1 s poll -------------
log ""
log "[5/5] IPC file renamed into messages/ -> watcher callback, vs a 1 s poll (1000 files)"
ipc_line="$("$bench" ipc-latency --files 1000 --dir "$tmp")"
log "  $ipc_line"
ipc_p50="$(field watcher_p50_ms "$ipc_line")"
ipc_p99="$(field watcher_p99_ms "$ipc_line")"
poll_p50="$(field poll1s_p50_ms "$ipc_line")"
poll_p99="$(field poll1s_p99_ms "$ipc_line")"
ipc_ratio="$(awk -v a="$ipc_p50" -v b="$poll_p50" 'BEGIN {printf "%.5f", (b > 0 ? a / b : 0)}')"

# -- 6. credential proxy: through the proxy vs the upstream directly ---------
log ""
log "[6/6] GET through the credential proxy vs the same upstream called directly"
start_process upstream "$bench" bare-server --host 127.0.0.1 --port 0
up_port=$PORT up_pid=$PID
rm -rf "$tmp/proxy"
start_process proxy "$pincer" serve --host 127.0.0.1 --port 0 --data-dir "$tmp/proxy" \
  --durability os --log-level warn --proxy-host 127.0.0.1 --proxy-port 0
proxy_api_port=$PORT proxy_pid=$PID
mapping_id="$(curl -sf -X POST -H 'Content-Type: application/json' \
  -d "{\"name\":\"bench\",\"upstreamUrl\":\"http://127.0.0.1:$up_port\",\"credentialType\":\"bearer\",\"credential\":\"bench-secret\"}" \
  "http://127.0.0.1:$proxy_api_port/api/v1/container/credential-proxy/mappings" \
  | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')"
[ -n "$mapping_id" ] || { log "cannot add the proxy mapping"; exit 1; }
proxy_port="$(curl -sf -X POST "http://127.0.0.1:$proxy_api_port/api/v1/container/credential-proxy/start" \
  | sed -n 's/.*"port":\([0-9]*\).*/\1/p')"
[ -n "$proxy_port" ] || { log "cannot start the credential proxy"; exit 1; }
direct_url="http://127.0.0.1:$up_port/v1/models"
proxied_url="http://127.0.0.1:$proxy_port/m/$mapping_id/v1/models"
run_wrk 1 bench/get.lua "$proxied_url" >/dev/null   # warm-up
run_wrk 1 bench/get.lua "$direct_url" >/dev/null
px_rps="" px_direct="" px_added="" px_bad=0
for r in $(seq 1 "$runs"); do
  out="$(run_wrk "$duration" bench/get.lua "$proxied_url")"
  read -r p_rps p_bad p_p50 p_p99 <<<"$out"
  out="$(run_wrk "$duration" bench/get.lua "$direct_url")"
  read -r d_rps d_bad d_p50 d_p99 <<<"$out"
  log "  round $r: proxied $p_rps req/s (p50 ${p_p50} us, p99 ${p_p99} us, bad $p_bad)," \
      "direct $d_rps req/s (p50 ${d_p50} us, p99 ${d_p99} us, bad $d_bad)"
  px_rps+=" $p_rps" px_direct+=" $d_rps" px_added+=" $((p_p50 - d_p50))"
  px_bad=$((px_bad + p_bad + d_bad))
done
stop_process "$proxy_pid"
stop_process "$up_pid"
px_rps_med="$(median <<<"$px_rps")"
px_direct_med="$(median <<<"$px_direct")"
px_added_med="$(median <<<"$px_added")"
px_ratio="$(ratio "$px_rps_med" "$px_direct_med")"

# -- 7. schedules: timer lateness, start-up and memory with many schedules ---
log ""
sched_secs=60
[ "$duration" -le 2 ] && sched_secs=10
log "[7/7] 10000 schedules at a 1 s interval for ${sched_secs} s into a task sink; 100000 schedules loaded"
sched_line="$("$bench" schedules fire --schedules 10000 --seconds "$sched_secs" --dir "$tmp")"
log "  $sched_line"
sched_p99="$(field p99_ms "$sched_line")"
sched_p50="$(field p50_ms "$sched_line")"
sched_fired="$(field fired "$sched_line")"
"$bench" schedules load --schedules 100000 --dir "$tmp/sched-load" >/dev/null
load_t0="$(date +%s%N)"
start_process schedload "$pincer" serve --host 127.0.0.1 --port 0 \
  --data-dir "$tmp/sched-load/data" --durability os --log-level warn
load_ms="$(( ($(date +%s%N) - load_t0) / 1000000 ))"
load_rss_mb="$(awk '/VmRSS/ {printf "%d", $2 / 1024}' "/proc/$PID/status")"
load_count="$(curl -sf "http://127.0.0.1:$PORT/api/v1/container/schedules?group=bench" | grep -o '"id"' | wc -l)"
stop_process "$PID"
rm -rf "$tmp/sched-load"
log "  start-up with 100000 schedules: ${load_ms} ms to listening, RSS ${load_rss_mb} MB, listed $load_count"

log ""
log "[queue] 100000 tasks over 1000 groups with containers that answer at once; follow-up and IPC latency with the test agent"
queue_line="$("$bench" queue --groups 1000 --runs 100000 --dir "$tmp/queue" 2>/dev/null || true)"
log "  $queue_line"
q_rps="$(field queue_rps "$queue_line")"
q_log="$(field log_rps "$queue_line")"
q_ratio="$(field ratio "$queue_line")"
export CONTAINERS_CONF="${CONTAINERS_CONF:-$build_dir/containers.conf}"
fu_line="$("$bench" follow-up --count 200 --dir "$tmp/follow-up" 2>/dev/null || true)"
log "  $fu_line"
fu_p50="$(field followup_p50_ms "$fu_line")" fu_p99="$(field followup_p99_ms "$fu_line")"
fi_p50="$(field ipc_p50_ms "$fu_line")" fi_p99="$(field ipc_p99_ms "$fu_line")"

log ""
log "[monitoring] every projection rebuilt over $events mixed events; analytics query; audit-log page"
mon_line="$("$bench" monitoring --events "$events" --dir "$tmp" 2>/dev/null || true)"
log "  $mon_line"
mon_eps="$(field rebuild_eps "$mon_line")" mon_an="$(field analytics_max_ms "$mon_line")"
mon_au50="$(field audit_p50_ms "$mon_line")" mon_au99="$(field audit_p99_ms "$mon_line")"
mon_load="$(field model_load_ms "$mon_line")"
mon_scan="$(field scan_eps "$mon_line")" mon_parse="$(field parse_eps "$mon_line")"
mon_ratio="$(field ratio "$mon_line")"
mon_read="$(field read_stage_eps "$mon_line")" mon_commit="$(field commit_stage_eps "$mon_line")"

log ""
log "[channels] POST /channels/messages into the Telegram emulator; WhatsApp webhook -> pending message"
ch_line="$("$bench" channels --messages 20000 --clients 64 --webhooks 500 --dir "$tmp" 2>/dev/null || true)"
log "  $ch_line"
ch_acc="$(field accept_rps "$ch_line")" ch_del="$(field deliver_rps "$ch_line")"
ch_direct="$(field direct_rps "$ch_line")"
ch_ratio="$(field ratio "$ch_line")" ch_n="$(field messages "$ch_line")" ch_delivered="$(field delivered "$ch_line")"
ch_in50="$(field inbound_p50_ms "$ch_line")" ch_in99="$(field inbound_p99_ms "$ch_line")"

failed=0
verdict() { if "$@"; then echo pass; else echo FAIL; fi; }
get_ok() { ge "$get_ratio" 0.5 && [ "$get_bad" -eq 0 ]; }
post_ok() { ge "$post_fsync_med" 20000 && ge "$post_ratio" 0.5 && [ "$post_bad" -eq 0 ]; }
replay_ok() { ge "$replay_eps" 1000000; }
container_ok() { ge 1.10 "$container_ratio"; }
get_v="$(verdict get_ok)"; post_v="$(verdict post_ok)"; replay_v="$(verdict replay_ok)"
container_v="$(verdict container_ok)"
[ "$get_v" = pass ] && [ "$post_v" = pass ] && [ "$replay_v" = pass ] && [ "$container_v" = pass ] || failed=1
ipc_v="$(verdict ge 50 "$ipc_p99")"
[ "$ipc_v" = pass ] || failed=1
proxy_ok() { ge "$px_ratio" 0.70 && ge 300 "$px_added_med" && [ "$px_bad" -eq 0 ]; }
proxy_v="$(verdict proxy_ok)"
[ "$proxy_v" = pass ] || failed=1
sched_ok() { ge 50 "$sched_p99" && [ "$sched_fired" -gt 0 ]; }
sched_v="$(verdict sched_ok)"
load_ok() { ge 3000 "$load_ms" && ge 400 "$load_rss_mb" && [ "$load_count" -eq 100000 ]; }
load_v="$(verdict load_ok)"
[ "$sched_v" = pass ] && [ "$load_v" = pass ] || failed=1
queue_ok() { ge "${q_rps:-0}" 20000; }
queue_v="$(verdict queue_ok)"
fu_ok() { [ -n "$fu_p99" ] && ge 20 "$fu_p99" && ge 20 "$fi_p99"; }
fu_v="$(verdict fu_ok)"
[ "$queue_v" = pass ] && [ "$fu_v" = pass ] || failed=1
ch_out_ok() { [ -n "$ch_acc" ] && ge "$ch_acc" 2000 && [ "$ch_delivered" = "$ch_n" ]; }
ch_out_v="$(verdict ch_out_ok)"
ch_in_ok() { [ -n "$ch_in99" ] && ge 10 "$ch_in99"; }
ch_in_v="$(verdict ch_in_ok)"
[ "$ch_out_v" = pass ] && [ "$ch_in_v" = pass ] || failed=1
mon_rb_v="$(verdict ge "${mon_eps:-0}" 500000)"
mon_an_v="$(verdict ge 50 "${mon_an:-999}")"
mon_au_v="$(verdict ge 5 "${mon_au99:-999}")"
[ "$mon_rb_v" = pass ] && [ "$mon_an_v" = pass ] && [ "$mon_au_v" = pass ] || failed=1
get_note="" post_note=""
[ "$get_bad" -eq 0 ] || get_note=" ($get_bad non-2xx/errors!)"
[ "$post_bad" -eq 0 ] || post_note=" ($post_bad non-2xx/errors!)"

echo ""
echo "pincer benchmarks ($runs round(s), median; wrk -t2 -c64 -d${duration}s; $(uptime | sed 's/.*load average: /load /'))"
echo ""
echo "| benchmark | measured | baseline | ratio | target | pass/fail |"
echo "|---|---|---|---|---|---|"
echo "| GET /api/v1/container/namespaces (10 namespaces, actor path) | $(human "$get_actor_med") req/s$get_note | bare RESTinio handler: $(human "$get_bare_med") req/s | $get_ratio | ratio >= 0.50 | $get_v |"
echo "| POST /api/v1/container/namespaces, --durability fsync, 64 clients | $(human "$post_fsync_med") writes/s (2xx)$post_note | --durability os: $(human "$post_os_med") writes/s; the folder and CLAUDE.md of each create alone, one thread: $(human "${folders_ps:-0}") folders/s | $post_ratio | >= 20 k/s and ratio >= 0.50 | $post_v |"
echo "| replay of the audit projection, $(human "$events") events | $(human "$replay_eps") events/s | raw read_all scan: $(human "$scan_eps") events/s | $replay_ratio | >= 1 M events/s | $replay_v |"
echo "| container start-to-exit through the runtime layer (median of $container_runs) | $layer_ms ms | podman run spawned directly: $direct_ms ms | $container_ratio | ratio <= 1.10 | $container_v |"
echo "| IPC file renamed into messages/ -> watcher callback, 1000 files | p50 $ipc_p50 ms, p99 $ipc_p99 ms | NanoClaw 1 s poll: p50 $poll_p50 ms, p99 $poll_p99 ms | $ipc_ratio | p99 <= 50 ms | $ipc_v |"
echo "| GET through the credential proxy (bearer injected), 64 connections | $(human "$px_rps_med") req/s, p50 +$px_added_med us | upstream called directly: $(human "$px_direct_med") req/s | $px_ratio | ratio >= 0.70, added p50 < 300 us | $proxy_v |"
echo "| 10000 schedules at a 1 s interval for ${sched_secs} s, task sink that accepts at once | lateness p50 $sched_p50 ms, p99 $sched_p99 ms ($sched_fired slots) | - | - | p99 < 50 ms | $sched_v |"
echo "| 100000 tasks through the queue over 1000 groups, containers answering at once | $(human "${q_rps:-0}") runs/s | same events appended straight to the log: $(human "${q_log:-0}") runs/s | ${q_ratio:--} | >= 20 k runs/s | $queue_v |"
echo "| POST follow-up -> file in input/; file in messages/ -> handled (200 each, test agent) | p99 ${fu_p99:--} ms; p99 ${fi_p99:--} ms (p50 ${fu_p50:--} / ${fi_p50:--} ms) | NanoClaw polls: p99 495 ms / 990 ms | - | p99 < 20 ms each | $fu_v |"
echo "| rebuild of all 5 projections (audit, runs, analytics, chats, schedule runs), $(human "$events") mixed events, one pass | $(human "${mon_eps:-0}") events/s | log scan with every event's data parsed (one thread): $(human "${mon_parse:-0}") events/s; bare scan: $(human "${mon_scan:-0}") events/s; the rebuild's stages timed apart: reading and projecting $(human "${mon_read:-0}") events/s, committing rows $(human "${mon_commit:-0}") events/s | ${mon_ratio:--} | >= 500 k events/s | $mon_rb_v |"
echo "| analytics query (7 days, day buckets) over that history, slowest of 20 | ${mon_an:--} ms (model load at start ${mon_load:--} ms) | - | - | < 50 ms | $mon_an_v |"
echo "| audit-log page, limit=100, over that history (store query, 1000 pages) | p99 ${mon_au99:--} ms (p50 ${mon_au50:--} ms) | - | - | p99 < 5 ms | $mon_au_v |"
echo "| POST /channels/messages to the Telegram emulator, 64 clients | accepted $(human "${ch_acc:-0}") msg/s, delivered $(human "${ch_del:-0}") msg/s (${ch_delivered:-0} of ${ch_n:-?}) | sendMessage straight to the emulator: $(human "${ch_direct:-0}") msg/s | ${ch_ratio:--} | >= 2 k/s accepted, all delivered | $ch_out_v |"
echo "| signed WhatsApp webhook POST -> pending message queued (500 deliveries) | p50 ${ch_in50:--} ms, p99 ${ch_in99:--} ms | NanoClaw message loop polls every 2 s | - | p99 < 10 ms | $ch_in_v |"
echo "| server start-up with 100000 schedules (replayed, one actor each) | $load_ms ms to listening, RSS $load_rss_mb MB | - | - | < 3000 ms, < 400 MB | $load_v |"

if [ "$strict" -eq 1 ] && [ "$failed" -ne 0 ]; then
  exit 1
fi
exit 0

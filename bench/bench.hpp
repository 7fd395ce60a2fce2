#pragma once

// Modes of the pincer-bench executable.

namespace pincer::bench {

/// `pincer-bench bare-server [--host H] [--port P] [--body-file F]`: a minimal RESTinio
/// server on one asio thread answering a fixed JSON body (a small array, or
/// the bytes of F) to a GET of `/api/v1/container/namespaces`, `/ping` or
/// `/v1/models` (the credential proxy benchmark's upstream path); prints
/// `bare-server listening on http://HOST:PORT` once bound.
int bare_server_main(int argc, char** argv);

/// `pincer-bench replay [--events N] [--runs R] [--dir D]`: writes N synthetic
/// events into a fresh RocksDB store, then times a replay of the audit
/// projection against a plain `read_all` scan.
int replay_main(int argc, char** argv);

/// `pincer-bench monitoring [--events N] [--dir D]`: rebuilds every projection
/// over a mixed log, times an analytics query and an audit-log page.
int monitoring_main(int argc, char** argv);

/// `pincer-bench folders [--count N] [--dir D]`: the folder and empty
/// CLAUDE.md of N new namespaces, made by the workspace actor's
/// `materialize` on one thread; prints folders per second.
int folders_main(int argc, char** argv);

/// `pincer-bench container [--image TAG] [--runs N]`: start-to-exit time of a
/// trivial container run through pincer's runtime layer against the same
/// `podman run` spawned directly; prints medians and their ratio.
int container_main(int argc, char** argv);

/// `pincer-bench ipc-latency [--files N] [--dir D]`: p50/p99 from a file renamed
/// into a group's `messages/` to the IPC watcher's callback (inotify and the
/// 250 ms polling fallback), against NanoClaw's 1 s poll computed in the same
/// run, and from `write_input_message` to the file seen by a busy reader.
int ipc_latency_main(int argc, char** argv);

/// `pincer-bench schedules fire [--schedules N] [--seconds S] [--dir D]`: N
/// schedules at a 1 s interval firing into a task sink that accepts at once;
/// prints the p50/p99/max lateness of the fired slots.
/// `pincer-bench schedules load [--schedules N] [--dir D]`: writes a data
/// folder `D/data` with a namespace and N schedules, for timing start-up.
/// `pincer-bench schedules replay [--dir D]`: the scheduler's rebuild over
/// that folder, from spawn to its first answer.
int schedules_main(int argc, char** argv);

/// `pincer-bench queue [--groups G] [--runs N] [--dir D]`: N tasks over G groups
/// through the queue with containers that answer at once (no runtime work),
/// against the same events appended straight through the event log.
int queue_main(int argc, char** argv);

/// `pincer-bench follow-up [--image TAG] [--count N] [--dir D]`: with a real
/// container waiting idle, p50/p99 from `follow_up` to the file in `input/`,
/// and from a file renamed into `messages/` to its `ipc.message_sent` event,
/// against NanoClaw's 0.5 s and 1 s polls.
int follow_up_main(int argc, char** argv);

/// `pincer-bench channels [--messages N] [--clients C] [--webhooks M] [--dir D]`:
/// a real `pincer serve` against the Telegram and WhatsApp emulators. N
/// `POST /channels/messages` from C clients (accepted and delivered rates)
/// against the same sends made straight to the emulator; then M signed
/// WhatsApp webhook POSTs, each timed until its `message.queued` event
/// arrives on the live tail.
int channels_main(int argc, char** argv);

} // namespace pincer::bench

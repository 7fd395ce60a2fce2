#include "tools/inspect_verify.hpp"

#include "events/catalog.hpp"
#include "tools/inspect.hpp"

namespace pincer {

json verify_summary::to_json() const {
  return json{{"summary", true},
              {"events", events},
              {"lastSeq", last_seq},
              {"gaps", gaps},
              {"missing", missing},
              {"checksumFailures", checksum_failures},
              {"undecodable", undecodable},
              {"ok", clean()}};
}

void log_verifier::check(const record& r) {
  auto expected = summary_.last_seq + 1;
  if (r.seq != expected) {
    ++summary_.gaps;
    if (r.seq > expected) {
      summary_.missing += r.seq - expected;
      write_line(out_, json{{"problem", "gap"},
                            {"after", summary_.last_seq},
                            {"next", r.seq},
                            {"missing", r.seq - expected}});
    } else {
      write_line(out_, json{{"problem", "gap"},
                            {"after", summary_.last_seq},
                            {"next", r.seq},
                            {"message", "sequence number does not increase"}});
    }
  }
  ++summary_.events;
  summary_.last_seq = r.seq;
  auto where = [&](const char* problem) {
    return json{{"problem", problem},
                {"seq", r.seq},
                {"stream", r.stream},
                {"streamVersion", r.stream_version},
                {"type", r.type}};
  };
  if (!r.checksum_ok) {
    ++summary_.checksum_failures;
    write_line(out_, where("checksum"));
    return;
  }
  if (auto decoded = event_catalog().decode(r); !decoded) {
    ++summary_.undecodable;
    auto j = where("undecodable");
    j["message"] = decoded.err().message;
    write_line(out_, j);
  }
}

result<verify_summary> verify_log(const event_store& store, std::ostream& out) {
  log_verifier verifier{out};
  auto read = store.read_all(0, [&](const record& r) {
    verifier.check(r);
    return true;
  });
  if (!read)
    return read.err();
  auto summary = verifier.summary();
  write_line(out, summary.to_json());
  return summary;
}

} // namespace pincer

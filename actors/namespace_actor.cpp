#include "actors/namespace_actor.hpp"

#include <filesystem>

#include <spdlog/spdlog.h>

#include "actors/projection.hpp"
#include "events/catalog.hpp"
#include "events/namespace_events.hpp"
#include "storage/files.hpp"

namespace pincer {

namespace {

using self_ptr = namespace_actor::stateful_pointer<namespace_actor_state>;

/// Appends the drafts, applies the stored events and answers them.
caf::result<std::vector<envelope>> commit(self_ptr self, result<std::vector<draft>> drafts,
                                          const request_meta& meta) {
  if (!drafts)
    return to_caf(drafts.err());
  if (drafts->empty())
    return std::vector<envelope>{};
  auto& st = self->state;
  append_request req{st.stream, st.ns.version, meta.actor, meta.request_id, *drafts};
  auto rp = self->make_response_promise<std::vector<envelope>>();
  self->request(st.ctx.log, write_path_timeout, append_atom::value, std::move(req))
    .await(
      [self, rp, drafts = std::move(*drafts)](std::vector<record>& stored) mutable {
        auto& st = self->state;
        std::vector<envelope> applied;
        for (size_t i = 0; i < stored.size(); ++i) {
          envelope e;
          static_cast<event_header&>(e) = stored[i];
          e.data = std::move(drafts[i].data);
          st.ns.apply(e);
          applied.push_back(std::move(e));
        }
        write_files(st.ctx, st.stream, st.ns, applied);
        rp.deliver(std::move(applied));
      },
      [rp](caf::error& err) mutable { rp.deliver(std::move(err)); });
  return rp;
}

} // namespace

result<unit> rebuild(const event_store& store, const std::string& stream, namespace_state& ns) {
  return read_stream_events(store, stream, ns.version,
                            [&](const envelope& e) { ns.apply(e); });
}

std::string instructions_path(const std::string& data_dir, const std::string& name) {
  namespace fs = std::filesystem;
  if (name == "global")
    return (fs::path{data_dir} / "global" / "CLAUDE.md").string();
  return (fs::path{data_dir} / "groups" / name / "CLAUDE.md").string();
}

void write_files(const namespace_context& ctx, const std::string& stream,
                 const namespace_state& ns, const std::vector<envelope>& applied) {
  auto name = stream == global_instructions_stream ? std::string{"global"}
                                                    : ns.object.value("name", "");
  auto path = instructions_path(ctx.data_dir, name);
  bool instructions = false;
  for (auto& e : applied)
    instructions = instructions || e.type == event_types::instructions_updated;
  if (!instructions)
    return; // New folders are made by the workspace actor, off the request path.
  if (auto ok = write_file_atomic(path, ns.instructions); !ok)
    spdlog::error("cannot write {}: {}", path, ok.err().message);
}

namespace_actor::behavior_type
namespace_behavior(self_ptr self, std::string stream, namespace_context ctx) {
  auto& st = self->state;
  st.stream = std::move(stream);
  st.ctx = std::move(ctx);
  if (auto ok = rebuild(*st.ctx.store, st.stream, st.ns); !ok)
    spdlog::error("cannot rebuild {}: {}", st.stream, ok.err().message);
  return {
    [self](create_atom, json& object, request_meta& meta) {
      auto path = instructions_path(self->state.ctx.data_dir, object.value("name", ""));
      auto existing = read_file(path);
      return commit(self, self->state.ns.decide_create(std::move(object), existing), meta);
    },
    [self](update_atom, json& changes, request_meta& meta) {
      return commit(self, self->state.ns.decide_update(changes), meta);
    },
    [self](caf::delete_atom, bool force, request_meta& meta) {
      return commit(self, self->state.ns.decide_delete(force), meta);
    },
    [self](instructions_atom, std::string& content, request_meta& meta) {
      bool is_global = self->state.stream == global_instructions_stream;
      return commit(self, self->state.ns.decide_instructions(content, !is_global), meta);
    },
  };
}

} // namespace pincer

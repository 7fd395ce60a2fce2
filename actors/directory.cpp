#include "actors/directory.hpp"

#include <filesystem>

#include <spdlog/spdlog.h>

#include "events/namespace_events.hpp"
#include "storage/files.hpp"

namespace pincer {

namespace {

using self_ptr = directory_actor::stateful_pointer<directory_actor_state>;

namespace_actor actor_for(self_ptr self, const std::string& stream) {
  auto& actors = self->state.actors;
  auto i = actors.find(stream);
  if (i != actors.end())
    return i->second;
  auto a = self->spawn<caf::linked>(namespace_behavior, stream, self->state.ctx);
  actors.emplace(stream, a);
  return a;
}

void restore_files(const namespace_context& ctx, const directory_state& index) {
  auto restore = [&](const std::string& name, const namespace_state& ns) {
    auto path = instructions_path(ctx.data_dir, name);
    if (std::filesystem::exists(path))
      return;
    if (auto ok = write_file_atomic(path, ns.instructions); !ok)
      spdlog::error("cannot restore {}: {}", path, ok.err().message);
  };
  for (auto& [key, ns] : index.namespaces)
    if (ns.exists)
      restore(ns.object.value("name", key), ns);
  if (index.global.version > 0)
    restore("global", index.global);
}

/// Sends a command to an aggregate, applies what it stored to the index and
/// answers with `make_reply()`; `done` runs on success and failure.
template <class MakeReply, class Done, class... Ts>
caf::result<reply> forward(self_ptr self, const std::string& stream, MakeReply make_reply,
                           Done done, Ts&&... xs) {
  auto rp = self->make_response_promise<reply>();
  self->request(actor_for(self, stream), write_path_timeout, std::forward<Ts>(xs)...)
    .then(
      [self, rp, make_reply, done](std::vector<envelope>& applied) mutable {
        for (auto& e : applied)
          self->state.index.apply(e);
        done();
        rp.deliver(make_reply());
      },
      [rp, done](caf::error& err) mutable {
        done();
        rp.deliver(std::move(err));
      });
  return rp;
}

} // namespace

result<unit> rebuild(const event_store& store, directory_state& index) {
  for (auto& [stream, version] : store.streams("namespace/")) {
    auto key = stream.substr(std::string{"namespace/"}.size());
    if (auto ok = rebuild(store, stream, index.namespaces[key]); !ok)
      return ok;
  }
  index.changed();
  return rebuild(store, global_instructions_stream, index.global);
}

directory_actor::behavior_type directory(self_ptr self, namespace_context ctx,
                                         std::string assistant_name) {
  auto& st = self->state;
  st.ctx = std::move(ctx);
  st.assistant_name = std::move(assistant_name);
  if (auto ok = rebuild(*st.ctx.store, st.index); !ok)
    spdlog::error("cannot rebuild the namespace index: {}", ok.err().message);
  restore_files(st.ctx, st.index);
  auto not_found = [](const std::string& name) {
    return to_caf(error{ec::not_found, "namespace " + name + " not found"});
  };
  return {
    [self](list_atom) { return reply{200, self->state.index.list()}; },
    [self](list_atom, text_atom) { return reply{200, nullptr, self->state.index.list_text()}; },
    [self](create_atom, json& body, request_meta& meta) -> caf::result<reply> {
      auto& index = self->state.index;
      auto object = validate_new_namespace(body, self->state.assistant_name);
      if (!object)
        return to_caf(object.err());
      auto key = namespace_key((*object)["name"]);
      if (auto ok = index.check(key, *object, true); !ok)
        return to_caf(ok.err());
      index.reserve(key, *object, true);
      auto made = [self, key] { return reply{201, self->state.index.namespaces[key].view()}; };
      auto done = [self, key, obj = *object] { self->state.index.release(key, obj, true); };
      return forward(self, namespace_stream(key), made, done, create_atom::value,
                     std::move(*object), std::move(meta));
    },
    [self, not_found](caf::get_atom, std::string& name) -> caf::result<reply> {
      if (auto ns = self->state.index.find(name))
        return reply{200, ns->view()};
      return not_found(name);
    },
    [self, not_found](update_atom, std::string& name, json& body,
                      request_meta& meta) -> caf::result<reply> {
      auto& index = self->state.index;
      auto ns = index.find(name);
      if (!ns)
        return not_found(name);
      auto changes = validate_namespace_changes(body, ns->object);
      if (!changes)
        return to_caf(changes.err());
      auto key = namespace_key(name);
      auto merged = merge_changes(ns->object, *changes);
      if (auto ok = index.check(key, merged, false); !ok)
        return to_caf(ok.err());
      index.reserve(key, merged, false);
      auto made = [self, key] { return reply{200, self->state.index.namespaces[key].view()}; };
      auto done = [self, key, merged] { self->state.index.release(key, merged, false); };
      return forward(self, namespace_stream(key), made, done, update_atom::value,
                     std::move(*changes), std::move(meta));
    },
    [self, not_found](caf::delete_atom, std::string& name, bool force,
                      request_meta& meta) -> caf::result<reply> {
      if (!self->state.index.find(name))
        return not_found(name);
      return forward(
        self, namespace_stream(name), [] { return reply{204, nullptr}; }, [] {},
        caf::delete_atom::value, force, std::move(meta));
    },
    [self, not_found](caf::get_atom, instructions_atom,
                      std::string& name) -> caf::result<reply> {
      auto& index = self->state.index;
      if (namespace_key(name) == "global")
        return reply{200, index.global.instructions_view("global")};
      if (auto ns = index.find(name))
        return reply{200, ns->instructions_view(ns->object.value("name", name))};
      return not_found(name);
    },
    [self, not_found](instructions_atom, std::string& name, json& body,
                      request_meta& meta) -> caf::result<reply> {
      auto& index = self->state.index;
      bool global = namespace_key(name) == "global";
      auto ns = global ? &index.global : index.find(name);
      if (!ns)
        return not_found(name);
      auto content = validate_instructions(body);
      if (!content)
        return to_caf(content.err());
      auto stream = global ? std::string{global_instructions_stream} : namespace_stream(name);
      auto display = global ? std::string{"global"} : ns->object.value("name", name);
      auto made = [self, global, display] {
        auto& index = self->state.index;
        auto& target = global ? index.global : index.namespaces[namespace_key(display)];
        return reply{200, target.instructions_view(display)};
      };
      return forward(self, stream, made, [] {}, instructions_atom::value,
                     std::move(*content), std::move(meta));
    },
    [self](merge_atom, json& body) -> caf::result<reply> {
      if (!body.contains("group") || !body["group"].is_string())
        return to_caf(invalid("group", "group must be a namespace name"));
      auto merged = self->state.index.merge(body["group"].get<std::string>());
      if (!merged)
        return to_caf(merged.err());
      return reply{200, std::move(*merged)};
    },
  };
}

} // namespace pincer

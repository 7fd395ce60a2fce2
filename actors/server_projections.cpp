#include "actors/server_projections.hpp"

#include "actors/analytics.hpp"
#include "actors/audit_log.hpp"
#include "actors/chat_log.hpp"
#include "actors/run_history.hpp"
#include "actors/schedule_runs.hpp"

namespace pincer {

std::vector<std::unique_ptr<projection>> server_projections(const std::string& assistant_name) {
  std::vector<std::unique_ptr<projection>> out;
  out.push_back(std::make_unique<audit_projection>());
  out.push_back(std::make_unique<run_history_projection>());
  out.push_back(std::make_unique<analytics_projection>());
  out.push_back(std::make_unique<chat_projection>(assistant_name));
  out.push_back(std::make_unique<schedule_runs_projection>());
  return out;
}

result<uint64_t> catch_up_server_projections(event_store& store,
                                             const std::string& assistant_name) {
  auto views = server_projections(assistant_name);
  std::vector<const projection*> pass;
  for (auto& v : views)
    pass.push_back(v.get());
  return catch_up(store, pass);
}

} // namespace pincer

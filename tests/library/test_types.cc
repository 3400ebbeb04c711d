#include "tests/library/test_types.h"

#include <farm/task.h>
#include <signal.h>

#include <chrono>
#include <thread>

namespace farm::testing {

void RegisterTestTypes() {
  RegisterTask({.name = "square",
                .description = "x times x",
                .fields = {{.name = "x", .required = true, .min = -1000, .max = 1000},
                           {.name = "label",
                            .kind = FieldKind::kString,
                            .default_value = "none",
                            .allowed = {"none", "big"}}},
                .run = [](const nlohmann::json& task, Context&) -> nlohmann::json {
                  const int64_t x = task["x"];
                  return {{"square", x * x}, {"label", task["label"]}};
                }});
  RegisterTask({.name = "die",
                .description = "kills its worker",
                .run = [](const nlohmann::json&, Context&) -> nlohmann::json {
                  raise(SIGKILL);
                  return nullptr;
                }});
  RegisterTask({.name = "seeded",
                .description = "the task's seed and first draw",
                .run = [](const nlohmann::json&, Context& context) -> nlohmann::json {
                  return {{"seed", context.seed()},
                          {"draw", context.Random()},
                          {"id", std::string(context.id())}};
                }});
  RegisterTask({.name = "slow",
                .description = "sleeps ms milliseconds",
                .fields = {{.name = "ms", .required = true, .min = 0, .max = 600000}},
                .run = [](const nlohmann::json& task, Context&) -> nlohmann::json {
                  std::this_thread::sleep_for(std::chrono::milliseconds(task["ms"].get<int>()));
                  return {{"ms", task["ms"]}};
                }});
  RegisterTask({.name = "throws",
                .description = "fails with a code of its own",
                .run = [](const nlohmann::json&, Context&) -> nlohmann::json {
                  throw TaskError("my_code", "it went wrong");
                }});
}

}  // namespace farm::testing

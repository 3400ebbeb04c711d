#include "tests/library/test_types.h"

#include <farm/task.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

namespace farm::testing {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

nlohmann::json RunPatient(const nlohmann::json& task, Context& context) {
  const Clock::time_point until = Clock::now() + milliseconds(task["max_ms"].get<int64_t>());
  const milliseconds margin(task["margin_ms"].get<int64_t>());
  bool early = false;
  while (!(early = context.expired(margin)) && Clock::now() < until)
    std::this_thread::sleep_for(milliseconds(5));
  return {{"stopped_early", early}, {"had_deadline", context.deadline().has_value()}};
}

nlohmann::json RunGate(const nlohmann::json& task, Context& context) {
  context.Progress(task["fraction"].get<double>());
  const std::string path = task["path"];
  const Clock::time_point give_up = Clock::now() + std::chrono::seconds(60);
  bool opened = false;
  while (!(opened = access(path.c_str(), F_OK) == 0) && Clock::now() < give_up)
    std::this_thread::sleep_for(milliseconds(5));
  return {{"opened", opened}};
}

nlohmann::json RunBusyProgress(const nlohmann::json& task, Context& context) {
  const int64_t calls = task["calls"];
  for (int64_t i = 0; i < calls; ++i)
    context.Progress(static_cast<double>(i) / static_cast<double>(calls));
  return {{"calls", calls}};
}

void RegisterDeadlineAndProgressTypes() {
  RegisterTask({.name = "patient",
                .description = "works until its deadline is margin_ms away, or for max_ms",
                .fields = {{.name = "max_ms", .required = true, .min = 0, .max = 600000},
                           {.name = "margin_ms", .min = 0, .max = 600000, .default_value = 1000}},
                .run = RunPatient});
  RegisterTask({.name = "gate",
                .description = "reports fraction, then waits for the file at path to exist",
                .fields = {{.name = "path", .kind = FieldKind::kString, .required = true},
                           {.name = "fraction",
                            .kind = FieldKind::kNumber,
                            .required = true,
                            .min = 0,
                            .max = 1}},
                .run = RunGate});
  RegisterTask({.name = "busy_progress",
                .description = "reports its progress `calls` times in a tight loop",
                .fields = {{.name = "calls", .required = true, .min = 1, .max = 1e9}},
                .run = RunBusyProgress});
}

}  // namespace

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
  RegisterDeadlineAndProgressTypes();
}

}  // namespace farm::testing

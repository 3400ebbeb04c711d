// Submits N trivial tasks to a farm::Executor and collects every result, in
// process and thread modes: tasks per second, submit to last Get.
// benchmarks/executor_vs_python.sh runs it beside Python's pools.
//   executor_throughput [TASKS] [WORKERS] [process,thread]
#include <farm/farm.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

double Run(farm::Mode mode, int workers, long tasks) {
  farm::Executor ex({.mode = mode, .workers = workers, .seed = 1});
  const auto start = std::chrono::steady_clock::now();
  std::vector<farm::Future> futures;
  futures.reserve(static_cast<size_t>(tasks));
  for (long i = 0; i < tasks; ++i) futures.push_back(ex.Submit("identity", {{"x", i}}));
  long sum = 0;
  for (const farm::Future& f : futures) sum += f.Get()["x"].get<long>();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (sum != tasks * (tasks - 1) / 2) std::fprintf(stderr, "wrong sum %ld\n", sum), std::exit(1);
  return seconds;
}

}  // namespace

int main(int argc, char** argv) {
  farm::RegisterTask({.name = "identity",
                      .description = "returns its x",
                      .fields = {{.name = "x", .required = true}},
                      .run = [](const nlohmann::json& task, farm::Context&) -> nlohmann::json {
                        return {{"x", task["x"]}};
                      }});
  const long tasks = argc > 1 ? std::atol(argv[1]) : 1'000'000;
  const int workers = argc > 2 ? std::atoi(argv[2]) : 2;
  const std::string modes = argc > 3 ? argv[3] : "process,thread";
  for (const char* name : {"process", "thread"}) {
    if (modes.find(name) == std::string::npos) continue;
    const farm::Mode mode =
        std::string(name) == "process" ? farm::Mode::kProcess : farm::Mode::kThread;
    const double seconds = Run(mode, workers, tasks);
    std::printf("farm.Executor %-7s %d workers: %ld tasks in %.2f s = %.0f tasks/s\n", name,
                workers, tasks, seconds, static_cast<double>(tasks) / seconds);
    std::fflush(stdout);
  }
  return 0;
}

// "primes" through the Executor: the range cut into chunks, one future
// each, collected with Map (in order) and AsCompleted (as they finish); and
// one big range, watched through its future's Progress().
//   primes_executor [HI] [CHUNKS] [process|thread]
#include <farm/farm.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "primes_task.h"

int main(int argc, char** argv) {
  RegisterPrimes();  // before the Executor forks its workers
  const int64_t hi = argc > 1 ? std::atoll(argv[1]) : 200000;
  const int64_t chunks = argc > 2 ? std::atoll(argv[2]) : 16;
  const bool threads = argc > 3 && std::string(argv[3]) == "thread";
  farm::Executor ex({.mode = threads ? farm::Mode::kThread : farm::Mode::kProcess, .workers = 2});

  std::vector<nlohmann::json> ranges;
  for (int64_t i = 0; i < chunks; ++i)
    ranges.push_back({{"lo", hi * i / chunks}, {"hi", hi * (i + 1) / chunks}});
  int64_t total = 0;
  for (const nlohmann::json& result : ex.Map("primes", ranges))
    total += result["count"].get<int64_t>();

  std::vector<farm::Future> futures;
  for (const nlohmann::json& range : ranges) futures.push_back(ex.Submit("primes", range));
  int64_t again = 0;
  for (farm::Future& f : farm::AsCompleted(futures)) again += f.Get()["count"].get<int64_t>();

  // The whole range as one task, its progress shown as it reports it.
  farm::Future whole = ex.Submit("primes", {{"lo", 0}, {"hi", hi}});
  while (!farm::Wait({whole}, farm::AllCompleted, std::chrono::milliseconds(100)).not_done.empty())
    std::printf("the whole range: %.0f%% done\n", 100 * whole.Progress());
  const int64_t at_once = whole.Get()["count"];

  // A bad task fails in its own future, with farm's error code.
  try {
    ex.Submit("primes", {{"lo", 5}}).Get();
  } catch (const farm::TaskError& error) {
    std::printf("a task without hi: %s: %s\n", error.code.c_str(), error.what());
  }
  ex.Shutdown();
  const int64_t want = CountPrimes(0, hi);
  std::printf("primes below %lld: %lld (Map), %lld (AsCompleted), %lld (one task), %lld (here)\n",
              static_cast<long long>(hi), static_cast<long long>(total),
              static_cast<long long>(again), static_cast<long long>(at_once),
              static_cast<long long>(want));
  return total == want && again == want && at_once == want ? 0 : 1;
}

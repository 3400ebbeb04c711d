#include "primes_task.h"

#include <farm/task.h>

#include <chrono>

namespace {

bool IsPrime(int64_t n) {
  if (n < 2) return false;
  for (int64_t d = 2; d * d <= n; ++d)
    if (n % d == 0) return false;
  return true;
}

}  // namespace

int64_t CountPrimes(int64_t lo, int64_t hi) {
  int64_t count = 0;
  for (int64_t n = lo; n < hi; ++n) count += IsPrime(n);
  return count;
}

// Counts as CountPrimes does, and every few thousand numbers reports its
// progress and looks at its deadline: with --task-timeout it stops in time
// and says how far it got, rather than be killed and fail with "timeout".
nlohmann::json RunPrimes(const nlohmann::json& task, farm::Context& context) {
  const int64_t lo = task["lo"], hi = task["hi"];
  if (hi < lo) throw farm::TaskError("bad_task", "field 'hi' is below 'lo'");
  int64_t count = 0;
  for (int64_t n = lo; n < hi; ++n) {
    if ((n - lo) % 4096 == 0) {
      if (context.expired(std::chrono::milliseconds(250)))
        return {{"lo", lo}, {"hi", n}, {"count", count}, {"stopped_early", true}};
      context.Progress(static_cast<double>(n - lo) / static_cast<double>(hi - lo));
    }
    count += IsPrime(n);
  }
  return {{"lo", lo}, {"hi", hi}, {"count", count}};
}

void RegisterPrimes() {
  farm::RegisterTask({.name = "primes",
                      .description = "counts the primes in [lo, hi) by trial division",
                      .fields = {{.name = "lo",
                                  .required = true,
                                  .min = 0,
                                  .max = 1e12,
                                  .description = "first number tried",
                                  .example = "0"},
                                 {.name = "hi",
                                  .required = true,
                                  .min = 0,
                                  .max = 1e12,
                                  .description = "one past the last number tried",
                                  .example = "100000"}},
                      .run = RunPrimes});
}

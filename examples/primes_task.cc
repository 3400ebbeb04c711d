#include "primes_task.h"

#include <farm/task.h>

int64_t CountPrimes(int64_t lo, int64_t hi) {
  int64_t count = 0;
  for (int64_t n = lo < 2 ? 2 : lo; n < hi; ++n) {
    bool prime = true;
    for (int64_t d = 2; d * d <= n && prime; ++d) prime = n % d != 0;
    count += prime;
  }
  return count;
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
                      .run = [](const nlohmann::json& task, farm::Context&) -> nlohmann::json {
                        const int64_t lo = task["lo"], hi = task["hi"];
                        if (hi < lo) throw farm::TaskError("bad_task", "field 'hi' is below 'lo'");
                        return {{"lo", lo}, {"hi", hi}, {"count", CountPrimes(lo, hi)}};
                      }});
}

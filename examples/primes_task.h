// The "primes" task type: how many primes lie in [lo, hi).
#pragma once

#include <cstdint>

// Registers "primes" with farm; call before farm::Main or any Executor.
void RegisterPrimes();

// Plain C++, for a check against the workers' answer.
int64_t CountPrimes(int64_t lo, int64_t hi);

#include "common/rng.h"

#include <sys/random.h>

#include <chrono>

namespace farm {
namespace {

// Distinct salts keep worker streams and task streams apart even where the
// numbers that feed them coincide.
constexpr uint64_t kWorkerSalt = 0x776f726b65727321ULL;  // "workers!"
constexpr uint64_t kTaskSalt = 0x7461736b73747265ULL;    // "tasksstre"

uint64_t Fnv1a(std::string_view bytes) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char c : bytes) hash = (hash ^ c) * 0x100000001b3ULL;
  return hash;
}

uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

uint64_t WorkerSeed(uint64_t master, uint64_t index, uint64_t generation) {
  return Mix64(Mix64(Mix64(master ^ kWorkerSalt) + index) + generation);
}

uint64_t TaskSeed(uint64_t master, std::string_view id_json) {
  return Mix64(Mix64(master ^ kTaskSalt) + Fnv1a(id_json));
}

uint64_t SeedFromOs() {
  uint64_t seed;
  if (getrandom(&seed, sizeof seed, 0) == sizeof seed) return seed;
  // No entropy source: still never the clock alone.
  return Mix64(static_cast<uint64_t>(
                   std::chrono::steady_clock::now().time_since_epoch().count()) ^
               reinterpret_cast<uintptr_t>(&seed));
}

Rng::Rng(uint64_t seed) {
  // Expand one seed into the state with SplitMix64, as xoshiro's authors advise.
  for (uint64_t& word : s_) {
    word = Mix64(seed);
    seed += 0x9e3779b97f4a7c15ULL;
  }
}

uint64_t Rng::Next() {
  const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = Rotl(s_[3], 45);
  return result;
}

uint64_t Rng::Between(uint64_t lo, uint64_t hi) {
  uint64_t span = hi - lo + 1;
  if (span == 0) return Next();  // the full 64-bit range
  // Rejection sampling: no modulo bias.
  uint64_t limit = UINT64_MAX - UINT64_MAX % span;
  uint64_t x;
  do x = Next();
  while (x >= limit);
  return lo + x % span;
}

}  // namespace farm

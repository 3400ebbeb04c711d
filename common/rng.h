// Seeding and generators. Every stream is derived from the master seed through
// SplitMix64, so workers never share a stream: not through fork, not through
// a clock read in the same second.
#pragma once

#include <cstdint>
#include <string_view>

namespace farm {

// SplitMix64's finalizer: a bijective 64-bit mixer.
constexpr uint64_t Mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// The seed of worker `index`. `generation` counts replacements of that
// worker, so a restarted worker draws a fresh stream too.
uint64_t WorkerSeed(uint64_t master, uint64_t index, uint64_t generation = 0);

// The seed of a task's own stream, from its id as canonical JSON text
// (`7`, `"x"`): the same whatever worker, mode or order runs it.
uint64_t TaskSeed(uint64_t master, std::string_view id_json);

// A seed from the operating system's entropy source.
uint64_t SeedFromOs();

// xoshiro256**: fast, 256 bits of state, passes BigCrush.
class Rng {
 public:
  explicit Rng(uint64_t seed);

  uint64_t Next();
  // Uniform in [0, 1) with 53 random bits.
  double NextDouble() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  // Uniform in [lo, hi].
  uint64_t Between(uint64_t lo, uint64_t hi);

 private:
  uint64_t s_[4];
};

}  // namespace farm

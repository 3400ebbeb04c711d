// Seeding: every worker and every task draws its own stream, a pure function
// of the master seed and its index or id.
#include "common/rng.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace farm {
namespace {

std::vector<uint64_t> Draw(uint64_t seed, int count) {
  Rng rng(seed);
  std::vector<uint64_t> values;
  for (int i = 0; i < count; ++i) values.push_back(rng.Next());
  return values;
}

TEST(Rng, SameSeedGivesTheSameStream) {
  EXPECT_EQ(Draw(12345, 1000), Draw(12345, 1000));
  EXPECT_EQ(Draw(WorkerSeed(9, 3), 100), Draw(WorkerSeed(9, 3), 100));
}

TEST(Rng, NeighbouringSeedsGiveUnrelatedStreams) {
  std::set<uint64_t> seen;
  for (uint64_t seed = 0; seed < 64; ++seed)
    for (uint64_t value : Draw(seed, 100)) EXPECT_TRUE(seen.insert(value).second) << seed;
}

TEST(Rng, WorkerSeedsDifferAcrossIndexesAndGenerations) {
  std::set<uint64_t> seeds;
  for (uint64_t index = 0; index < 256; ++index)
    for (uint64_t generation = 0; generation < 16; ++generation)
      EXPECT_TRUE(seeds.insert(WorkerSeed(42, index, generation)).second)
          << "index " << index << " generation " << generation;
}

TEST(Rng, WorkerStreamsShareNoValues) {
  std::set<uint64_t> seen;
  for (uint64_t index = 0; index < 16; ++index)
    for (uint64_t value : Draw(WorkerSeed(7, index), 1000))
      EXPECT_TRUE(seen.insert(value).second) << "worker " << index;
}

TEST(Rng, WorkerSeedIsAFunctionOfTheMasterSeed) {
  EXPECT_EQ(WorkerSeed(5, 1), WorkerSeed(5, 1, 0));
  EXPECT_EQ(WorkerSeed(5, 1, 2), WorkerSeed(5, 1, 2));
  EXPECT_NE(WorkerSeed(5, 1), WorkerSeed(6, 1));
  // Swapping master seed and index must not give the same stream.
  EXPECT_NE(WorkerSeed(1, 2), WorkerSeed(2, 1));
  EXPECT_NE(WorkerSeed(0, 0), 0u);
}

TEST(Rng, TaskSeedDependsOnTheIdText) {
  EXPECT_EQ(TaskSeed(1, "7"), TaskSeed(1, "7"));
  EXPECT_NE(TaskSeed(1, "7"), TaskSeed(1, "8"));
  // The integer 7 and the string "7" are different ids.
  EXPECT_NE(TaskSeed(1, "7"), TaskSeed(1, "\"7\""));
  EXPECT_NE(TaskSeed(1, "7"), TaskSeed(2, "7"));
  std::set<uint64_t> seeds;
  for (int id = 1; id <= 10000; ++id)
    EXPECT_TRUE(seeds.insert(TaskSeed(3, std::to_string(id))).second) << id;
}

TEST(Rng, TaskAndWorkerStreamsAreApart) {
  // Even where the numbers feeding them coincide.
  for (uint64_t i = 0; i < 100; ++i) EXPECT_NE(TaskSeed(9, std::to_string(i)), WorkerSeed(9, i));
}

TEST(Rng, SeedsFromTheOsDiffer) {
  std::set<uint64_t> seeds;
  for (int i = 0; i < 100; ++i) seeds.insert(SeedFromOs());
  EXPECT_EQ(seeds.size(), 100u);
}

TEST(Rng, DoublesAreInTheHalfOpenUnitInterval) {
  Rng rng(1);
  double sum = 0;
  const int n = 100000;
  for (int i = 0; i < n; ++i) {
    double x = rng.NextDouble();
    ASSERT_GE(x, 0.0);
    ASSERT_LT(x, 1.0);
    sum += x;
  }
  // The mean of n uniforms has standard deviation 1/sqrt(12 n), about 0.001.
  EXPECT_NEAR(sum / n, 0.5, 0.01);
}

TEST(Rng, BetweenStaysInRangeAndReachesBothEnds) {
  Rng rng(2);
  std::set<uint64_t> seen;
  for (int i = 0; i < 10000; ++i) {
    uint64_t x = rng.Between(10, 15);
    ASSERT_GE(x, 10u);
    ASSERT_LE(x, 15u);
    seen.insert(x);
  }
  EXPECT_EQ(seen.size(), 6u);
  EXPECT_EQ(rng.Between(3, 3), 3u);
  rng.Between(0, UINT64_MAX);  // the full range must not divide by zero
}

}  // namespace
}  // namespace farm

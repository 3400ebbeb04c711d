// End-to-end: per-task streams make pi reproducible whatever -j; per-worker
// streams never coincide, and one seed gives the same streams again.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/rng.h"
#include "tests/run_farm.h"

namespace farm {
namespace {

using nlohmann::json;
using testing::RunFarm;

std::string PiBatch() {
  std::string input;
  for (int i = 0; i < 24; ++i) {
    json task = {{"type", "pi"}, {"samples", 20000 + i}};
    if (i % 3 == 0) task["id"] = "p" + std::to_string(i);  // others: line numbers
    input += task.dump() + "\n";
  }
  return input;
}

std::map<std::string, json> PiResults(const std::string& workers, const std::string& seed) {
  auto run = RunFarm({"run", "-j", workers, "--seed", seed}, PiBatch());
  EXPECT_EQ(run.exit_code, 0) << run.err;
  std::map<std::string, json> by_id;
  for (const json& line : run.results()) {
    EXPECT_EQ(line["ok"], true) << line;
    by_id[line["id"].dump()] = line["result"];
  }
  EXPECT_EQ(by_id.size(), 24u);
  return by_id;
}

TEST(RandomnessE2E, PiIsTheSameForOneTwoAndFourWorkers) {
  auto one = PiResults("1", "2024");
  EXPECT_EQ(PiResults("2", "2024"), one);
  EXPECT_EQ(PiResults("4", "2024"), one);
  std::set<uint64_t> seeds;
  for (const auto& [id, result] : one) {
    EXPECT_NEAR(result["estimate"].get<double>(), 3.14159, 0.1) << id;
    EXPECT_EQ(result["estimate"].get<double>(),
              4.0 * result["inside"].get<double>() / result["samples"].get<double>());
    seeds.insert(result["seed"].get<uint64_t>());
  }
  EXPECT_EQ(seeds.size(), one.size()) << "every task has its own stream";
}

TEST(RandomnessE2E, PiChangesWithTheSeed) {
  auto a = PiResults("2", "1"), b = PiResults("2", "2");
  for (const auto& [id, result] : a) EXPECT_NE(result["seed"], b[id]["seed"]) << id;
}

// Runs `random` tasks; returns each worker's values in the order it drew
// them (results of one worker arrive in the order it ran them), and checks
// that each worker reports one worker_seed.
struct WorkerStreams {
  std::map<int, std::vector<double>> values;
  std::map<int, uint64_t> seeds;
};

WorkerStreams RandomRun(const std::string& workers, const std::string& seed) {
  std::string input;
  for (int i = 0; i < 40; ++i) input += "{\"type\":\"random\",\"count\":50}\n";
  auto run = RunFarm({"run", "-j", workers, "--seed", seed}, input);
  EXPECT_EQ(run.exit_code, 0) << run.err;
  WorkerStreams streams;
  auto results = run.results();
  EXPECT_EQ(results.size(), 40u);
  for (const json& line : results) {
    int worker = line["worker"];
    uint64_t worker_seed = line["result"]["worker_seed"];
    auto [it, inserted] = streams.seeds.emplace(worker, worker_seed);
    EXPECT_EQ(it->second, worker_seed) << "worker " << worker << " changed its seed";
    std::vector<double>& stream = streams.values[worker];
    for (double value : line["result"]["values"]) stream.push_back(value);
    EXPECT_EQ(line["result"]["values"].size(), 50u);
  }
  return streams;
}

TEST(RandomnessE2E, WorkersNeverShareAStream) {
  WorkerStreams streams = RandomRun("4", "77");
  // The first round of dispatch hands every worker a task.
  ASSERT_EQ(streams.values.size(), 4u);
  std::set<uint64_t> seeds;
  for (const auto& [worker, seed] : streams.seeds) seeds.insert(seed);
  EXPECT_EQ(seeds.size(), 4u);
  std::map<double, int> owner;
  for (const auto& [worker, values] : streams.values) {
    for (double value : values) {
      EXPECT_GE(value, 0.0);
      EXPECT_LT(value, 1.0);
      auto [it, inserted] = owner.emplace(value, worker);
      EXPECT_TRUE(inserted || it->second == worker)
          << value << " drawn by workers " << it->second << " and " << worker;
    }
  }
}

// The common prefix of two draws of one stream must agree.
void ExpectSameStream(const std::vector<double>& a, const std::vector<double>& b, int worker) {
  size_t common = std::min(a.size(), b.size());
  ASSERT_GT(common, 0u);
  EXPECT_TRUE(std::equal(a.begin(), a.begin() + common, b.begin())) << "worker " << worker;
}

TEST(RandomnessE2E, SameSeedGivesTheSameWorkerStreams) {
  WorkerStreams first = RandomRun("2", "31337"), second = RandomRun("2", "31337");
  EXPECT_EQ(first.seeds, second.seeds);
  for (const auto& [worker, values] : first.values) {
    ASSERT_TRUE(second.values.count(worker)) << worker;
    ExpectSameStream(values, second.values[worker], worker);
  }
}

TEST(RandomnessE2E, WorkerStreamIsDerivedFromMasterSeedAndIndex) {
  // Printed exactly: the values parse back to the very doubles drawn.
  WorkerStreams streams = RandomRun("3", "4242");
  for (const auto& [worker, values] : streams.values) {
    EXPECT_EQ(streams.seeds[worker], WorkerSeed(4242, worker));
    Rng rng(WorkerSeed(4242, worker));
    for (size_t i = 0; i < values.size(); ++i)
      ASSERT_EQ(values[i], rng.NextDouble()) << "worker " << worker << " draw " << i;
  }
}

TEST(RandomnessE2E, PiSeedIsDerivedFromMasterSeedAndId) {
  auto run = RunFarm({"run", "-j", "2", "--seed", "99"},
                     "{\"type\":\"pi\",\"samples\":1}\n"
                     "{\"id\":\"x\",\"type\":\"pi\",\"samples\":1}\n");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  for (const json& line : run.results())
    EXPECT_EQ(line["result"]["seed"], TaskSeed(99, line["id"].dump())) << line;
}

TEST(RandomnessE2E, OtherSeedGivesOtherWorkerStreams) {
  WorkerStreams first = RandomRun("2", "1"), second = RandomRun("2", "2");
  for (const auto& [worker, seed] : first.seeds) {
    EXPECT_NE(seed, second.seeds[worker]);
    EXPECT_NE(first.values[worker][0], second.values[worker][0]);
  }
}

}  // namespace
}  // namespace farm

// --mode mpi end to end under mpirun on this machine: rank 0 coordinates,
// the other ranks run workers. Results are those of process mode.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/mpi/run_mpi.h"

namespace farm {
namespace {

using nlohmann::json;
using testing::ById;
using testing::Lines;
using testing::RunMpi;
using testing::TempDir;

TEST(MpiE2E, WithoutMpirunSaysHowToStartIt) {
  auto run = testing::RunFarm({"run", "--mode", "mpi", "-j", "2"}, Lines(3, R"({"type":"fib","n":5})"));
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("mpirun -n R farm run --mode mpi"), std::string::npos) << run.err;
  EXPECT_EQ(run.out, "");
}

TEST(MpiE2E, OneRankIsAUsageError) {
  auto run = RunMpi(1, {}, {"-j", "1", "/dev/null"});
  EXPECT_NE(run.exit_code, 0);
  EXPECT_NE(run.err.find("at least 2 ranks"), std::string::npos) << run.err;
}

// Through TCP sockets, so the wire really crosses a network stack. Every
// line is process mode's but for worker and elapsed_ms; worker w has the
// same random stream in both modes (seed, worker index, generation).
TEST(MpiE2E, MixedBatchOverTcpEqualsProcessMode) {
  TempDir dir;
  std::string tasks = Lines(300, R"({"type":"fib","n":20})") +
                      R"({"type":"fib","n":100000,"method":"iterative"})" "\n" +
                      R"({"type":"pi","samples":200000,"id":"pi-a"})" "\n" +
                      R"({"type":"pi","samples":300000})" "\n" +
                      Lines(40, R"({"type":"random","count":2})") +
                      R"({"type":"sleep","ms":30})" "\n" + "not json\n" +
                      R"({"type":"fibb","n":3})" "\n" + Lines(100, R"({"type":"fib","n":1000})");
  testing::WriteFile(dir.File("tasks"), tasks);
  auto mpi = RunMpi(3, {"--mca", "btl", "self,tcp", "--mca", "btl_tcp_if_include", "lo"},
                    {"-j", "2", "--seed", "7", "--keep-order", "--summary-json", dir.File("summary"),
                     dir.File("tasks")});
  auto process = testing::RunFarm({"run", "-j", "4", "--seed", "7", "--keep-order", dir.File("tasks")});
  ASSERT_EQ(mpi.exit_code, 1) << mpi.err;  // the two bad lines
  ASSERT_EQ(process.exit_code, 1) << process.err;
  std::vector<json> a = mpi.results(), b = process.results();
  ASSERT_EQ(a.size(), 446u);
  ASSERT_EQ(a.size(), b.size());
  std::map<int, uint64_t> mpi_seeds, process_seeds;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i]["ok"] == true) {  // worker w: local worker w % 2 of rank 1 + w / 2
      EXPECT_GE(a[i]["worker"].get<int>(), 0);
      EXPECT_LT(a[i]["worker"].get<int>(), 4);
    }
    if (a[i]["type"] == "random") {
      mpi_seeds[a[i]["worker"]] = a[i]["result"]["worker_seed"];
      process_seeds[b[i]["worker"]] = b[i]["result"]["worker_seed"];
      a[i]["result"].erase("values");  // draws depend on what ran before on that worker
      b[i]["result"].erase("values");
      a[i]["result"].erase("worker_seed");
      b[i]["result"].erase("worker_seed");
    }
    for (json* line : {&a[i], &b[i]}) {
      line->erase("worker");
      line->erase("elapsed_ms");
    }
    EXPECT_EQ(a[i], b[i]) << "line " << i + 1;
  }
  for (auto& [worker, seed] : mpi_seeds) {
    if (process_seeds.count(worker)) {
      EXPECT_EQ(seed, process_seeds[worker]) << worker;
    }
  }
  json summary = json::parse(testing::ReadFile(dir.File("summary")));
  EXPECT_EQ(summary["mode"], "mpi");
  EXPECT_EQ(summary["workers"], 4);
  EXPECT_EQ(summary["tasks"], 446);
}

TEST(MpiE2E, TwentyMegabyteResultCrossesMpiAmongTinyTasks) {
  TempDir dir;
  testing::WriteFile(dir.File("tasks"), R"({"type":"fib","n":95000000,"full":true})" "\n" +
                                            Lines(300, R"({"type":"fib","n":20})"));
  auto run = RunMpi(3, {"--mca", "btl", "self,tcp", "--mca", "btl_tcp_if_include", "lo"},
                    {"-j", "1", dir.File("tasks")});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto results = ById(run.out);
  ASSERT_EQ(results.size(), 301u);
  const json& big = results["1"]["result"];
  EXPECT_EQ(big["value"].get<std::string>().size(), big["digits"].get<size_t>());
  EXPECT_GT(big["digits"].get<size_t>(), 19'000'000u);
}

// --task-timeout and --memory-limit act on workers of agent ranks as they do
// on process mode's: the hung task is killed and retried, the greedy one
// fails at once with its own message; no other task is charged.
TEST(MpiE2E, TaskTimeoutAndMemoryLimitHoldOnAgentRanks) {
  TempDir dir;
  testing::WriteFile(dir.File("tasks"),
                     Lines(500, R"({"type":"fib","n":20})") +
                         R"({"type":"sleep","ms":600000,"id":"hang"})" "\n" +
                         R"({"type":"fib","n":100000000,"id":"greedy"})" "\n" +
                         Lines(500, R"({"type":"fib","n":20})"));
  // The timeout leaves the greedy task time to run out of memory on a loaded
  // machine: it must fail as out of memory, not as a timeout.
  auto run = RunMpi(3, {}, {"-j", "1", "--task-timeout", "4", "--retries", "1",
                            "--memory-limit", "64", dir.File("tasks")});
  ASSERT_EQ(run.exit_code, 1) << run.err;
  auto results = ById(run.out);
  ASSERT_EQ(results.size(), 1002u);
  for (auto& [id, result] : results) {
    if (id != "\"hang\"" && id != "\"greedy\"") {
      EXPECT_TRUE(result["ok"].get<bool>()) << result;
    }
  }
  const json& hang = results["\"hang\""];
  EXPECT_EQ(hang["error"]["code"], "timeout");
  EXPECT_EQ(hang["attempts"], 2);
  EXPECT_GE(hang["elapsed_ms"].get<double>(), 4000);
  const json& greedy = results["\"greedy\""];
  EXPECT_EQ(greedy["error"]["code"], "worker_died");
  EXPECT_NE(greedy["error"]["message"].get<std::string>().find("out of memory"), std::string::npos);
  EXPECT_EQ(greedy["attempts"], 1);
}

}  // namespace
}  // namespace farm

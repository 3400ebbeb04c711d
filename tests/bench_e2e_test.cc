// End-to-end: `farm bench` on a tiny batch and on the user's own, its
// exports, and the plotting script on each of them.
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/run_farm.h"

namespace farm {
namespace {

using testing::ReadFile;
using testing::RunFarm;
using testing::TempDir;

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream stream(text);
  for (std::string line; std::getline(stream, line);) lines.push_back(line);
  return lines;
}

// Runs a tiny bench into `dir`, writing bench.csv and bench.json.
testing::FarmRun TinyBench(const TempDir& dir) {
  return RunFarm({"bench", "--task", "fib", "--n", "1000", "--tasks", "20", "--workers", "1,2",
                  "--repeat", "2", "--csv", dir.File("bench.csv"), "--json",
                  dir.File("bench.json")});
}

TEST(BenchE2E, TinyBatchWritesOneCsvRowPerRunAndATable) {
  TempDir dir;
  auto run = TinyBench(dir);
  ASSERT_EQ(run.exit_code, 0) << run.err;

  // sequential once, thread and process at 1 and 2 workers: 5 runs a repeat.
  auto rows = Lines(ReadFile(dir.File("bench.csv")));
  ASSERT_EQ(rows.size(), 1u + 2 * 5);
  EXPECT_EQ(rows[0].rfind("task,mode,workers,repeat,tasks,wall_s,", 0), 0u) << rows[0];
  std::multiset<std::string> configs;
  for (size_t i = 1; i < rows.size(); ++i) {
    std::vector<std::string> fields;
    std::stringstream row(rows[i]);
    for (std::string field; std::getline(row, field, ',');) fields.push_back(field);
    ASSERT_EQ(fields.size(), 12u) << rows[i];
    EXPECT_EQ(fields[0], "fib n=1000 iterative");
    EXPECT_EQ(fields[4], "20");
    EXPECT_GT(std::stod(fields[5]), 0.0);
    EXPECT_EQ(fields[11], "0");  // exit code
    configs.insert(fields[1] + " " + fields[2]);
  }
  EXPECT_EQ(configs, (std::multiset<std::string>{"sequential 1", "sequential 1", "thread 1",
                                                 "thread 1", "thread 2", "thread 2", "process 1",
                                                 "process 1", "process 2", "process 2"}));

  // Runs are interleaved: the first repeat's five come before the second's.
  EXPECT_NE(rows[1].find(",1,20,"), std::string::npos) << rows[1];
  EXPECT_NE(rows[10].find(",2,20,"), std::string::npos) << rows[10];

  auto table = Lines(run.out);
  ASSERT_EQ(table.size(), 2u + 5) << run.out;
  EXPECT_NE(table[1].find("speedup"), std::string::npos) << run.out;
  EXPECT_EQ(table[2].rfind("sequential", 0), 0u) << run.out;
  EXPECT_NE(table[2].find("1.00x"), std::string::npos) << run.out;
  EXPECT_NE(run.err.find("run 10/10"), std::string::npos) << run.err;

  auto json = nlohmann::json::parse(ReadFile(dir.File("bench.json")));
  EXPECT_EQ(json["runs"].size(), 10u);
  EXPECT_EQ(json["summary"].size(), 5u);
  EXPECT_EQ(json["summary"][0]["speedup"], 1.0);
}

TEST(BenchE2E, BadListIsAUsageError) {
  auto run = RunFarm({"bench", "--modes", "thread,fork"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("--modes: expected sequential, thread or process, got 'fork'"),
            std::string::npos)
      << run.err;
}

// The user's own batch: 5 task lines, one warm-up round, two measured ones.
testing::FarmRun FileBench(const TempDir& dir) {
  std::string batch;
  for (int i = 0; i < 5; ++i) batch += "{\"type\":\"fib\",\"n\":" + std::to_string(100 + i) + "}\n";
  testing::WriteFile(dir.File("mine.jsonl"), batch);
  return RunFarm({"bench", dir.File("mine.jsonl"), "--workers", "1", "--modes",
                  "sequential,process", "--warmup", "1", "--repeat", "2", "--csv",
                  dir.File("bench.csv"), "--json", dir.File("bench.json"), "--export-markdown",
                  dir.File("bench.md")});
}

TEST(BenchE2E, UsersOwnBatchWithWarmupIsMeasuredAndExportedThreeWays) {
  TempDir dir;
  auto run = FileBench(dir);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  // Warm-up runs are run and shown, but not measured.
  EXPECT_NE(run.err.find("warm-up 2/6: "), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("run 6/6: "), std::string::npos) << run.err;
  auto rows = Lines(ReadFile(dir.File("bench.csv")));
  ASSERT_EQ(rows.size(), 1u + 2 * 2) << ReadFile(dir.File("bench.csv"));
  for (size_t i = 1; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i].rfind("mine.jsonl,", 0), 0u) << rows[i];
    EXPECT_NE(rows[i].find(i <= 2 ? ",1,5," : ",2,5,"), std::string::npos) << rows[i];
  }

  auto table = Lines(run.out);
  ASSERT_EQ(table.size(), 2u + 2) << run.out;
  EXPECT_NE(table[0].find("5 x mine.jsonl, 2 repeats, 1 warm-up"), std::string::npos) << table[0];
  EXPECT_NE(table[1].find("mean \u00b1 \u03c3"), std::string::npos) << table[1];
  EXPECT_NE(table[2].find(" \u00b1 "), std::string::npos) << table[2];

  auto json = nlohmann::json::parse(ReadFile(dir.File("bench.json")));
  EXPECT_EQ(json["warmup"], 1);
  EXPECT_EQ(json["runs"].size(), 4u);
  const auto& summary = json["summary"][0];
  EXPECT_EQ(summary["mode"], "sequential");
  EXPECT_GE(summary["stddev_wall_s"].get<double>(), 0.0);
  EXPECT_GE(summary["mean_wall_s"].get<double>(), summary["min_wall_s"].get<double>());
  EXPECT_LE(summary["mean_wall_s"].get<double>(), summary["max_wall_s"].get<double>());

  auto markdown = Lines(ReadFile(dir.File("bench.md")));
  ASSERT_EQ(markdown.size(), 2u + 2 + 2) << ReadFile(dir.File("bench.md"));
  EXPECT_EQ(markdown[2].rfind("| mode | workers | median s | mean \u00b1 \u03c3 s |", 0), 0u);
  EXPECT_EQ(markdown[4].rfind("| sequential | 1 | ", 0), 0u) << markdown[4];
  EXPECT_NE(markdown[4].find("| 1.00x | 100% |"), std::string::npos) << markdown[4];
}

TEST(BenchE2E, FileWithTaskFlagsOrAnExportOverItIsAUsageError) {
  TempDir dir;
  testing::WriteFile(dir.File("mine.jsonl"), "{\"type\":\"sleep\",\"ms\":1}\n");
  auto both = RunFarm({"bench", dir.File("mine.jsonl"), "--task", "pi"});
  EXPECT_EQ(both.exit_code, 2);
  EXPECT_NE(both.err.find("give FILE or --task"), std::string::npos) << both.err;
  auto over = RunFarm({"bench", dir.File("mine.jsonl"), "--export-markdown", dir.File("mine.jsonl")});
  EXPECT_EQ(over.exit_code, 2);
  EXPECT_NE(over.err.find("--export-markdown and FILE name the same file"), std::string::npos)
      << over.err;
  EXPECT_EQ(ReadFile(dir.File("mine.jsonl")), "{\"type\":\"sleep\",\"ms\":1}\n");
  auto missing = RunFarm({"bench", dir.File("none.jsonl")});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("cannot read"), std::string::npos) << missing.err;
}

TEST(BenchE2E, PlotScriptTurnsEveryExportIntoAPng) {
  TempDir dir;
  auto bench = FileBench(dir);
  ASSERT_EQ(bench.exit_code, 0) << bench.err;
  for (const char* name : {"bench.csv", "bench.json", "bench.md"}) {
    std::string command = "/usr/bin/python3 " FARM_TESTS_DIR "/../scripts/plot_bench.py " +
                          dir.File(name) + " " + dir.File("speedup.png") + " 2>&1";
    int status = system(command.c_str());
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << command;
    std::string png = ReadFile(dir.File("speedup.png"));
    ASSERT_GT(png.size(), 1000u) << name;
    EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8)) << name;
    std::filesystem::remove(dir.File("speedup.png"));
  }
}

}  // namespace
}  // namespace farm

// End-to-end: a million-line input runs with every id exactly once, in memory
// that depends on what is in flight, not on the size of the file.
#include <gtest/gtest.h>

#include <charconv>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "tests/run_farm.h"

namespace farm {
namespace {

using testing::RunFarm;
using testing::TempDir;

constexpr int kLines = 1'000'000;
// Generous: the coordinator needs a few MB; a leak of even 60 bytes a line
// would exceed it.
constexpr long kMaxRssKb = 60 * 1024;

// Writes the input a buffer at a time, so the test itself stays small: the
// peak RSS that wait4 reports includes this process's memory at fork.
void WriteTinyTasks(const std::string& path) {
  FILE* file = fopen(path.c_str(), "w");
  ASSERT_NE(file, nullptr);
  for (int i = 0; i < kLines; ++i) fputs("{\"type\":\"fib\",\"n\":1}\n", file);
  ASSERT_EQ(fclose(file), 0);
}

TEST(LargeInputE2E, MillionLinesEachIdOnceInBoundedMemory) {
  TempDir dir;
  WriteTinyTasks(dir.File("tasks.jsonl"));
  auto run = RunFarm(
      {"run", "-j", "2", "--seed", "1", "-o", dir.File("out.jsonl"), dir.File("tasks.jsonl")});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "");
  EXPECT_NE(run.err.find("1000000 tasks, 1000000 ok"), std::string::npos) << run.err;
  RecordProperty("max_rss_kb", std::to_string(run.max_rss_kb));
#ifndef FARM_SANITIZED  // AddressSanitizer's shadow memory and quarantine dwarf the bound
  EXPECT_LT(run.max_rss_kb, kMaxRssKb);
#endif
  EXPECT_GT(run.max_rss_kb, 0);

  // Ids default to line numbers: each of 1..kLines exactly once, all ok.
  std::vector<bool> seen(kLines + 1);
  std::ifstream out(dir.File("out.jsonl"));
  const std::string prefix = "{\"id\":";
  int count = 0, bad = 0, duplicate = 0;
  for (std::string line; std::getline(out, line); ++count) {
    int id = 0;
    const char* start = line.data() + prefix.size();
    auto [end, ec] = std::from_chars(start, line.data() + line.size(), id);
    if (line.compare(0, prefix.size(), prefix) != 0 || ec != std::errc() || *end != ',' || id < 1 ||
        id > kLines || line.find("\"ok\":true") == std::string::npos) {
      if (++bad <= 3) ADD_FAILURE() << "unexpected line: " << line;
      continue;
    }
    if (seen[id] && ++duplicate <= 3) ADD_FAILURE() << "id " << id << " twice";
    seen[id] = true;
  }
  EXPECT_EQ(count, kLines);
  EXPECT_EQ(bad, 0);
  EXPECT_EQ(duplicate, 0);
  EXPECT_EQ(std::count(seen.begin() + 1, seen.end(), true), kLines);
}

// One line of a run whose output is that line: its error code and message.
void ExpectOneFailure(const testing::FarmRun& run, const std::string& code,
                      const std::string& message) {
  EXPECT_EQ(run.exit_code, 1) << run.err;
  std::vector<nlohmann::json> lines = run.results();
  ASSERT_EQ(lines.size(), 1u) << run.err;
  EXPECT_EQ(lines[0]["error"]["code"], code) << lines[0].dump().substr(0, 300);
  EXPECT_NE(lines[0]["error"]["message"].get<std::string>().find(message), std::string::npos)
      << lines[0]["error"]["message"];
  EXPECT_LE(lines[0]["attempts"], 1) << "not a worker's death, run again";
}

// 16 MiB of NUL bytes are 96 MiB of result line once each is "\u0000":
// more than a reply may carry.
TEST(LargeInputE2E, AResultTooLargeToCarryIsBadTaskOnce) {
  const std::string task = R"({"type":"exec","argv":["head","-c","16777216","/dev/zero"],)"
                           R"("max_output_bytes":16777216})";
  ExpectOneFailure(RunFarm({"run", "-j", "1", "--allow-exec"}, task + "\n"), "bad_task",
                   "its result line would be");
}

// Lines within the limit make tasks over it: an argument used three times,
// a URL of quotes each escaped.
TEST(LargeInputE2E, ATaskTooLargeToSendIsBadTaskOnce) {
  const std::string argument(400'000, 'a');
  ExpectOneFailure(RunFarm({"exec", "-j", "1", "--", "echo", "{}", "{}", "{}"}, argument + "\n"),
                   "bad_task", "the task made of this line is");
  const std::string url = "http://127.0.0.1:9/" + std::string(600'000, '"');
  ExpectOneFailure(RunFarm({"run", "-j", "1", "--urls", "-"}, url + "\n"), "bad_task",
                   "the task made of this line is");
}

}  // namespace
}  // namespace farm

// End-to-end: the real farm binary with real forked workers. What `farm run`
// promises a user: ids, exit codes, ordering, input and output places, the
// summary.
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/run_farm.h"

namespace farm {
namespace {

using nlohmann::json;
using testing::ReadFile;
using testing::RunFarm;
using testing::RunFarmInShell;
using testing::RunFarmPiped;
using testing::TempDir;
using testing::WriteFile;

TEST(RunE2E, FibBatchGivesOneOkLinePerTask) {
  auto run = RunFarm({"run", "-j", "2", "--seed", "1"},
                     "{\"type\":\"fib\",\"n\":20}\n{\"type\":\"fib\",\"n\":100,\"id\":\"big\"}\n");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto lines = run.lines();
  ASSERT_EQ(lines.size(), 2u);
  std::map<std::string, json> by_id;
  for (const auto& line : lines) {
    json result = json::parse(line);
    EXPECT_TRUE(result["ok"].get<bool>());
    by_id[result["id"].dump()] = result;
  }
  EXPECT_EQ(by_id["1"]["result"]["head"], "6765");
  EXPECT_EQ(by_id["\"big\""]["result"]["head"], "35422484817926191507");
  EXPECT_EQ(by_id["\"big\""]["result"]["digits"], 21);
  EXPECT_NE(run.err.find("seed 1"), std::string::npos);
}

TEST(RunE2E, IdsAreEchoedAndDefaultToTheLineNumber) {
  auto run = RunFarm({"run", "-j", "2", "--keep-order"},
                     "{\"type\":\"sleep\",\"ms\":0}\n"
                     "{\"id\":\"name\",\"type\":\"sleep\",\"ms\":0}\n"
                     "{\"id\":42,\"type\":\"sleep\",\"ms\":0}\n"
                     "{\"id\":-7,\"type\":\"sleep\",\"ms\":0}\n"
                     "{\"id\":18446744073709551615,\"type\":\"sleep\",\"ms\":0}\n"
                     "{\"id\":\"\",\"type\":\"sleep\",\"ms\":0}\n"
                     "{\"id\":\"\\u00e9\\\"q\",\"type\":\"sleep\",\"ms\":0}\n"
                     "{\"type\":\"sleep\",\"ms\":0}\r\n"
                     "{\"type\":\"sleep\",\"ms\":0}");  // no final newline
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto results = run.results();
  ASSERT_EQ(results.size(), 9u);
  EXPECT_EQ(results[0]["id"], 1);
  EXPECT_EQ(results[1]["id"], "name");
  EXPECT_EQ(results[2]["id"], 42);
  EXPECT_EQ(results[3]["id"], -7);
  EXPECT_EQ(results[4]["id"].get<uint64_t>(), UINT64_MAX);
  EXPECT_EQ(results[5]["id"], "");
  EXPECT_EQ(results[6]["id"], "\xc3\xa9\"q");
  EXPECT_EQ(results[7]["id"], 8);
  EXPECT_EQ(results[8]["id"], 9);
  for (const json& result : results) {
    EXPECT_EQ(result["type"], "sleep");
    EXPECT_EQ(result["attempts"], 1);
    EXPECT_GE(result["elapsed_ms"].get<double>(), 0);
  }
}

TEST(RunE2E, ExitZeroWhenEveryTaskIsOk) {
  auto run =
      RunFarm({"run", "-j", "2"}, "{\"type\":\"fib\",\"n\":1}\n{\"type\":\"pi\",\"samples\":10}\n");
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.lines().size(), 2u);
}

TEST(RunE2E, ExitOneWhenSomeTaskFailed) {
  auto run = RunFarm({"run", "-j", "2"}, "{\"type\":\"fib\",\"n\":1}\n{\"type\":\"fib\"}\n");
  EXPECT_EQ(run.exit_code, 1) << run.err;
  EXPECT_EQ(run.lines().size(), 2u);
}

TEST(RunE2E, EmptyInputIsASuccessfulEmptyRun) {
  auto run = RunFarm({"run", "-j", "2"}, "");
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "");
  EXPECT_NE(run.err.find("0 tasks"), std::string::npos) << run.err;
}

// A usage error: exit 2, a message on stderr, nothing on stdout, nothing run.
void ExpectUsageError(const std::vector<std::string>& args, const std::string& message) {
  auto run = RunFarm(args, "{\"type\":\"fib\",\"n\":1}\n");
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_EQ(run.out, "");
  EXPECT_NE(run.err.find(message), std::string::npos) << run.err;
  EXPECT_EQ(run.err.find("tasks,"), std::string::npos) << "no summary of a run that never ran";
}

TEST(RunE2E, BadFlagIsAUsageError) {
  ExpectUsageError({"run", "--wrokers", "2"},
                   "unknown option '--wrokers' (did you mean '--workers'?)");
  ExpectUsageError({"run", "-j", "0"}, "--workers");
  ExpectUsageError({"run", "-j"}, "needs a value");
  ExpectUsageError({"run", "--seed", "x"}, "--seed");
  ExpectUsageError({"run", "a.jsonl", "b.jsonl"}, "at most one input file");
}

TEST(RunE2E, UnreadableInputIsAUsageError) {
  TempDir dir;
  ExpectUsageError({"run", dir.File("missing.jsonl")}, "missing.jsonl");
  ExpectUsageError({"run", dir.path()}, dir.path());  // a directory
  if (geteuid() != 0) {  // root reads anything
    WriteFile(dir.File("locked.jsonl"), "{\"type\":\"fib\",\"n\":1}\n");
    chmod(dir.File("locked.jsonl").c_str(), 0);
    ExpectUsageError({"run", dir.File("locked.jsonl")}, "locked.jsonl");
  }
}

TEST(RunE2E, UnwritableOutputIsAUsageError) {
  TempDir dir;
  ExpectUsageError({"run", "-o", dir.File("no/such/dir.jsonl")}, "no/such/dir.jsonl");
}

TEST(RunE2E, UnknownCommandIsAUsageError) {
  auto run = RunFarm({"rnu"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.out, "");
  EXPECT_NE(run.err.find("unknown command 'rnu'"), std::string::npos);
}

TEST(RunE2E, KeepOrderGivesInputOrder) {
  // Long sleeps first: in completion order they would come out last.
  std::string input;
  for (int ms : {300, 200, 100})
    input += "{\"type\":\"sleep\",\"ms\":" + std::to_string(ms) + "}\n";
  for (int i = 0; i < 200; ++i) input += "{\"type\":\"fib\",\"n\":" + std::to_string(i) + "}\n";
  auto run = RunFarm({"run", "-j", "4", "--keep-order"}, input);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto results = run.results();
  ASSERT_EQ(results.size(), 203u);
  for (size_t i = 0; i < results.size(); ++i) EXPECT_EQ(results[i]["id"], i + 1);
}

TEST(RunE2E, WithoutKeepOrderResultsComeAsTheyFinish) {
  auto run = RunFarm({"run", "-j", "2"},
                     "{\"type\":\"sleep\",\"ms\":1000}\n{\"type\":\"sleep\",\"ms\":0}\n");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto results = run.results();
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0]["id"], 2);
  EXPECT_EQ(results[1]["id"], 1);
}

std::string MixedInput() {
  std::string input;
  for (int i = 0; i < 50; ++i)
    input += "{\"id\":\"t" + std::to_string(i) + "\",\"type\":\"fib\",\"n\":" + std::to_string(i) +
             "}\n";
  return input;
}

std::map<std::string, json> ResultsById(const std::string& text) {
  std::map<std::string, json> by_id;
  size_t start = 0;
  for (size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
    json result = json::parse(text.substr(start, end - start));
    std::string id = result["id"];
    EXPECT_TRUE(by_id.emplace(id, result["result"]).second) << "twice: " << id;
  }
  EXPECT_EQ(start, text.size()) << "output ends with a newline";
  return by_id;
}

TEST(RunE2E, InputFromStdinDashOrFileGivesTheSameResults) {
  TempDir dir;
  WriteFile(dir.File("tasks.jsonl"), MixedInput());
  auto from_stdin = RunFarm({"run", "-j", "2"}, MixedInput());
  auto from_dash = RunFarm({"run", "-j", "2", "-"}, MixedInput());
  auto from_file = RunFarm({"run", "-j", "2", dir.File("tasks.jsonl")});
  for (const auto* run : {&from_stdin, &from_dash, &from_file})
    ASSERT_EQ(run->exit_code, 0) << run->err;
  auto want = ResultsById(from_stdin.out);
  EXPECT_EQ(want.size(), 50u);
  EXPECT_EQ(ResultsById(from_dash.out), want);
  EXPECT_EQ(ResultsById(from_file.out), want);
}

TEST(RunE2E, InputFromAPipeGivesTheSameResults) {
  auto from_file = RunFarm({"run", "-j", "2"}, MixedInput());
  auto from_pipe = RunFarmPiped({"run", "-j", "2"}, MixedInput());
  ASSERT_EQ(from_pipe.exit_code, 0) << from_pipe.err;
  EXPECT_EQ(ResultsById(from_pipe.out), ResultsById(from_file.out));
}

TEST(RunE2E, LongPipedInputIsReadAsItComes) {
  // Megabytes through a 64 KiB pipe: farm must poll its input among the
  // workers' replies, losing and repeating nothing.
  std::string input;
  for (int i = 0; i < 100'000; ++i)
    input += "{\"id\":\"t" + std::to_string(i) + "\",\"type\":\"fib\",\"n\":1}\n";
  auto run = RunFarmPiped({"run", "-j", "2", "-"}, input);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(ResultsById(run.out).size(), 100'000u);
}

TEST(RunE2E, OutputFileGetsTheResultsAndStdoutStaysEmpty) {
  TempDir dir;
  WriteFile(dir.File("out.jsonl"), "old contents that must go\n");
  auto run = RunFarm({"run", "-j", "2", "-o", dir.File("out.jsonl")}, MixedInput());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "");
  EXPECT_EQ(ResultsById(ReadFile(dir.File("out.jsonl"))).size(), 50u);
}

TEST(RunE2E, SummaryGoesToStderr) {
  auto run = RunFarm({"run", "-j", "2", "--seed", "123"},
                     "{\"type\":\"fib\",\"n\":1}\n{\"type\":\"fib\"}\n");
  EXPECT_NE(run.err.find("2 tasks, 1 ok, 1 failed, 0 retried"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("seed 123"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("2 process workers"), std::string::npos) << run.err;
}

TEST(RunE2E, SeedFromTheOsIsPrintedAndDiffers) {
  auto a = RunFarm({"run", "-j", "1"}, ""), b = RunFarm({"run", "-j", "1"}, "");
  auto seed_of = [](const std::string& err) {
    size_t at = err.find("seed ");
    return at == std::string::npos ? std::string() : err.substr(at, err.find('\n', at) - at);
  };
  EXPECT_FALSE(seed_of(a.err).empty()) << a.err;
  EXPECT_NE(seed_of(a.err), seed_of(b.err));
}

// "-" is standard output, as for -o, not a file named "-".
TEST(RunE2E, SummaryJsonDashIsStandardOutput) {
  TempDir dir;
  auto run = RunFarmInShell("cd \"$1\" && \"$0\" run -o r.jsonl --summary-json - < /dev/null",
                            {dir.path()});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(json::parse(run.out)["tasks"], 0) << run.out;
  EXPECT_FALSE(std::filesystem::exists(dir.File("-")));
}

TEST(RunE2E, SummaryJsonHoldsTheRunsFacts) {
  TempDir dir;
  std::string input =
      "{\"type\":\"fib\",\"n\":5}\n{\"type\":\"pi\",\"samples\":100}\n"
      "not json\n{\"type\":\"fib\",\"n\":-1}\n{\"type\":\"sleep\",\"ms\":1}\n";
  auto run =
      RunFarm({"run", "-j", "3", "--seed", "555", "--summary-json", dir.File("s.json")}, input);
  EXPECT_EQ(run.exit_code, 1) << run.err;
  json summary = json::parse(ReadFile(dir.File("s.json")));
  EXPECT_EQ(summary["tasks"], 5);
  EXPECT_EQ(summary["ok"], 3);
  EXPECT_EQ(summary["failed"], 2);
  EXPECT_EQ(summary["retried"], 0);
  EXPECT_EQ(summary["skipped"], 0);
  EXPECT_EQ(summary["worker_restarts"], 0);
  EXPECT_EQ(summary["seed"], 555);
  EXPECT_EQ(summary["mode"], "process");
  EXPECT_EQ(summary["workers"], 3);
  EXPECT_EQ(summary["interrupted"], false);
  EXPECT_GT(summary["wall_s"].get<double>(), 0);
  EXPECT_GT(summary["tasks_per_s"].get<double>(), 0);
  // The unparsable line never reached a worker.
  ASSERT_EQ(summary["tasks_per_worker"].size(), 3u);
  uint64_t on_workers = 0;
  for (uint64_t n : summary["tasks_per_worker"]) on_workers += n;
  EXPECT_EQ(on_workers, 4u);
}

TEST(RunE2E, UnwritableSummaryJsonIsAUsageErrorBeforeAnythingRuns) {
  auto run = RunFarm({"run", "--summary-json", "/nonexistent-dir/s.json"},
                     "{\"type\":\"sleep\",\"ms\":1}\n");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_TRUE(run.out.empty()) << run.out;
  EXPECT_NE(run.err.find("/nonexistent-dir/s.json"), std::string::npos) << run.err;
}

TEST(RunE2E, HelpAfterASubcommandPrintsUsage) {
  for (const char* command : {"run", "gen", "bench"}) {
    auto run = RunFarm({command, "--help"});
    EXPECT_EQ(run.exit_code, 0) << command;
    EXPECT_EQ(run.out.rfind(std::string("usage: farm ") + command, 0), 0u) << command;
  }
}

// Every repeated run counts, also of a task that fails in the end.
TEST(RunE2E, SummaryCountsRetriesOfTasksThatStillFail) {
  TempDir dir;
  auto run = RunFarm({"run", "-j", "1", "--task-timeout", "0.2", "--retries", "1",
                      "--summary-json", dir.File("s.json")},
                     "{\"type\":\"sleep\",\"ms\":5000}\n");
  EXPECT_EQ(run.exit_code, 1) << run.err;
  json result = json::parse(run.out);
  EXPECT_EQ(result["error"]["code"], "timeout");
  EXPECT_EQ(result["attempts"], 2);
  EXPECT_EQ(json::parse(ReadFile(dir.File("s.json")))["retried"], 1);
}

}  // namespace
}  // namespace farm

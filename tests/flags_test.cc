// The command-line parser shared by farm's subcommands, and `farm run`'s
// options on top of it.
#include "coordinator/flags.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "coordinator/run.h"

namespace farm {
namespace {

// Holds argv strings alive for a parse.
class Args {
 public:
  Args(std::initializer_list<std::string> words) : words_(words) {
    for (std::string& word : words_) pointers_.push_back(word.data());
  }
  std::span<char* const> span() const { return pointers_; }

 private:
  std::vector<std::string> words_;
  std::vector<char*> pointers_;
};

// A parser with --workers/-j (int), --name (text) and --verbose (no value).
struct Parsed {
  Status status;
  int workers = 0;
  std::string name;
  bool verbose = false;
  std::vector<std::string> positional;
};

Parsed Parse(std::initializer_list<std::string> words) {
  Parsed parsed;
  const Flag flags[] = {
      {"--workers", 'j', "N", "workers", IntInto("--workers", 1, 64, &parsed.workers)},
      {"--name", 0, "NAME", "a name",
       [&](std::string_view v) { return parsed.name = v, Status::Ok(); }},
      {"--verbose", 'v', "", "say more",
       [&](std::string_view) { return parsed.verbose = true, Status::Ok(); }},
  };
  Args args(words);
  parsed.status = ParseFlags(args.span(), flags, &parsed.positional);
  return parsed;
}

TEST(Flags, LongFlagTakesTheNextWordOrAnEqualsValue) {
  EXPECT_EQ(Parse({"--workers", "4"}).workers, 4);
  EXPECT_EQ(Parse({"--workers=5"}).workers, 5);
  EXPECT_EQ(Parse({"--name=a=b"}).name, "a=b");
  EXPECT_EQ(Parse({"--name", "-"}).name, "-");
  EXPECT_EQ(Parse({"--name="}).name, "");
}

TEST(Flags, AliasTakesTheNextWordOrAnAttachedValue) {
  EXPECT_EQ(Parse({"-j", "3"}).workers, 3);
  EXPECT_EQ(Parse({"-j7"}).workers, 7);
  EXPECT_TRUE(Parse({"-v"}).verbose);
}

TEST(Flags, PositionalsKeepTheirOrderAmongFlags) {
  Parsed parsed = Parse({"a", "-j", "2", "-", "b", "--verbose", "c"});
  ASSERT_TRUE(parsed.status.ok()) << parsed.status.message();
  EXPECT_EQ(parsed.positional, (std::vector<std::string>{"a", "-", "b", "c"}));
  EXPECT_TRUE(parsed.verbose);
}

TEST(Flags, DoubleDashEndsTheFlags) {
  Parsed parsed = Parse({"--verbose", "--", "--workers", "-j"});
  ASSERT_TRUE(parsed.status.ok());
  EXPECT_EQ(parsed.positional, (std::vector<std::string>{"--workers", "-j"}));
  EXPECT_EQ(parsed.workers, 0);
}

TEST(Flags, UnknownFlagGetsDidYouMean) {
  Parsed parsed = Parse({"--worker", "2"});
  EXPECT_FALSE(parsed.status.ok());
  EXPECT_EQ(parsed.status.message(), "unknown option '--worker' (did you mean '--workers'?)");
  EXPECT_EQ(Parse({"--nme=x"}).status.message(),
            "unknown option '--nme=x' (did you mean '--name'?)");
  EXPECT_EQ(Parse({"--colour"}).status.message(), "unknown option '--colour'");
  EXPECT_EQ(Parse({"-x"}).status.message().rfind("unknown option '-x'", 0), 0u);
}

TEST(Flags, MissingValueIsAnError) {
  Parsed parsed = Parse({"--verbose", "--workers"});
  EXPECT_FALSE(parsed.status.ok());
  EXPECT_EQ(parsed.status.message(), "--workers needs a value");
  EXPECT_FALSE(Parse({"-j"}).status.ok());
}

TEST(Flags, ValueForASwitchIsAnError) {
  EXPECT_EQ(Parse({"--verbose=yes"}).status.message(), "--verbose takes no value");
}

TEST(Flags, BadValueNamesTheFlag) {
  Parsed parsed = Parse({"-j", "lots"});
  EXPECT_FALSE(parsed.status.ok());
  EXPECT_EQ(parsed.status.message(), "--workers: expected an integer from 1 to 64, got 'lots'");
  EXPECT_FALSE(Parse({"--workers=0"}).status.ok());
  EXPECT_FALSE(Parse({"--workers=65"}).status.ok());
  EXPECT_FALSE(Parse({"--workers=4x"}).status.ok());
  EXPECT_FALSE(Parse({"--workers="}).status.ok());
  EXPECT_FALSE(Parse({"--workers= 4"}).status.ok());
}

TEST(Flags, IntIsStrict) {
  int64_t value = 0;
  EXPECT_TRUE(ParseInt("--n", "-5", -10, 10, &value).ok());
  EXPECT_EQ(value, -5);
  EXPECT_FALSE(ParseInt("--n", "+5", -10, 10, &value).ok());
  EXPECT_FALSE(ParseInt("--n", "5.0", -10, 10, &value).ok());
  EXPECT_FALSE(ParseInt("--n", "0x10", 0, 100, &value).ok());
  EXPECT_FALSE(ParseInt("--n", "99999999999999999999", 0, INT64_MAX, &value).ok());
  EXPECT_TRUE(ParseInt("--n", "9223372036854775807", 0, INT64_MAX, &value).ok());
  EXPECT_EQ(value, INT64_MAX);
}

TEST(Flags, Uint64CoversTheWholeRange) {
  uint64_t value = 0;
  EXPECT_TRUE(ParseUint64("--seed", "18446744073709551615", &value).ok());
  EXPECT_EQ(value, UINT64_MAX);
  EXPECT_TRUE(ParseUint64("--seed", "0", &value).ok());
  EXPECT_EQ(value, 0u);
  EXPECT_FALSE(ParseUint64("--seed", "18446744073709551616", &value).ok());
  EXPECT_FALSE(ParseUint64("--seed", "-1", &value).ok());
  EXPECT_FALSE(ParseUint64("--seed", "", &value).ok());
  EXPECT_EQ(ParseUint64("--seed", "x", &value).message(),
            "--seed: expected an unsigned 64-bit integer, got 'x'");
}

TEST(Flags, DoubleRejectsNonFiniteAndTooSmall) {
  double value = 0;
  EXPECT_TRUE(ParseDouble("--t", "0.5", 0.001, &value).ok());
  EXPECT_EQ(value, 0.5);
  EXPECT_TRUE(ParseDouble("--t", "2e3", 0.001, &value).ok());
  EXPECT_EQ(value, 2000);
  for (const char* bad : {"0", "-1", "nan", "inf", "1s", ""})
    EXPECT_FALSE(ParseDouble("--t", bad, 0.001, &value).ok()) << bad;
}

// `farm run`'s own options, through the same parser.
bool ParseRun(std::initializer_list<std::string> words, RunOptions* options) {
  Args args(words);
  return ParseRunOptions(args.span(), options);
}

TEST(RunFlags, EveryOptionLandsInItsField) {
  RunOptions o;
  ASSERT_TRUE(ParseRun({"-j", "3", "--seed", "99", "--keep-order", "-o", "out.jsonl",
                        "--retries", "0", "--task-timeout", "1.5", "--delay", "5:10",
                        "--max-tasks-per-worker", "100", "--memory-limit", "256", "--no-progress",
                        "--summary-json", "s.json", "tasks.jsonl"},
                       &o));
  EXPECT_EQ(o.workers, 3);
  EXPECT_EQ(o.seed, 99u);
  EXPECT_TRUE(o.keep_order);
  EXPECT_EQ(o.output, "out.jsonl");
  EXPECT_EQ(o.retries, 0);
  EXPECT_EQ(o.task_timeout_s, 1.5);
  EXPECT_EQ(o.politeness.delay_min_ms, 5);
  EXPECT_EQ(o.politeness.delay_max_ms, 10);
  EXPECT_EQ(o.max_tasks_per_worker, 100);
  EXPECT_EQ(o.memory_limit_mb, 256);
  EXPECT_FALSE(o.progress);
  EXPECT_EQ(o.summary_json, "s.json");
  EXPECT_EQ(o.input, "tasks.jsonl");
}

TEST(RunFlags, DefaultsReadStdinWithAnOsSeed) {
  RunOptions a, b;
  ASSERT_TRUE(ParseRun({}, &a));
  ASSERT_TRUE(ParseRun({}, &b));
  EXPECT_EQ(a.input, "-");
  EXPECT_TRUE(a.output.empty());
  EXPECT_GE(a.workers, 1);
  EXPECT_EQ(a.mode, Mode::kProcess);
  EXPECT_NE(a.seed, b.seed);
}

TEST(RunFlags, UsageErrorsAreRejected) {
  RunOptions o;
  EXPECT_FALSE(ParseRun({"a.jsonl", "b.jsonl"}, &o));
  EXPECT_FALSE(ParseRun({"--resume"}, &o));
  EXPECT_FALSE(ParseRun({"--delay", "10:5"}, &o));
  EXPECT_FALSE(ParseRun({"--mode", "threads"}, &o));
  EXPECT_FALSE(ParseRun({"--seed", "-3"}, &o));
  EXPECT_FALSE(ParseRun({"--urls", "u.txt", "tasks.jsonl"}, &o));
  EXPECT_FALSE(ParseRun({"-j", "0"}, &o));
}

}  // namespace
}  // namespace farm

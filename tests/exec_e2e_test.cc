// exec tasks and farm exec on the real binary: commands run without a shell,
// their output captured, and no process of theirs outlives the task however
// it ends (its own timeout, --task-timeout, --memory-limit, Ctrl-C, the
// worker's death).
#include <signal.h>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>

#include "tests/run_farm.h"

namespace farm {
namespace {

using nlohmann::json;
using testing::FarmRun;
using testing::RunFarm;
using testing::TempDir;
using testing::WaitFor;

std::string ExecLine(const json& argv, const json& extra = json::object()) {
  json task = {{"type", "exec"}, {"argv", argv}};
  task.update(extra);
  return task.dump() + "\n";
}

// A shell command that starts a `sleep` in the background, notes its pid in
// `pid_file`, then does `then`.
json ForksSleep(const std::string& pid_file, const std::string& then = "wait") {
  return {"sh", "-c", "sleep 300 & echo $! > '" + pid_file + "'; " + then};
}

// The pid noted in `path`, once it is there.
pid_t NotedPid(const std::string& path) {
  pid_t pid = 0;
  WaitFor([&] {
    std::string text = testing::ReadFile(path);
    return !text.empty() && text.back() == '\n' && (pid = std::stoi(text)) > 0;
  });
  return pid;
}

// Gone, or dead and waiting for a reaper that is not farm's to be.
bool Dead(pid_t pid) {
  return WaitFor(
      [pid] {
        char s = testing::ProcessState(pid);
        return s == 0 || s == 'Z';
      },
      10);
}

TEST(ExecE2E, ReplacementStringsAreSubstitutedIntoArgv) {
  FarmRun run =
      RunFarm({"exec", "-j", "1", "--output", "stdout", "--keep-order", "--", "printf", "%s\\n",
               "{}", "{.}", "{/}", "{//}", "{/.}", "{#}", "s{%}", ":::", "d.x/a.tar.gz", "b"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out,
            "d.x/a.tar.gz\nd.x/a.tar\na.tar.gz\nd.x\na.tar\n1\ns1\n"
            "b\nb\nb\n.\nb\n2\ns1\n");
}

TEST(ExecE2E, SlotIsTheWorkersAndArgumentsComeFromStdinByDefault) {
  FarmRun run = RunFarm({"exec", "-j", "2", "--keep-order", "--", "echo", "{%}"}, "a\nb\nc\nd\n");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto results = run.results();
  ASSERT_EQ(results.size(), 4u);
  for (size_t i = 0; i < results.size(); ++i) {
    EXPECT_EQ(results[i]["id"], i + 1);
    EXPECT_EQ(results[i]["result"]["stdout"],
              std::to_string(results[i]["worker"].get<int>() + 1) + "\n");
  }
}

TEST(ExecE2E, ShellMetacharactersInArgumentsStayLiteral) {
  TempDir dir;
  std::string marker = dir.File("pwned");
  std::vector<std::string> attacks = {"; touch " + marker, "$(touch " + marker + ")",
                                      "`touch " + marker + "`", "| rm -rf " + dir.path(),
                                      "&& touch " + marker};
  std::vector<std::string> args = {"exec",   "-j", "2",  "--keep-order", "--",
                                   "printf", "%s", "{}", ":::"};
  args.insert(args.end(), attacks.begin(), attacks.end());
  FarmRun run = RunFarm(args);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto results = run.results();
  ASSERT_EQ(results.size(), attacks.size());
  for (size_t i = 0; i < attacks.size(); ++i) EXPECT_EQ(results[i]["result"]["stdout"], attacks[i]);
  EXPECT_FALSE(std::ifstream(marker).good()) << "a shell ran the argument";
}

TEST(ExecE2E, RefusedWithoutAllowExec) {
  std::string task = ExecLine({"true"});
  FarmRun refused = RunFarm({"run"}, task);
  EXPECT_EQ(refused.exit_code, 1);
  auto results = refused.results();
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0]["error"]["code"], "bad_task");
  EXPECT_NE(results[0]["error"]["message"].get<std::string>().find("--allow-exec"),
            std::string::npos);
  FarmRun allowed = RunFarm({"run", "--allow-exec"}, task);
  EXPECT_EQ(allowed.exit_code, 0) << allowed.out;
}

TEST(ExecE2E, FailingAndMissingCommandsSayWhy) {
  FarmRun run = RunFarm({"run", "--allow-exec", "--keep-order"},
                        ExecLine({"sh", "-c", "echo out; echo oops >&2; exit 3"}) +
                            ExecLine({"no-such-command-here"}) + ExecLine({"/dev/null"}) +
                            ExecLine({"sh", "-c", "kill -TERM $$"}) + ExecLine({""}));
  EXPECT_EQ(run.exit_code, 1);
  auto r = run.results();
  ASSERT_EQ(r.size(), 5u);
  EXPECT_EQ(r[0]["error"]["code"], "exit_status");
  EXPECT_EQ(r[0]["error"]["message"], "exited with status 3");
  EXPECT_EQ(r[0]["result"]["exit_code"], 3);
  EXPECT_EQ(r[0]["result"]["stdout"], "out\n");
  EXPECT_EQ(r[0]["result"]["stderr"], "oops\n");
  EXPECT_EQ(r[1]["error"]["code"], "exit_status");
  EXPECT_EQ(r[1]["error"]["message"],
            "cannot run 'no-such-command-here': command not found in PATH");
  EXPECT_EQ(r[1]["result"]["exit_code"], 127);
  EXPECT_EQ(r[2]["error"]["message"], "cannot run '/dev/null': Permission denied");
  EXPECT_EQ(r[2]["result"]["exit_code"], 126) << "found, but not runnable";
  EXPECT_EQ(r[3]["result"]["signal"], SIGTERM);
  EXPECT_TRUE(r[3]["result"]["exit_code"].is_null());
  EXPECT_EQ(r[4]["error"]["message"], "cannot run '': command not found in PATH");
  EXPECT_EQ(r[4]["result"]["exit_code"], 127);
}

// argv[0] is looked for in the command's own PATH, as env gives it; and a
// file without a #! line is no program: execvpe would run it with /bin/sh.
TEST(ExecE2E, CommandIsFoundInItsOwnPathAndRunWithoutAShell) {
  TempDir dir;
  const std::string bin = dir.File("bin");
  ASSERT_EQ(mkdir(bin.c_str(), 0755), 0);
  testing::WriteFile(bin + "/mytool", "#!/bin/sh\necho mine\n");
  testing::WriteFile(bin + "/noshebang", "touch '" + dir.File("ran") + "'\n");
  ASSERT_EQ(chmod((bin + "/mytool").c_str(), 0755), 0);
  ASSERT_EQ(chmod((bin + "/noshebang").c_str(), 0755), 0);
  FarmRun run = RunFarm({"run", "--allow-exec", "--keep-order"},
                        ExecLine({"mytool"}, {{"env", {{"PATH", "/nonexistent:" + bin}}}}) +
                            ExecLine({bin + "/noshebang"}));
  auto r = run.results();
  ASSERT_EQ(r.size(), 2u) << run.err;
  EXPECT_EQ(r[0]["result"]["stdout"], "mine\n") << r[0];
  EXPECT_EQ(r[1]["result"]["exit_code"], 126) << r[1];
  EXPECT_NE(r[1]["error"]["message"].get<std::string>().find("Exec format error"),
            std::string::npos)
      << r[1];
  EXPECT_FALSE(std::filesystem::exists(dir.File("ran"))) << "no shell ran it";
}

// The command gets C strings, so a NUL would cut a field short: it would run
// in /tmp for "/tmp\0/nonexistent", and only `echo ok` of "echo ok\0; ...".
TEST(ExecE2E, NulByteInAnyStringFieldIsBadTaskNamingTheField) {
  const std::pair<std::string, std::string> cases[] = {
      {R"({"type":"exec","argv":["pwd"],"cwd":"/tmp\u0000/nonexistent"})",
       "field 'cwd' holds a NUL byte"},
      {R"({"type":"exec","shell":"echo ok\u0000; echo hidden"})", "field 'shell' holds a NUL byte"},
      {R"({"type":"exec","argv":["env"],"env":{"A\u0000B":"1"}})",
       "field 'env' has a variable name that holds a NUL byte"},
      {R"({"type":"exec","argv":["env"],"env":{"A":"1\u0000x"}})",
       "field 'env' value of 'A' holds a NUL byte"},
      {R"({"type":"exec","argv":["echo","ok\u0000hidden"]})", "field 'argv' holds a NUL byte"},
  };
  std::string tasks;
  for (const auto& [task, message] : cases) tasks += task + "\n";
  FarmRun run = RunFarm({"run", "--allow-exec", "--keep-order"}, tasks);
  EXPECT_EQ(run.exit_code, 1) << run.err;
  auto results = run.results();
  ASSERT_EQ(results.size(), std::size(cases));
  for (size_t i = 0; i < results.size(); ++i) {
    EXPECT_EQ(results[i]["error"]["code"], "bad_task") << results[i];
    EXPECT_EQ(results[i]["error"]["message"], cases[i].second) << results[i];
  }
}

// The worker's pipes to the coordinator are not close-on-exec (they sit at
// fds 3 and 4): the command must get only its stdin, stdout and stderr.
TEST(ExecE2E, CommandInheritsNoFdOfTheWorker) {
  FarmRun run = RunFarm({"run", "--allow-exec"}, ExecLine({"ls", "/proc/self/fd"}));
  ASSERT_EQ(run.exit_code, 0) << run.out;
  EXPECT_EQ(run.results()[0]["result"]["stdout"], "0\n1\n2\n3\n") << "3 is ls's own listing";
}

TEST(ExecE2E, BinaryOutputIsBase64AndHugeOutputIsCutAtTheCap) {
  FarmRun run =
      RunFarm({"run", "--allow-exec", "--keep-order"},
              ExecLine({"head", "-c", "3000000", "/dev/urandom"}, {{"max_output_bytes", 999}}) +
                  // A small cap: results of megabytes would swell this process, whose
                  // size at fork other tests' peak RSS bounds include.
                  ExecLine({"sh", "-c", "yes 0123456789 | head -c 20000000"},
                           {{"max_output_bytes", 65536}}) +
                  ExecLine({"cat"}, {{"stdin", "caf\u00e9\n"}, {"env", {{"FARM_X", "1"}}}}));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto r = run.results();
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0]["result"]["stdout_encoding"], "base64");
  EXPECT_EQ(r[0]["result"]["stdout"].get<std::string>().size(), 1332u);  // 999 bytes
  EXPECT_EQ(r[0]["result"]["stdout_bytes"], 3000000);
  EXPECT_EQ(r[0]["result"]["stdout_truncated"], true);
  EXPECT_EQ(r[1]["result"]["stdout_encoding"], "utf-8");
  EXPECT_EQ(r[1]["result"]["stdout"].get<std::string>().size(), 65536u);
  EXPECT_EQ(r[1]["result"]["stdout_bytes"], 20000000);
  EXPECT_EQ(r[1]["result"]["stdout_truncated"], true);
  EXPECT_EQ(r[2]["result"]["stdout"], "caf\u00e9\n");
  EXPECT_GT(r[2]["result"]["peak_rss_kb"].get<int>(), 0);
  EXPECT_TRUE(r[2]["result"]["cpu_user_ms"].is_number());
}

// --db ignores SIGXFSZ in the coordinator, which starts the commands in
// thread and sequential mode; an ignored signal stays ignored across exec,
// and a command over `ulimit -f` would go on with EFBIG instead of dying.
TEST(ExecE2E, CommandStartsWithSigxfszAtItsDefaultUnderDb) {
  TempDir dir;
  for (const std::string mode : {"thread", "sequential"}) {
    FarmRun run = RunFarm({"exec", "--mode", mode, "--db", dir.File(mode + ".sqlite"), "--output",
                           "stdout", "--", "grep", "SigIgn", "{}", ":::", "/proc/self/status"});
    ASSERT_EQ(run.exit_code, 0) << mode << ": " << run.err;
    ASSERT_EQ(run.out.rfind("SigIgn:\t", 0), 0u) << mode << ": " << run.out;
    uint64_t ignored = std::stoull(run.out.substr(8), nullptr, 16);
    EXPECT_EQ(ignored & (uint64_t{1} << (SIGXFSZ - 1)), 0u) << mode << ": " << run.out;
  }
}

TEST(ExecE2E, OwnTimeoutKillsTheGrandchildToo) {
  TempDir dir;
  FarmRun run =
      RunFarm({"run", "--allow-exec"}, ExecLine(ForksSleep(dir.File("pid")), {{"timeout_s", 0.5}}));
  EXPECT_EQ(run.exit_code, 1);
  auto r = run.results();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0]["error"]["code"], "timeout");
  EXPECT_TRUE(Dead(NotedPid(dir.File("pid"))));
}

TEST(ExecE2E, WhatTheCommandLeftRunningIsKilledWhenItExits) {
  TempDir dir;
  FarmRun run = RunFarm({"run", "--allow-exec"}, ExecLine(ForksSleep(dir.File("pid"), "exit 0")));
  EXPECT_EQ(run.exit_code, 0) << run.out;
  EXPECT_TRUE(Dead(NotedPid(dir.File("pid"))));
}

TEST(ExecE2E, TaskTimeoutKillsTheWorkersCommandGroup) {
  TempDir dir;
  FarmRun run = RunFarm({"run", "--allow-exec", "--task-timeout", "0.5", "--retries", "0"},
                        ExecLine(ForksSleep(dir.File("pid"))));
  EXPECT_EQ(run.exit_code, 1);
  auto r = run.results();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0]["error"]["code"], "timeout");
  EXPECT_TRUE(Dead(NotedPid(dir.File("pid"))));
}

TEST(ExecE2E, MemoryLimitFailsTheCommandAndKillsItsGroup) {
#ifdef FARM_SANITIZED
  GTEST_SKIP() << "sanitizers reserve more address space than any limit";
#endif
  TempDir dir;
  FarmRun run = RunFarm(
      {"run", "--allow-exec", "--memory-limit", "100"},
      ExecLine(ForksSleep(dir.File("pid"), "awk 'BEGIN { s = \"x\"; while (1) s = s s }'")));
  EXPECT_EQ(run.exit_code, 1);
  auto r = run.results();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0]["error"]["code"], "exit_status");
  EXPECT_NE(r[0]["error"]["message"].get<std::string>().find("--memory-limit 100"),
            std::string::npos);
  EXPECT_TRUE(Dead(NotedPid(dir.File("pid"))));
}

TEST(ExecE2E, WorkerDeathKillsTheCommandGroup) {
  TempDir dir;
  std::string tasks = dir.File("tasks");
  testing::WriteFile(tasks, ExecLine(ForksSleep(dir.File("pid"))));
  auto child = testing::StartFarm({"run", "--allow-exec", "-j", "1", "--retries", "0"}, tasks);
  pid_t sleeper = NotedPid(dir.File("pid"));
  auto workers = testing::WorkerPids(child.pid);
  ASSERT_EQ(workers.size(), 1u);
  kill(workers[0], SIGKILL);
  FarmRun run = testing::FinishFarm(child);
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.out.find("worker_died"), std::string::npos) << run.out;
  EXPECT_TRUE(Dead(sleeper));
}

TEST(ExecE2E, SecondCtrlCKillsTheCommandGroup) {
  TempDir dir;
  std::string out = dir.File("out");
  auto child = testing::StartFarm({"exec", "-j", "1", "-o", out, "--", "sh", "-c",
                                   "sleep 300 & echo $! > \"$1\"; wait", "sh", "{}",
                                   ":::", dir.File("pid")});
  pid_t sleeper = NotedPid(dir.File("pid"));
  kill(child.pid, SIGINT);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  kill(child.pid, SIGINT);
  FarmRun run = testing::FinishFarm(child);
  EXPECT_EQ(run.exit_code, 130) << run.err;
  EXPECT_TRUE(Dead(sleeper));
}

// A thread can't be killed, but the command it runs can: a second Ctrl-C in
// thread mode kills the command's group before leaving the thread behind.
TEST(ExecE2E, SecondCtrlCInThreadModeKillsTheCommandGroup) {
  TempDir dir;
  auto child = testing::StartFarm({"exec", "--mode", "thread", "-j", "1", "--", "sh", "-c",
                                   "sleep 300 & echo $! > \"$1\"; wait", "sh", "{}", ":::",
                                   dir.File("pid")});
  pid_t sleeper = NotedPid(dir.File("pid"));
  kill(child.pid, SIGINT);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  kill(child.pid, SIGINT);
  FarmRun run = testing::FinishFarm(child);
  EXPECT_EQ(run.exit_code, 130) << run.err;
  EXPECT_TRUE(Dead(sleeper));
}

TEST(ExecE2E, ResumeAfterCtrlCRunsTheRest) {
  TempDir dir;
  std::string args = dir.File("args"), out = dir.File("out");
  std::string lines;
  for (int i = 1; i <= 30; ++i) lines += "0.05\n";
  testing::WriteFile(args, lines);
  std::vector<std::string> command = {"exec", "-j", "2", "-o", out, "-a", args};
  auto first_args = command;
  first_args.insert(first_args.end(), {"--", "sleep", "{}"});
  auto child = testing::StartFarm(first_args);
  ASSERT_TRUE(WaitFor([&] { return testing::ReadFile(out).size() > 0; }));
  kill(child.pid, SIGINT);
  FarmRun first = testing::FinishFarm(child);
  ASSERT_EQ(first.exit_code, 130) << first.err;
  auto again = command;
  again.insert(again.end(), {"--resume", "--", "sleep", "{}"});
  FarmRun second = RunFarm(again);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  FarmRun all;
  all.out = testing::ReadFile(out);
  std::map<int, int> ok;
  for (const json& result : all.results())
    if (result["ok"] == true) ++ok[result["id"].get<int>()];
  EXPECT_EQ(ok.size(), 30u);
  for (auto& [id, count] : ok) EXPECT_EQ(count, 1) << id;
}

TEST(ExecE2E, HaltInEachForm) {
  std::vector<std::string> codes;
  for (int i = 1; i <= 40; ++i) codes.push_back(i % 4 == 0 ? "1" : "0");
  for (const char* halt : {"now,fail=1", "soon,fail=2", "soon,fail=20%", "now,success=3"}) {
    std::vector<std::string> args = {
        "exec", "-j", "2",  "--halt", halt, "--", "sh", "-c", "sleep 0.02; exit $1",
        "sh",   "{}", ":::"};
    args.insert(args.end(), codes.begin(), codes.end());
    FarmRun run = RunFarm(args);
    EXPECT_EQ(run.exit_code, 1) << halt << "\n" << run.err;
    EXPECT_LT(run.lines().size(), 40u) << halt;
    EXPECT_NE(run.err.find(std::string("halted by --halt ") + halt), std::string::npos)
        << halt << "\n"
        << run.err;
  }
}

TEST(ExecE2E, UsageErrors) {
  EXPECT_EQ(RunFarm({"exec", "echo"}).exit_code, 2);
  EXPECT_EQ(RunFarm({"exec", "--"}).exit_code, 2);
  FarmRun help = RunFarm({"exec", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("{/.}"), std::string::npos);
}

}  // namespace
}  // namespace farm

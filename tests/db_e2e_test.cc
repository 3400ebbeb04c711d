// End-to-end: --db FILE.sqlite. The rows hold what the result lines hold;
// a trickle is committed within a second; --resume --db after Ctrl-C or
// kill -9 completes the batch with each id once; a database that is
// read-only, locked, on a full file system or of an older schema is a clear
// error; farm export gives the lines back.
#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/run_farm.h"

namespace farm {
namespace {

using nlohmann::json;
using testing::FinishFarm;
using testing::ReadFile;
using testing::RunFarm;
using testing::RunFarmInShell;
using testing::StartFarm;
using testing::TempDir;
using testing::WaitFor;
using testing::WriteFile;

std::string Lines(int count, const std::string& line) {
  std::string text;
  for (int i = 0; i < count; ++i) text += line + "\n";
  return text;
}

// The first column of the first row of `sql`, as text ("" if none), read on
// a connection of the test's own, as any other reader would.
std::string Query(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  std::string value;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_busy_timeout(db, 2000);
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0) != nullptr)
      value = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db);
  return value;
}

std::multiset<std::string> SortedLines(const std::string& text) {
  testing::FarmRun run;
  run.out = text;
  std::multiset<std::string> lines;
  for (const json& line : run.results()) lines.insert(line.dump());
  return lines;
}

const char* kMixedBatch =
    R"({"id":70,"type":"fib","n":90})" "\n"
    R"({"id":"x","type":"pi","samples":1000})" "\n"
    R"({"id":"70","type":"sleep","ms":1})" "\n"
    R"({"type":"random","count":3})" "\n"
    "not json\n"
    R"({"id":"quote\"d","type":"fib","n":"\""})" "\n"
    R"({"type":"bogus"})" "\n"
    R"({"id":"e","type":"exec","argv":["sh","-c","echo '\"said\"'; exit 3"]})" "\n";

TEST(Db, MixedBatchRowsHoldWhatTheResultLinesHold) {
  TempDir dir;
  const std::string db = dir.File("r.sqlite"), out = dir.File("r.jsonl");
  auto run = RunFarm(
      {"run", "-j", "2", "--seed", "5", "--allow-exec", "--db", db, "-o", out}, kMixedBatch);
  ASSERT_EQ(run.exit_code, 1) << run.err;
  EXPECT_EQ(Query(db, "SELECT count(*) FROM results"), "8");
  EXPECT_EQ(Query(db, "SELECT count(*) FROM results WHERE NOT ok"), "4");
  EXPECT_EQ(Query(db, "SELECT json_extract(result, '$.digits') FROM results WHERE id = 70"), "19");
  EXPECT_EQ(Query(db, "SELECT type FROM results WHERE id = '70'"), "sleep");  // "70" is not 70
  EXPECT_EQ(Query(db, "SELECT error_code FROM results WHERE id = 5"), "bad_json");
  EXPECT_EQ(Query(db, R"(SELECT error_message FROM results WHERE id = 'quote"d')"),
            R"(field 'n' must be an integer, got "\"")");
  // A failed task keeps its error and what it still produced.
  EXPECT_EQ(Query(db, "SELECT error_code FROM results WHERE id = 'e'"), "exit_status");
  EXPECT_EQ(Query(db, "SELECT json_extract(result, '$.stdout') FROM results WHERE id = 'e'"),
            "\"said\"\n");
  EXPECT_EQ(Query(db, "SELECT seed || ' ' || mode || ' ' || workers FROM runs"), "5 process 2");
  EXPECT_EQ(Query(db, "SELECT json_extract(summary, '$.failed') FROM runs"), "4");
  EXPECT_EQ(Query(db, "PRAGMA integrity_check"), "ok");

  auto exported = RunFarm({"export", "--db", db});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  EXPECT_EQ(SortedLines(exported.out), SortedLines(ReadFile(out)));

  auto csv = RunFarm({"export", "--db", db, "--run", "1", "--format", "csv"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_TRUE(csv.out.starts_with("run,id,type,ok,worker,")) << csv.out;
  EXPECT_NE(csv.out.find(R"(1,"""quote\""d""",fib,0,)"), std::string::npos) << csv.out;
}

// Rows go many to a statement, the rest of a batch one by one. Quick tasks
// come back many to a turn of the coordinator's loop, so 150 copies of a
// mixed batch (1,050 lines, the same ids in every copy) fill whole
// statements: one row per id is left, the last line's.
TEST(Db, ManyRowsToAStatementKeepEachIdsLastLine) {
  TempDir dir;
  const std::string db = dir.File("r.sqlite"), out = dir.File("r.jsonl");
  const std::string copy =
      R"({"id":70,"type":"fib","n":90})" "\n"
      R"({"id":"x","type":"pi","samples":10})" "\n"
      R"({"id":"7\"0","type":"sleep","ms":0})" "\n"
      R"({"type":"random","count":3})" "\n"
      "not json\n"
      R"({"id":"quote\"d","type":"fib","n":-1})" "\n"
      R"({"type":"bogus"})" "\n";
  std::string batch;
  for (int i = 0; i < 150; ++i) batch += copy;
  auto run = RunFarm({"run", "-j", "2", "--seed", "5", "--db", db, "-o", out}, batch);
  ASSERT_EQ(run.exit_code, 1) << run.err;
  // Ids 70, "x", "7\"0", "quote\"d", and the line numbers of the other
  // three lines of each copy; line 70 (the bogus type of the 10th copy) is
  // id 70 too, and the fib with id 70 of a later copy replaces its failure.
  EXPECT_EQ(Query(db, "SELECT count(*) FROM results"), std::to_string(4 + 3 * 150 - 1));
  EXPECT_EQ(Query(db, "SELECT count(*) FROM results WHERE NOT ok"),
            std::to_string(1 + 2 * 150 - 1));
  EXPECT_EQ(Query(db, "SELECT type FROM results WHERE id = 70"), "fib");
  EXPECT_EQ(Query(db, "SELECT type FROM results WHERE id = '7\"0'"), "sleep");
  EXPECT_EQ(Query(db, "PRAGMA integrity_check"), "ok");

  // Rows are written in the file's order: each id's last line in the file
  // is the one the database holds.
  std::map<std::string, std::string> last;
  testing::FarmRun lines;
  lines.out = ReadFile(out);
  for (const json& line : lines.results()) last[line["id"].dump()] = line.dump();
  std::multiset<std::string> expected;
  for (const auto& [id, line] : last) expected.insert(line);
  auto exported = RunFarm({"export", "--db", db});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  EXPECT_EQ(SortedLines(exported.out), expected);
}

TEST(Db, ATrickleOfResultsIsCommittedWithinASecond) {
  TempDir dir;
  const std::string db = dir.File("r.sqlite"), tasks = dir.File("tasks");
  WriteFile(tasks, R"({"type":"fib","n":10})" "\n" R"({"type":"sleep","ms":600000})" "\n");
  auto child = StartFarm({"run", "-j", "1", "--db", db, "-o", dir.File("out")}, tasks);
  // Far less than the sleep: the fib row is durable long before the run ends.
  EXPECT_TRUE(WaitFor([&] { return Query(db, "SELECT count(*) FROM results") == "1"; }, 10));
  kill(child.pid, SIGINT);
  kill(child.pid, SIGTERM);  // a second stop signal, not merged with the first: stop at once
  auto run = FinishFarm(child);
  EXPECT_EQ(run.exit_code, 130) << run.err;
}

// Starts a batch of 400 short sleeps and stops it with `signal` once the
// database has committed rows; then resumes it from the database.
void StopThenResume(int signal, int expected_exit) {
  TempDir dir;
  const std::string db = dir.File("r.sqlite"), tasks = dir.File("tasks");
  WriteFile(tasks, Lines(400, R"({"type":"sleep","ms":10})"));
  auto child = StartFarm({"run", "-j", "2", "--db", db, "-o", dir.File("out")}, tasks);
  ASSERT_TRUE(WaitFor([&] { return Query(db, "SELECT count(*) > 0 FROM results") == "1"; }));
  kill(child.pid, signal);
  auto first = FinishFarm(child);
  ASSERT_EQ(first.exit_code, expected_exit) << first.err;
  EXPECT_EQ(Query(db, "PRAGMA integrity_check"), "ok");
  const int done = std::stoi(Query(db, "SELECT count(*) FROM results"));
  EXPECT_GT(done, 0);
  EXPECT_LT(done, 400);
  if (signal == SIGINT) {  // every result received is written, to both
    EXPECT_EQ(SortedLines(ReadFile(dir.File("out"))).size(), static_cast<size_t>(done));
  }

  auto second = RunFarm({"run", "-j", "2", "--resume", "--db", db, "-o", dir.File("out2")},
                        ReadFile(tasks));
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(second.err.find(std::to_string(done) + " tasks already done"), std::string::npos)
      << second.err;
  EXPECT_EQ(Query(db, "SELECT count(*) || ' ' || count(DISTINCT id) || ' ' || sum(ok) "
                      "FROM results WHERE run = 1"),
            "400 400 400");
  EXPECT_EQ(Query(db, "SELECT count(*) || ' ' || max(resumed) FROM runs"), "1 1");
  EXPECT_EQ(SortedLines(ReadFile(dir.File("out2"))).size(), static_cast<size_t>(400 - done));
}

TEST(Db, ResumeAfterCtrlCCompletesEachIdExactlyOnce) { StopThenResume(SIGINT, 130); }

TEST(Db, ResumeAfterKillNineCompletesEachIdExactlyOnce) { StopThenResume(SIGKILL, 128 + 9); }

TEST(Db, ResumeRetriesFailedRowsInPlace) {
  TempDir dir;
  const std::string db = dir.File("r.sqlite");
  ASSERT_EQ(RunFarm({"run", "--db", db}, R"({"id":1,"type":"fib","n":-1})").exit_code, 1);
  // The same id, fixed: its row is replaced, not doubled.
  auto run = RunFarm({"run", "--resume", "--db", db}, R"({"id":1,"type":"fib","n":5})");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(Query(db, "SELECT count(*) || ' ' || sum(ok) FROM results"), "1 1");
}

// A password in an argument (a crawl's seed) is not written, as in the lines,
// nor a header's value (a token).
TEST(Db, SecretsOfTheCommandLineAreNotWritten) {
  TempDir dir;
  const std::string db = dir.File("r.sqlite");
  auto run = RunFarm({"crawl", "http://ann:s3cret@127.0.0.1:1/", "--db", db, "-o",
                      dir.File("r.jsonl"), "--no-progress", "--fetch-retries", "0", "--header",
                      "Authorization: Bearer t0ken", "--header=Cookie: id=c00kie"});
  EXPECT_EQ(run.exit_code, 1) << run.err;  // nothing listens on port 1
  const std::string command_line = Query(db, "SELECT command_line FROM runs");
  for (const char* secret : {"s3cret", "t0ken", "c00kie"})
    EXPECT_EQ(command_line.find(secret), std::string::npos) << command_line;
  EXPECT_NE(command_line.find("ann:***@"), std::string::npos) << command_line;
  EXPECT_NE(command_line.find(R"("--header","Authorization: ***")"), std::string::npos)
      << command_line;
  EXPECT_NE(command_line.find(R"("--header=Cookie: ***")"), std::string::npos) << command_line;
}

TEST(Db, OlderSchemaIsRefusedAndLeftAsItWas) {
  TempDir dir;
  const std::string db = dir.File("old.sqlite");
  sqlite3* handle = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &handle), SQLITE_OK);
  sqlite3_exec(handle, "CREATE TABLE results (id, line); PRAGMA user_version = 0", nullptr,
               nullptr, nullptr);
  sqlite3_close(handle);
  const std::string before = ReadFile(db);
  auto run = RunFarm({"run", "--db", db}, R"({"type":"fib","n":5})");
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_NE(run.err.find("has schema version 0; this farm reads and writes version 1"),
            std::string::npos)
      << run.err;
  EXPECT_EQ(ReadFile(db), before);
  EXPECT_EQ(RunFarm({"export", "--db", db}).exit_code, 3);
}

TEST(Db, NotADatabaseIsRefused) {
  TempDir dir;
  WriteFile(dir.File("notes.sqlite"), "hello\n");
  auto run = RunFarm({"run", "--db", dir.File("notes.sqlite")}, R"({"type":"fib","n":5})");
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_NE(run.err.find("is not a farm database"), std::string::npos) << run.err;
}

TEST(Db, ReadOnlyDatabaseIsRefusedBeforeAnythingRuns) {
  TempDir dir;
  const std::string db = dir.File("r.sqlite");
  ASSERT_EQ(RunFarm({"run", "--db", db}, R"({"type":"fib","n":5})").exit_code, 0);
  chmod(dir.path().c_str(), 0755);
  chmod(db.c_str(), 0444);
  // Root may write anything: run as nobody then.
  const std::string as =
      geteuid() == 0 ? "setpriv --reuid=65534 --regid=65534 --clear-groups " : "";
  auto run = RunFarmInShell(as + "\"$0\" run --db \"$1\" < /dev/null", {db});
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_NE(run.err.find("cannot write '" + db + "': Permission denied"), std::string::npos)
      << run.err;
  EXPECT_EQ(Query(db, "SELECT count(*) FROM results"), "1");
}

TEST(Db, LockedDatabaseIsExitThreeAndKeepsWhatWasCommitted) {
  TempDir dir;
  const std::string db = dir.File("r.sqlite");
  ASSERT_EQ(RunFarm({"run", "--db", db}, Lines(3, R"({"type":"fib","n":5})")).exit_code, 0);
  sqlite3* other = nullptr;  // another process's writer, as far as farm can tell
  ASSERT_EQ(sqlite3_open(db.c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  auto run = RunFarm({"run", "--db", db}, Lines(3, R"({"type":"fib","n":5})"));
  sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(other);
  EXPECT_EQ(run.exit_code, 3) << run.err;
  EXPECT_NE(run.err.find("cannot write --db '" + db + "': database is locked"), std::string::npos)
      << run.err;
  EXPECT_EQ(Query(db, "SELECT count(*) FROM results"), "3");
  EXPECT_EQ(Query(db, "PRAGMA integrity_check"), "ok");
}

TEST(Db, FullFileSystemIsExitThreeAndKeepsWhatWasCommitted) {
  TempDir dir;
  const std::string db = dir.File("r.sqlite"), tasks = dir.File("tasks");
  WriteFile(tasks, Lines(100'000, R"({"type":"sleep","ms":0})"));
  // A file-size limit of 2 MB stands in for a full disk: room for the first
  // commit (20,000 rows, about 1.1 MB), not for all 100,000 rows.
  auto run = RunFarmInShell("ulimit -f 4096; exec \"$0\" run -j 2 --db \"$1\" -o /dev/null \"$2\"",
                            {db, tasks});
  EXPECT_EQ(run.exit_code, 3) << run.err;
  EXPECT_NE(run.err.find("cannot write results to --db '" + db + "'"), std::string::npos)
      << run.err;
  EXPECT_EQ(Query(db, "PRAGMA integrity_check"), "ok");
  const int kept = std::stoi("0" + Query(db, "SELECT count(*) FROM results"));
#ifndef FARM_SANITIZED  // so slow that the first transaction alone can fill the file
  EXPECT_GT(kept, 0);   // the transactions committed before it filled up
#endif
  EXPECT_LT(kept, 100'000);
}

TEST(Db, ResumeNeedsOutputOrDb) {
  auto run = RunFarm({"run", "--resume"}, R"({"type":"fib","n":5})");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("--resume needs --output FILE or --db FILE"), std::string::npos)
      << run.err;
}

}  // namespace
}  // namespace farm

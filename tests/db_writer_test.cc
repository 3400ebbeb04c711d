// The writer on its own, where the batch it writes is known: 70 lines make
// two whole statements of 32 rows and six rows one by one, with ids repeated
// within a statement, across statements and in the rows one by one. Each id
// keeps its last line, and a failed line's error lands in its columns.
#include "coordinator/db_writer.h"

#include <sqlite3.h>

#include <gtest/gtest.h>

#include <string>

#include "common/result_line.h"
#include "tests/run_farm.h"

namespace farm {
namespace {

constexpr int kWriterLines = 70;
constexpr int kWriterIds = 25;

// The first column of the first row of `sql`, as text ("" if none).
std::string WrittenValue(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  std::string value;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK &&
      sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
      sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0) != nullptr)
    value = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return value;
}

TEST(DbWriter, WholeStatementsAndSingleRowsKeepEachIdsLastLine) {
  testing::TempDir dir;
  const std::string path = dir.File("w.sqlite");
  DbWriter writer;
  ASSERT_TRUE(writer.Open(path, {.seed = 1, .command_line = "[]", .mode = "process", .workers = 1},
                          /*resume=*/false)
                  .ok());
  for (int i = 0; i < kWriterLines; ++i) {
    const std::string id = std::to_string(i % kWriterIds);
    // An escape: the type is bound from the row's scratch, not from its line.
    const std::string type = R"("t\")" + std::to_string(i % 3) + '"';
    const ResultHeader header = {.id_json = id, .type_json = type, .worker = 0};
    std::string line;
    if (i % 7 == 3) {
      AppendErrorLine(header, "bad_task", "line " + std::to_string(i), &line);
    } else {
      AppendSuccessLine(header, R"({"i":)" + std::to_string(i) + "}", &line);
    }
    ASSERT_TRUE(writer.Add(line));
  }
  ASSERT_TRUE(writer.Finish("{}").ok());  // one batch: 32 + 32 rows, then 6 one by one

  EXPECT_EQ(WrittenValue(path, "SELECT count(*) FROM results"), std::to_string(kWriterIds));
  for (int id = 0; id < kWriterIds; ++id) {
    auto column = [&](const std::string& name) {
      return WrittenValue(path,
                          "SELECT " + name + " FROM results WHERE id = " + std::to_string(id));
    };
    const int last = id + (kWriterLines - 1 - id) / kWriterIds * kWriterIds;
    SCOPED_TRACE("id " + std::to_string(id) + ", last line " + std::to_string(last));
    EXPECT_EQ(column("type"), "t\"" + std::to_string(last % 3));
    if (last % 7 == 3) {
      EXPECT_EQ(column("ok"), "0");
      EXPECT_EQ(column("error_message"), "line " + std::to_string(last));
      EXPECT_EQ(column("result"), "");
    } else {
      EXPECT_EQ(column("ok"), "1");
      EXPECT_EQ(column("result"), R"({"i":)" + std::to_string(last) + "}");
      EXPECT_EQ(column("error_code"), "");
    }
  }
}

}  // namespace
}  // namespace farm

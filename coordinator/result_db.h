// farm's results in SQLite (--db FILE): the schema, the checks made before a
// run, and the lookup --resume --db makes. The schema is the one place its
// tables are described; the README shows it and what to ask of it:
//
//   runs(run INTEGER PRIMARY KEY, seed TEXT, command_line TEXT (JSON array),
//        mode TEXT, workers INTEGER, started_at TEXT, ended_at TEXT,
//        resumed INTEGER, summary TEXT (JSON, as --summary-json))
//   results(run, id (7 for the id 7, 'x' for the id "x"), type TEXT, ok INTEGER,
//           worker INTEGER, attempts INTEGER, elapsed_ms REAL,
//           error_code TEXT, error_message TEXT, result TEXT (JSON),
//           finished_at REAL (Unix seconds), PRIMARY KEY (run, id))
//
// A batch is one run; `--resume --db` continues the newest run, and the
// primary key makes a second row for an id of it impossible (an upsert).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "coordinator/resume.h"

namespace farm {

// The schema this farm writes (PRAGMA user_version). A file of another
// version is refused with a message, never changed.
constexpr int kDbSchemaVersion = 1;

// The C API directly, with an owner per handle: a handful of statements do
// not need a wrapper library, and errors stay Status values.
struct SqliteCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using SqliteDb = std::unique_ptr<sqlite3, SqliteCloser>;
using SqliteStmt = std::unique_ptr<sqlite3_stmt, SqliteCloser>;

// "what 'path': sqlite's message".
Status DbError(sqlite3* db, const std::string& what);
Status OpenDb(const std::string& path, int flags, SqliteDb* db);
Status Prepare(sqlite3* db, const char* sql, SqliteStmt* stmt);
// Runs `sql`; on failure "what: sqlite's message".
Status Exec(sqlite3* db, const char* sql, const std::string& what);

// Binds a canonical id (common/canonical_id.h) as its column value: an
// integer as INTEGER, a string as TEXT, so 7 and "7" stay two ids and line
// numbers are keys in ascending order; an integer past INT64_MAX as a BLOB
// of its digits. `scratch` holds what the binding points into.
void BindId(sqlite3_stmt* stmt, int index, std::string_view id_json, std::string* scratch);
// The canonical id of a column value that BindId stored.
std::string IdJsonOf(sqlite3_stmt* stmt, int column);
// A JSON string's value: a view into `json`, or into *scratch once
// unescaped. Anything but a string comes back as it is.
std::string_view JsonStringValue(std::string_view json, std::string* scratch);

// An error naming both versions unless `db` is empty or of kDbSchemaVersion.
Status CheckVersion(sqlite3* db, const std::string& path);

// Checks, reading only, that `path` can take farm's results: a new name in
// a folder we may write, or a SQLite file of this schema version that we may
// write in a folder we may write (WAL keeps files beside it).
Status CheckDb(const std::string& path);

// Opens `path` for writing: WAL, the schema created if the file is new, and
// the version checked again.
Status OpenDbForWriting(const std::string& path, SqliteDb* db);

// The newest run in `db`, or 0 when there is none.
Status NewestRun(sqlite3* db, int64_t* run);

// --resume --db: an id is done when the run continued has an ok row for it. One
// lookup in the primary key each, on a read connection of its own: memory
// stays flat whatever the number of done tasks. Repeated ids in the input
// are not reported, as that would need a set of every id.
class DbDoneIds : public DoneIds {
 public:
  Status Open(const std::string& path, int64_t run);
  bool Done(const std::string& id_json, uint64_t line) override;
  const Status& status() const { return status_; }
  // Ends its read, so the writer's close can checkpoint and remove the WAL.
  void Close();

 private:
  SqliteDb db_;
  SqliteStmt lookup_;
  int64_t run_ = 0;
  uint64_t lookups_ = 0;
  Status status_;
};

}  // namespace farm

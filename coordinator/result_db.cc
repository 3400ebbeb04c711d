#include "coordinator/result_db.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "common/json_writer.h"

#include "coordinator/run_files.h"

namespace farm {
namespace {

// How long a write waits for another process's lock before it is an error.
constexpr int kBusyTimeoutMs = 3000;
// --resume --db reads in one transaction for this many lookups at a time:
// one per lookup would cost more than the lookup, and one for the whole run
// would keep the writer's WAL from being checkpointed.
constexpr uint64_t kLookupsPerRead = 1 << 16;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS runs (
  run INTEGER PRIMARY KEY,
  seed TEXT NOT NULL,
  command_line TEXT NOT NULL,
  mode TEXT NOT NULL,
  workers INTEGER NOT NULL,
  started_at TEXT NOT NULL,
  ended_at TEXT,
  resumed INTEGER NOT NULL DEFAULT 0,
  summary TEXT
);
CREATE TABLE IF NOT EXISTS results (
  run INTEGER NOT NULL REFERENCES runs (run),
  id NOT NULL,  -- no type: INTEGER or TEXT as the id was (BindId)
  type TEXT,
  ok INTEGER NOT NULL,
  worker INTEGER,
  attempts INTEGER,
  elapsed_ms REAL,
  error_code TEXT,
  error_message TEXT,
  result TEXT,
  finished_at REAL NOT NULL,
  PRIMARY KEY (run, id)
) WITHOUT ROWID;  -- one b-tree: a row's insert and --resume's lookup are one descent
CREATE INDEX IF NOT EXISTS results_failed ON results (run, error_code) WHERE NOT ok;
-- Partial indexes: a row that is ok, quick and no fib costs none of them.
CREATE INDEX IF NOT EXISTS results_slow ON results (run, elapsed_ms) WHERE elapsed_ms > 1000;
CREATE INDEX IF NOT EXISTS results_fib_digits
  ON results (run, json_extract(result, '$.digits')) WHERE type = 'fib';
)sql";

Status SchemaVersion(sqlite3* db, const std::string& path, int* version, bool* empty) {
  SqliteStmt stmt;
  if (Status s = Prepare(db, "PRAGMA user_version", &stmt); !s.ok()) return s;
  if (sqlite3_step(stmt.get()) != SQLITE_ROW) return DbError(db, "cannot read '" + path + "'");
  *version = sqlite3_column_int(stmt.get(), 0);
  if (Status s = Prepare(db, "SELECT count(*) FROM sqlite_master", &stmt); !s.ok()) return s;
  if (sqlite3_step(stmt.get()) != SQLITE_ROW) return DbError(db, "cannot read '" + path + "'");
  *empty = sqlite3_column_int(stmt.get(), 0) == 0;
  return Status::Ok();
}

}  // namespace

Status CheckVersion(sqlite3* db, const std::string& path) {
  int version = 0;
  bool empty = true;
  if (Status s = SchemaVersion(db, path, &version, &empty); !s.ok()) return s;
  if (empty || version == kDbSchemaVersion) return Status::Ok();
  return Status::Error("--db '" + path + "' has schema version " + std::to_string(version) +
                       "; this farm reads and writes version " +
                       std::to_string(kDbSchemaVersion) +
                       " only: give a new file, or export it with the farm that wrote it");
}

std::string_view JsonStringValue(std::string_view json, std::string* scratch) {
  if (json.size() >= 2 && json.front() == '"' && json.find('\\') == std::string_view::npos)
    return json.substr(1, json.size() - 2);
  nlohmann::json value = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!value.is_string()) return json;
  *scratch = value.get<std::string>();
  return *scratch;
}

void BindId(sqlite3_stmt* stmt, int index, std::string_view id_json, std::string* scratch) {
  int64_t number;
  if (!id_json.starts_with('"')) {
    auto [end, error] = std::from_chars(id_json.data(), id_json.data() + id_json.size(), number);
    if (error == std::errc() && end == id_json.data() + id_json.size()) {
      sqlite3_bind_int64(stmt, index, number);
    } else {
      sqlite3_bind_blob(stmt, index, id_json.data(), static_cast<int>(id_json.size()),
                        SQLITE_STATIC);
    }
    return;
  }
  const std::string_view text = JsonStringValue(id_json, scratch);
  sqlite3_bind_text(stmt, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
}

std::string IdJsonOf(sqlite3_stmt* stmt, int column) {
  const char* bytes = static_cast<const char*>(sqlite3_column_blob(stmt, column));
  std::string_view value(bytes ? bytes : "",
                         static_cast<size_t>(sqlite3_column_bytes(stmt, column)));
  switch (sqlite3_column_type(stmt, column)) {
    case SQLITE_INTEGER:
      return std::to_string(sqlite3_column_int64(stmt, column));
    case SQLITE_TEXT: {
      std::string json;
      AppendJsonString(value, &json);
      return json;
    }
    default:
      return std::string(value);
  }
}

Status DbError(sqlite3* db, const std::string& what) {
  if (db == nullptr) return Status::Error(what + ": out of memory");
  std::string message = what + ": " + sqlite3_errmsg(db);
  // "disk I/O error" says little: the system's error says which.
  if (int error = sqlite3_system_errno(db); error != 0)
    message += std::string(" (") + strerror(error) + ")";
  return Status::Error(message);
}

Status OpenDb(const std::string& path, int flags, SqliteDb* db) {
  // No global memory statistics: they cost a process-wide lock for every
  // allocation, several a row. Only possible before SQLite's first use.
  static const int no_memory_statistics = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  (void)no_memory_statistics;
  sqlite3* handle = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &handle, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  db->reset(handle);
  if (rc != SQLITE_OK) return DbError(handle, "cannot open --db '" + path + "'");
  sqlite3_busy_timeout(handle, kBusyTimeoutMs);
  sqlite3_extended_result_codes(handle, 1);
  return Status::Ok();
}

Status Prepare(sqlite3* db, const char* sql, SqliteStmt* stmt) {
  sqlite3_stmt* handle = nullptr;
  int rc = sqlite3_prepare_v2(db, sql, -1, &handle, nullptr);
  stmt->reset(handle);
  if (rc != SQLITE_OK) return DbError(db, "cannot read the database");
  return Status::Ok();
}

Status Exec(sqlite3* db, const char* sql, const std::string& what) {
  if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) return DbError(db, what);
  return Status::Ok();
}

Status CheckDb(const std::string& path) {
  if (Status s = CheckWritable(path); !s.ok()) return s;
  std::string folder = std::filesystem::path(path).parent_path().string();
  if (folder.empty()) folder = ".";
  // WAL keeps two files beside the database: its folder must take them.
  if (access(folder.c_str(), W_OK | X_OK) != 0)
    return Status::FromErrno("cannot write in '" + folder + "', the folder of --db", errno);
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return Status::Ok();  // a new file
  if (!S_ISREG(st.st_mode))
    return Status::Error("--db '" + path + "' is not a regular file");
  SqliteDb db;
  if (Status s = OpenDb(path, SQLITE_OPEN_READONLY, &db); !s.ok()) return s;
  Status s = CheckVersion(db.get(), path);
  if (!s.ok() && s.message().starts_with("cannot read"))
    return DbError(db.get(), "--db '" + path + "' is not a farm database");
  return s;
}

Status OpenDbForWriting(const std::string& path, SqliteDb* db) {
  if (Status s = OpenDb(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, db); !s.ok()) return s;
  sqlite3* handle = db->get();
  const std::string what = "cannot write --db '" + path + "'";
  // NORMAL: a commit survives a crash of farm (kill -9) at once, and a
  // power cut from the next checkpoint on. Checkpoints every 64 MB of WAL
  // rather than 4: fewer pauses of the writer on a big batch.
  if (Status s = Exec(handle,
                      "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                      "PRAGMA wal_autocheckpoint=16384",
                      what);
      !s.ok())
    return s;
  if (Status s = Exec(handle, "BEGIN IMMEDIATE", what); !s.ok()) return s;
  Status s = CheckVersion(handle, path);  // again: another farm may have made it meanwhile
  if (s.ok()) s = Exec(handle, kSchema, what);
  const std::string version = "PRAGMA user_version=" + std::to_string(kDbSchemaVersion);
  if (s.ok()) s = Exec(handle, version.c_str(), what);
  if (s.ok()) s = Exec(handle, "COMMIT", what);
  if (!s.ok()) sqlite3_exec(handle, "ROLLBACK", nullptr, nullptr, nullptr);
  return s;
}

Status NewestRun(sqlite3* db, int64_t* run) {
  SqliteStmt stmt;
  if (Status s = Prepare(db, "SELECT coalesce(max(run), 0) FROM runs", &stmt); !s.ok()) return s;
  if (sqlite3_step(stmt.get()) != SQLITE_ROW) return DbError(db, "cannot read the runs");
  *run = sqlite3_column_int64(stmt.get(), 0);
  return Status::Ok();
}

Status DbDoneIds::Open(const std::string& path, int64_t run) {
  run_ = run;
  if (Status s = OpenDb(path, SQLITE_OPEN_READONLY, &db_); !s.ok()) return s;
  return Prepare(db_.get(), "SELECT ok FROM results WHERE run = ?1 AND id = ?2", &lookup_);
}

bool DbDoneIds::Done(const std::string& id_json, uint64_t) {
  if (!status_.ok() || run_ == 0) return false;
  if (lookups_++ % kLookupsPerRead == 0) {
    if (lookups_ > 1) sqlite3_exec(db_.get(), "COMMIT", nullptr, nullptr, nullptr);
    sqlite3_exec(db_.get(), "BEGIN", nullptr, nullptr, nullptr);
  }
  sqlite3_stmt* stmt = lookup_.get();
  sqlite3_bind_int64(stmt, 1, run_);
  std::string scratch;
  BindId(stmt, 2, id_json, &scratch);
  int rc = sqlite3_step(stmt);
  bool done = rc == SQLITE_ROW && sqlite3_column_int(stmt, 0) != 0;
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) status_ = DbError(db_.get(), "--resume --db");
  sqlite3_reset(stmt);
  return done;
}

void DbDoneIds::Close() {
  lookup_.reset();
  db_.reset();
  run_ = 0;
}

}  // namespace farm

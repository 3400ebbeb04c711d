#include "coordinator/db_writer.h"

#include <signal.h>

#include "common/result_line.h"

namespace farm {
namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr size_t kBatchBytes = 64 * 1024;
// The queue's bound: past it the coordinator waits for the writer.
constexpr size_t kMaxQueuedBytes = 4 * 1024 * 1024;
// A transaction ends after this many rows, or this long after its first.
constexpr uint64_t kRowsPerCommit = 20'000;
constexpr auto kCommitEvery = std::chrono::milliseconds(500);

// Rows go kRowsPerInsert to a statement: what SQLite does once per
// statement (its program started and halted, cursors opened and closed) is
// then paid once for many rows. The rest of a batch goes one row at a time.
constexpr int kRowsPerInsert = 32;
// A row's columns after its run, which is written into the statement.
constexpr int kBoundColumns = 10;

// The primary key makes a second row for an id of a run impossible: the
// upsert replaces a failed row when --resume runs its task again (or the
// earlier of two lines with one id, as within one statement).
std::string InsertSql(int64_t run, int rows) {
  std::string sql = R"sql(
INSERT INTO results (run, id, type, ok, worker, attempts, elapsed_ms, error_code,
                     error_message, result, finished_at)
VALUES )sql";
  for (int row = 0; row < rows; ++row) {
    sql += (row == 0 ? "(" : ",(") + std::to_string(run);
    for (int column = 0; column < kBoundColumns; ++column) sql += ",?";
    sql += ')';
  }
  return sql + R"sql(
ON CONFLICT (run, id) DO UPDATE SET
  type = excluded.type, ok = excluded.ok, worker = excluded.worker,
  attempts = excluded.attempts, elapsed_ms = excluded.elapsed_ms,
  error_code = excluded.error_code, error_message = excluded.error_message,
  result = excluded.result, finished_at = excluded.finished_at
)sql";
}

double UnixNow() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int BindText(sqlite3_stmt* stmt, int index, std::string_view text) {
  return sqlite3_bind_text(stmt, index, text.data(), static_cast<int>(text.size()),
                           SQLITE_STATIC);
}

// Binds the value of a JSON string as text, or NULL for none or null.
void BindJsonString(sqlite3_stmt* stmt, int index, std::string_view json, std::string* scratch) {
  if (json.empty() || json == "null")
    sqlite3_bind_null(stmt, index);
  else
    BindText(stmt, index, JsonStringValue(json, scratch));
}

}  // namespace

DbWriter::~DbWriter() {
  if (opened()) (void)Finish("null");
}

Status DbWriter::Open(const std::string& path, const DbRunInfo& info, bool resume) {
  path_ = path;
  // A file-size limit (ulimit -f) is then an error to report, not a death.
  signal(SIGXFSZ, SIG_IGN);
  if (Status s = OpenDbForWriting(path, &db_); !s.ok()) return s;
  sqlite3* db = db_.get();
  const std::string what = "cannot write --db '" + path + "'";
  if (Status s = Exec(db, "BEGIN IMMEDIATE", what); !s.ok()) return s;
  Status s = resume ? NewestRun(db, &run_) : Status::Ok();
  SqliteStmt stmt;
  if (s.ok() && run_ > 0) {
    s = Prepare(db, "UPDATE runs SET resumed = resumed + 1, ended_at = NULL WHERE run = ?1",
                &stmt);
    if (s.ok()) sqlite3_bind_int64(stmt.get(), 1, run_);
  } else if (s.ok()) {
    s = Prepare(db,
                "INSERT INTO runs (seed, command_line, mode, workers, started_at) VALUES "
                "(?1, ?2, ?3, ?4, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
                &stmt);
    const std::string seed = std::to_string(info.seed);  // a u64 does not fit an INTEGER
    if (s.ok()) {
      sqlite3_bind_text(stmt.get(), 1, seed.c_str(), -1, SQLITE_TRANSIENT);
      BindText(stmt.get(), 2, info.command_line);
      BindText(stmt.get(), 3, info.mode);
      sqlite3_bind_int(stmt.get(), 4, info.workers);
    }
  }
  if (s.ok() && sqlite3_step(stmt.get()) != SQLITE_DONE) s = DbError(db, what);
  if (s.ok() && run_ == 0) run_ = sqlite3_last_insert_rowid(db);
  stmt.reset();
  if (s.ok()) s = Exec(db, "COMMIT", what);
  if (s.ok()) s = Prepare(db, InsertSql(run_, 1).c_str(), &insert_one_);
  if (s.ok()) s = Prepare(db, InsertSql(run_, kRowsPerInsert).c_str(), &insert_many_);
  if (!s.ok()) {
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    return s;
  }
  scratch_.resize(kRowsPerInsert);
  thread_ = std::thread([this] { Loop(); });
  return Status::Ok();
}

bool DbWriter::Add(std::string_view line) {
  filling_.lines.append(line).push_back('\n');
  if (filling_.lines.size() >= kBatchBytes) Flush();
  return !failed_;
}

void DbWriter::Flush() {
  if (filling_.lines.empty()) return;
  filling_.received_at = UnixNow();
  Push(std::exchange(filling_, Batch{}));
}

void DbWriter::Push(Batch batch) {
  std::unique_lock lock(mu_);
  space_.wait(lock, [this] { return queued_bytes_ < kMaxQueuedBytes || failed_; });
  if (failed_) return;  // the rows are lost with the database; the run ends
  queued_bytes_ += batch.lines.size();
  queue_.push_back(std::move(batch));
  work_.notify_one();
}

void DbWriter::Loop() {
  std::unique_lock lock(mu_);
  for (;;) {
    if (queue_.empty() && !closing_ && !draining_) {
      if (in_transaction_)
        work_.wait_until(lock, transaction_started_ + kCommitEvery);
      else
        work_.wait(lock, [this] { return !queue_.empty() || closing_ || draining_; });
    }
    Status status;
    if (!queue_.empty()) {
      Batch batch = std::move(queue_.front());
      queue_.pop_front();
      queued_bytes_ -= batch.lines.size();
      space_.notify_all();
      lock.unlock();
      status = Write(batch);
      lock.lock();
    } else if (in_transaction_ && (closing_ || draining_ ||
                                   SteadyClock::now() >= transaction_started_ + kCommitEvery)) {
      lock.unlock();
      status = Commit();  // a trickle: durable within kCommitEvery
      lock.lock();
    } else if (draining_) {  // nothing queued, nothing uncommitted
      draining_ = false;
      drained_.notify_all();
    } else if (closing_) {
      return;
    }
    if (!status.ok()) {
      if (in_transaction_) sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
      in_transaction_ = false;
      status_ = status;
      failed_ = true;
      space_.notify_all();
      drained_.notify_all();
      return;
    }
  }
}

Status DbWriter::Write(const Batch& batch) {
  std::string_view lines = batch.lines;
  std::string_view group[kRowsPerInsert];
  while (!lines.empty()) {
    int rows = 0;
    for (size_t end; rows < kRowsPerInsert && !lines.empty(); lines.remove_prefix(end + 1)) {
      end = lines.find('\n');
      group[rows++] = lines.substr(0, end);
    }
    if (!in_transaction_)
      if (Status s = Begin(); !s.ok()) return s;
    if (rows == kRowsPerInsert) {
      if (Status s = Insert(insert_many_.get(), group, rows, batch.received_at); !s.ok()) return s;
    } else {
      for (int row = 0; row < rows; ++row)
        if (Status s = Insert(insert_one_.get(), &group[row], 1, batch.received_at); !s.ok())
          return s;
    }
    rows_in_transaction_ += static_cast<uint64_t>(rows);
    // The clock is read once a group, not once a row.
    if (rows_in_transaction_ >= kRowsPerCommit ||
        SteadyClock::now() >= transaction_started_ + kCommitEvery)
      if (Status s = Commit(); !s.ok()) return s;
  }
  return Status::Ok();
}

// Binds the rows of `lines` to `stmt`, which takes that many, and runs it.
Status DbWriter::Insert(sqlite3_stmt* stmt, const std::string_view* lines, int rows,
                        double received_at) {
  for (int row = 0; row < rows; ++row)
    if (Status s = BindRow(stmt, row * kBoundColumns, lines[row], received_at, &scratch_[row]);
        !s.ok()) {
      sqlite3_clear_bindings(stmt);
      return s;
    }
  int rc = sqlite3_step(stmt);
  sqlite3_reset(stmt);
  if (rc != SQLITE_DONE) return DbError(db_.get(), What());
  return Status::Ok();
}

// Split here, in the writer thread, so the coordinator never parses a
// result. Lines are farm's own, from common/result_line.h, and are not
// parsed as JSON. Text is bound where it lies in the line, or in `scratch`
// once unescaped, until the statement has run.
Status DbWriter::BindRow(sqlite3_stmt* stmt, int before, std::string_view line,
                         double received_at, RowScratch* scratch) {
  ResultParts parts;
  if (!SplitResultLine(line, &parts))
    return Status::Error(What() + ": not a result line: " + std::string(line.substr(0, 80)));
  const ResultHeader& header = parts.header;
  int column = before;
  BindId(stmt, ++column, header.id_json, &scratch->id);
  BindJsonString(stmt, ++column, header.type_json, &scratch->type);  // fib, not "fib"
  sqlite3_bind_int(stmt, ++column, parts.ok ? 1 : 0);
  header.worker < 0 ? sqlite3_bind_null(stmt, ++column)
                    : sqlite3_bind_int(stmt, ++column, header.worker);
  sqlite3_bind_int(stmt, ++column, header.attempts);
  sqlite3_bind_double(stmt, ++column, header.elapsed_ms);
  BindJsonString(stmt, ++column, parts.error_code_json, &scratch->code);
  BindJsonString(stmt, ++column, parts.error_message_json, &scratch->message);
  parts.result_json.empty() ? sqlite3_bind_null(stmt, ++column)
                            : BindText(stmt, ++column, parts.result_json);
  sqlite3_bind_double(stmt, ++column, received_at);
  return Status::Ok();
}

std::string DbWriter::What() const { return "cannot write results to --db '" + path_ + "'"; }

Status DbWriter::Begin() {
  if (sqlite3_exec(db_.get(), "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK)
    return DbError(db_.get(), What());
  in_transaction_ = true;
  rows_in_transaction_ = 0;
  transaction_started_ = SteadyClock::now();
  return Status::Ok();
}

Status DbWriter::Commit() {
  if (!in_transaction_) return Status::Ok();
  if (sqlite3_exec(db_.get(), "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK)
    return DbError(db_.get(), What());
  in_transaction_ = false;
  return Status::Ok();
}

Status DbWriter::Drain() {
  if (!opened()) return status();
  Flush();
  std::unique_lock lock(mu_);
  draining_ = true;
  work_.notify_all();
  drained_.wait(lock, [this] { return !draining_ || failed_; });
  return status_;
}

Status DbWriter::status() const {
  std::lock_guard lock(mu_);
  return status_;
}

Status DbWriter::Finish(const std::string& summary_json) {
  if (!opened()) return status();
  Flush();
  {
    std::lock_guard lock(mu_);
    closing_ = true;
    work_.notify_all();
  }
  thread_.join();
  Status status = this->status();
  if (status.ok()) {
    SqliteStmt stmt;
    status = Prepare(db_.get(),
                     "UPDATE runs SET ended_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), "
                     "summary = ?2 WHERE run = ?1",
                     &stmt);
    if (status.ok()) {
      sqlite3_bind_int64(stmt.get(), 1, run_);
      BindText(stmt.get(), 2, summary_json);
      if (sqlite3_step(stmt.get()) != SQLITE_DONE)
        status = DbError(db_.get(), "cannot write the summary to --db '" + path_ + "'");
    }
  }
  insert_one_.reset();
  insert_many_.reset();
  db_.reset();  // the last connection: checkpoints, and removes the WAL
  return status;
}

}  // namespace farm

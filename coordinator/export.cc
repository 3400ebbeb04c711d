#include "coordinator/export.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/fd.h"
#include "common/json_writer.h"
#include "common/result_line.h"
#include "coordinator/flags.h"
#include "coordinator/result_db.h"
#include "coordinator/run_files.h"

namespace farm {
namespace {

constexpr size_t kFlushAt = 256 * 1024;

enum Column { kId, kType, kOk, kWorker, kAttempts, kElapsedMs, kCode, kMessage, kResult, kAt };
constexpr const char* kSelect =
    "SELECT id, type, ok, worker, attempts, elapsed_ms, error_code, error_message, result, "
    "finished_at FROM results WHERE run = ?1 ORDER BY finished_at, id";
constexpr const char* kCsvHeader =
    "run,id,type,ok,worker,attempts,elapsed_ms,error_code,error_message,result,finished_at\n";

struct ExportOptions {
  std::string db;
  int64_t run = 0;  // 0: the newest
  bool csv = false;
  std::string output;  // empty: standard output
};

std::string_view Text(sqlite3_stmt* stmt, int column) {
  const char* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, column));
  return text ? std::string_view(text, sqlite3_column_bytes(stmt, column)) : std::string_view();
}

// The row as the result line it was made from: the format's one owner
// (common/result_line.h) writes it again.
void AppendJsonLine(sqlite3_stmt* stmt, std::string* out) {
  std::string type_json = "null";
  if (sqlite3_column_type(stmt, kType) != SQLITE_NULL) {
    type_json.clear();
    AppendJsonString(Text(stmt, kType), &type_json);
  }
  const std::string id_json = IdJsonOf(stmt, kId);
  ResultHeader header{
      .id_json = id_json,
      .type_json = type_json,
      .worker = sqlite3_column_type(stmt, kWorker) == SQLITE_NULL
                    ? -1
                    : sqlite3_column_int(stmt, kWorker),
      .attempts = sqlite3_column_int(stmt, kAttempts),
      .elapsed_ms = sqlite3_column_double(stmt, kElapsedMs)};
  if (sqlite3_column_int(stmt, kOk) != 0)
    AppendSuccessLine(header, Text(stmt, kResult), out);
  else
    AppendErrorLine(header, Text(stmt, kCode), Text(stmt, kMessage), out, Text(stmt, kResult));
  out->push_back('\n');
}

// RFC 4180: a field with a comma, a quote or a line break is quoted.
void AppendCsvField(std::string_view field, std::string* out) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
    out->append(field);
    return;
  }
  out->push_back('"');
  for (char c : field) c == '"' ? out->append("\"\"") : out->append(1, c);
  out->push_back('"');
}

void AppendCsvLine(int64_t run, sqlite3_stmt* stmt, std::string* out) {
  out->append(std::to_string(run));
  for (int column = kId; column <= kAt; ++column) {
    out->push_back(',');
    if (column == kId) {
      AppendCsvField(IdJsonOf(stmt, kId), out);  // as in the result lines: 7 or "x"
    } else if (column == kElapsedMs || column == kAt) {
      if (sqlite3_column_type(stmt, column) != SQLITE_NULL)
        out->append(nlohmann::json(sqlite3_column_double(stmt, column)).dump());
    } else {
      AppendCsvField(Text(stmt, column), out);
    }
  }
  out->push_back('\n');
}

Status Export(const ExportOptions& options) {
  SqliteDb db;
  if (Status s = OpenDb(options.db, SQLITE_OPEN_READONLY, &db); !s.ok()) return s;
  if (Status s = CheckVersion(db.get(), options.db); !s.ok()) return s;
  int64_t run = options.run;
  if (run == 0)
    if (Status s = NewestRun(db.get(), &run); !s.ok()) return s;
  SqliteStmt select;
  if (Status s = Prepare(db.get(), kSelect, &select); !s.ok()) return s;
  sqlite3_bind_int64(select.get(), 1, run);
  Fd fd;
  if (options.output.empty())
    fd.reset(dup(STDOUT_FILENO));
  else if (Status s = OpenOutputFile(options.output, /*append=*/false, &fd); !s.ok())
    return s;
  std::string out = options.csv ? kCsvHeader : "";
  int rc;
  while ((rc = sqlite3_step(select.get())) == SQLITE_ROW) {
    options.csv ? AppendCsvLine(run, select.get(), &out) : AppendJsonLine(select.get(), &out);
    if (out.size() >= kFlushAt && WriteAll(fd.get(), out).ok()) out.clear();
  }
  if (rc != SQLITE_DONE) return DbError(db.get(), "cannot read --db '" + options.db + "'");
  if (Status s = WriteAll(fd.get(), out); !s.ok()) return s;
  if (close(fd.release()) != 0) return Status::FromErrno("cannot write the export", errno);
  return Status::Ok();
}

constexpr std::string_view kFormats = "jsonl|csv";

FlagSection ExportFlags(ExportOptions* o) {
  return {
      "options",
      {
          {"--db", 0, "FILE", "the SQLite database farm run --db wrote (required)",
           PathInto("--db", &o->db)},
          {"--run", 0, "N", "which run of it (default: the newest)",
           [o](std::string_view v) { return ParseInt("--run", v, 1, INT64_MAX, &o->run); }},
          {"--format", 0, std::string(kFormats),
           "jsonl: result lines as farm run writes them; csv: a row per result, with a header "
           "(default: jsonl)",
           ChoiceInto("--format", std::string(kFormats), [o](size_t i) { o->csv = i == 1; })},
          {"--output", 'o', "FILE", "where they go (default: stdout)",
           PathInto("--output", &o->output)},
      },
  };
}

}  // namespace

HelpPage ExportHelp() {
  auto options = std::make_shared<ExportOptions>();
  return {
      .usage = {std::string(kExportUsage)},
      .about = {"Writes a run's results from a database that farm run --db filled: as the "
                "result lines the run wrote, or as CSV."},
      .sections = {ExportFlags(options.get())},
      .examples =
          {
              {"farm export --db results.sqlite > results.jsonl",
               "the newest run's results, as result lines"},
              {"farm export --db results.sqlite --run 2 --format csv -o run2.csv",
               "run 2 as CSV, for a spreadsheet"},
          },
      .state = options,
  };
}

ExitStatus ExportCommand(std::span<char* const> args) {
  ExportOptions options;
  const FlagSection flags = ExportFlags(&options);
  std::vector<std::string> positional;
  Status status = ParseFlags(args, flags.flags, &positional);
  if (status.ok() && !positional.empty())
    status = Status::Error("unexpected argument '" + positional[0] + "'");
  if (status.ok() && options.db.empty()) status = Status::Error("--db FILE is required");
  if (status.ok() && access(options.db.c_str(), R_OK) != 0)
    status = Status::FromErrno("cannot read --db '" + options.db + "'", errno);
  if (status.ok() && !options.output.empty()) status = CheckWritable(options.output);
  if (!status.ok()) {
    fprintf(stderr, "farm export: %s\nusage: %.*s\n", status.message().c_str(),
            static_cast<int>(kExportUsage.size()), kExportUsage.data());
    return kExitUsage;
  }
  if (Status s = Export(options); !s.ok()) {
    fprintf(stderr, "farm export: %s\n", s.message().c_str());
    return kExitCannotComplete;
  }
  return kExitOk;
}

}  // namespace farm

#include "coordinator/task_source.h"

#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "common/canonical_id.h"
#include "common/json_check.h"
#include "common/json_writer.h"
#include "common/result_line.h"
#include "common/wire.h"
#include "coordinator/exec_template.h"
#include "coordinator/resume.h"

namespace farm {
namespace {

constexpr size_t kReadChunk = 256 * 1024;
constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";

std::string BadJsonLine(uint64_t seq, const std::string& message) {
  std::string line;
  std::string id = std::to_string(seq);
  AppendErrorLine({.id_json = id, .attempts = 0}, "bad_json", message, &line);
  return line;
}

// The error line of a task made from a line of arguments or URLs.
std::string MadeTaskErrorLine(uint64_t seq, bool exec, const std::string& message) {
  std::string line;
  std::string id = std::to_string(seq);
  AppendErrorLine({.id_json = id, .type_json = exec ? "\"exec\"" : "\"fetch\"", .attempts = 0},
                  "bad_task", message, &line);
  return line;
}

std::string BadUrlLine(uint64_t seq, std::string_view url, size_t bad, bool exec = false) {
  char problem[160];
  snprintf(problem, sizeof problem,
           exec ? "the argument line is not valid UTF-8 (byte 0x%02X at offset %zu)"
                : "field 'url' is not valid UTF-8 (byte 0x%02X at offset %zu); percent-encode "
                  "such a byte (%%%02X)",
           static_cast<unsigned char>(url[bad]), bad, static_cast<unsigned char>(url[bad]));
  return MadeTaskErrorLine(seq, exec, problem);
}

bool IsBlank(std::string_view line) {
  return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

}  // namespace

TaskSource::TaskSource(Fd fd, bool urls, const ExecTemplate* exec)
    : fd_(std::move(fd)),
      urls_(urls),
      exec_(exec),
      splitter_(wire::kMaxTaskLine),
      chunk_(kReadChunk, '\0') {
  struct stat st;
  if (::fstat(fd_.get(), &st) == 0 && S_ISREG(st.st_mode)) {
    regular_file_ = true;
    size_ = static_cast<uint64_t>(st.st_size);
  }
}

void TaskSource::ReadMore() {
  ssize_t n;
  do n = ::read(fd_.get(), chunk_.data(), chunk_.size());
  while (n < 0 && errno == EINTR);
  if (n < 0) {
    read_status_ = Status::FromErrno("read input", errno);
    n = 0;  // the input ends here; the run reports the error
  }
  if (n == 0) eof_ = true;
  bytes_read_ += static_cast<uint64_t>(n);
  splitter_.Feed(std::string_view(chunk_.data(), static_cast<size_t>(n)));
}

TaskSource::Next TaskSource::Take(InputTask* task) {
  std::string_view line;
  LineSplitter::Event event = splitter_.Next(&line);
  if (event == LineSplitter::Event::kNone) {
    if (!eof_) return Next::kNeedInput;
    event = splitter_.Finish(&line);
    if (event == LineSplitter::Event::kNone) return Next::kEnd;
  }
  task->seq = ++seq_;
  task->json = {};
  task->error_line.clear();
  task->done = false;
  task->no_task = false;
  task->fetch = urls_;
  if (event == LineSplitter::Event::kOversize) {
    task->error_line = BadJsonLine(
        seq_, "line longer than " + std::to_string(wire::kMaxTaskLine) + " bytes");
    return Next::kTask;
  }
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (exec_ != nullptr) {
    // An argument line becomes {"type":"exec","argv":[...]}, substituted
    // into the command without a shell; JSON escaping keeps any byte inert.
    url_task_.clear();
    if (!exec_->AppendTask(line, seq_, &url_task_)) {
      task->error_line = BadUrlLine(seq_, line, FindInvalidUtf8(line), /*exec=*/true);
      return Next::kTask;
    }
    return TakeMadeTask(/*exec=*/true, task);
  }
  if (urls_) {
    // Spaces around a URL are never part of it (wget -i and aria2c -i agree).
    size_t first = line.find_first_not_of(" \t");
    line = first == std::string_view::npos ? std::string_view() : line.substr(first);
    line = line.substr(0, line.find_last_not_of(" \t") + 1);
    // Blank lines and # comments are no URL, as for wget -i and aria2c -i:
    // they keep their line number but yield no task and no result.
    if (line.empty() || line.front() == '#') {
      task->no_task = true;
      return Next::kTask;
    }
    // A URL line becomes {"type":"fetch","url":...}; JSON escaping keeps any
    // byte of it inert. Bytes JSON cannot carry are refused, not replaced:
    // the URL fetched is the URL given, or none.
    if (size_t bad = FindInvalidUtf8(line); bad != std::string_view::npos) {
      task->error_line = BadUrlLine(seq_, line, bad);
      return Next::kTask;
    }
    url_task_ = "{\"type\":\"fetch\",\"url\":";
    AppendJsonString(line, &url_task_);
    url_task_ += "}";
    return TakeMadeTask(/*exec=*/false, task);
  }
  if (IsBlank(line)) {
    task->error_line = BadJsonLine(seq_, "empty line");
  } else if (!IsValidJson(line) || (resume_ != nullptr && !ParseId(line, task))) {
    // IsValidJson decides, with --resume or without (nlohmann's parser alone
    // would skip a byte-order mark). The slow path, only for bad lines: parse
    // again for the parser's message.
    if (line.starts_with(kByteOrderMark)) {
      task->error_line = BadJsonLine(seq_, "the line starts with a byte-order mark (U+FEFF)");
    } else if (size_t nul = line.find('\0'); nul != std::string_view::npos) {
      // nlohmann's parser would stop there and blame what comes before.
      task->error_line = BadJsonLine(seq_, "a NUL byte at offset " + std::to_string(nul));
    } else {
      try {
        nlohmann::json ignored = nlohmann::json::parse(line);
      } catch (const nlohmann::json::exception& error) {  // parse_error, or out_of_range: 1e400
        task->error_line = BadJsonLine(seq_, error.what());
      }
    }
    if (task->error_line.empty()) task->error_line = BadJsonLine(seq_, "invalid JSON");
  } else {
    task->json = line;
    // A cheap guess, not a parse: a wrong one only sizes a dispatch window
    // and how many tasks a dead worker is charged for.
    task->fetch = line.find("\"fetch\"") != std::string_view::npos;
  }
  return Next::kTask;
}

// A task made from a line (an exec command, a URL) can outgrow the line:
// {} used twice, quotes escaped. Past the wire's limit it is refused here;
// sent, it would end its worker as a broken one, attempt after attempt.
TaskSource::Next TaskSource::TakeMadeTask(bool exec, InputTask* task) {
  if (url_task_.size() > wire::kMaxTaskLine) {
    task->error_line = MadeTaskErrorLine(
        seq_, exec,
        "the task made of this line is " + std::to_string(url_task_.size()) + " bytes, over the " +
            std::to_string(wire::kMaxTaskLine) + " a task may have");
    return Next::kTask;
  }
  task->json = url_task_;
  if (resume_ != nullptr) MarkDone(std::to_string(seq_), task);
  return Next::kTask;
}

bool TaskSource::ParseId(std::string_view line, InputTask* task) {
  if (std::string id; ScanCanonicalId(line, seq_, &id)) {  // most lines: no parse tree
    MarkDone(id, task);
    return true;
  }
  nlohmann::json parsed = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return false;
  std::string id_json;
  CanonicalId(parsed, seq_, &id_json);  // a bad id falls back to the line number, as its result does
  MarkDone(id_json, task);
  return true;
}

void TaskSource::MarkDone(const std::string& id_json, InputTask* task) {
  task->done = resume_->Done(id_json, seq_);
  if (task->done) ++skipped_;
}

TaskSource::Next TaskSource::TakeRunnable(ResultSink& sink, InputTask* task) {
  constexpr int kMaxSettled = 4096;
  for (int settled = 0;; ++settled) {
    if (settled == kMaxSettled) return Next::kBusy;
    Next next = Take(task);
    if (next == Next::kNeedInput && !needs_poll()) {
      ReadMore();
    } else if (next == Next::kTask && !task->error_line.empty()) {
      sink.Add(task->seq, task->error_line, false);
    } else if (next == Next::kTask && (task->done || task->no_task)) {
      sink.Skip(task->seq);
    } else {
      return next;
    }
  }
}

double TaskSource::fraction_read() const {
  if (!regular_file_ || size_ == 0) return -1;
  uint64_t consumed = bytes_read_ - splitter_.buffered();
  return static_cast<double>(consumed) / static_cast<double>(size_);
}

}  // namespace farm

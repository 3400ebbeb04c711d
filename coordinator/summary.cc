#include "coordinator/summary.h"

#include <errno.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "coordinator/run_files.h"

namespace farm {
namespace {

double TasksPerSecond(const RunSummary& summary) {
  return summary.wall_s > 0 ? static_cast<double>(summary.tasks) / summary.wall_s : 0;
}

}  // namespace

const char* ModeName(Mode mode) {
  switch (mode) {
    case Mode::kProcess: return "process";
    case Mode::kThread: return "thread";
    case Mode::kSequential: return "sequential";
    case Mode::kMpi: return "mpi";
  }
  return "?";
}

std::string FormatSummary(const RunSummary& s) {
  char line[512], rate[32];
  double per_second = TasksPerSecond(s);
  snprintf(rate, sizeof rate, per_second >= 100 ? "%.0f" : "%.2f", per_second);
  snprintf(line, sizeof line,
           "farm: %llu tasks, %llu ok, %llu failed, %llu retried in %.3f s (%s tasks/s), "
           "%d %s worker%s, %llu restarts, seed %llu\n",
           (unsigned long long)s.tasks, (unsigned long long)s.ok, (unsigned long long)s.failed,
           (unsigned long long)s.retried, s.wall_s, rate, s.workers,
           ModeName(s.mode), s.workers == 1 ? "" : "s", (unsigned long long)s.worker_restarts,
           (unsigned long long)s.seed);
  std::string text = line;
  if (s.unwritten > 0)
    text += "farm: " + std::to_string(s.unwritten) + " result lines could not be written\n";
  if (s.skipped > 0) text += "farm: " + std::to_string(s.skipped) + " tasks already done, skipped\n";
  if (!s.tasks_per_worker.empty()) {
    text += "farm: tasks per worker:";
    for (uint64_t n : s.tasks_per_worker) text += " " + std::to_string(n);
    text += "\n";
  }
  if (!s.halted.empty())
    text += "farm: halted by " + s.halted + "; " + std::to_string(s.not_run) +
            " tasks read were not run, nor anything after them (see --resume)\n";
  if (s.interrupted)
    text += s.unwritten > 0 ? "farm: interrupted\n"
                            : "farm: interrupted; results so far are written (see --resume)\n";
  return text;
}

std::string SummaryJson(const RunSummary& s) {
  nlohmann::ordered_json json = {
      {"tasks", s.tasks},
      {"ok", s.ok},
      {"failed", s.failed},
      {"unwritten", s.unwritten},
      {"skipped", s.skipped},
      {"retried", s.retried},
      {"wall_s", s.wall_s},
      {"tasks_per_s", TasksPerSecond(s)},
      {"mode", ModeName(s.mode)},
      {"workers", s.workers},
      {"tasks_per_worker", s.tasks_per_worker},
      {"worker_restarts", s.worker_restarts},
      {"seed", s.seed},
      {"interrupted", s.interrupted},
      {"halted", s.halted},
      {"not_run", s.not_run},
      {"coordinator_peak_rss_mb", s.coordinator_peak_rss_mb},
  };
  return json.dump();
}

Status WriteSummaryJson(const RunSummary& s, const std::string& path) {
  const std::string text = SummaryJson(s) + "\n";
  if (path == "-") {  // after the results, if they go there too
    if (Status s = WriteAll(STDOUT_FILENO, text); !s.ok())
      return Status::Error("cannot write the summary to standard output: " + s.message());
    return Status::Ok();
  }
  Fd fd;
  if (Status s = OpenOutputFile(path, /*append=*/false, &fd); !s.ok()) return s;
  if (Status s = WriteAll(fd.get(), text); !s.ok())
    return Status::Error("cannot write '" + path + "': " + s.message());
  if (close(fd.release()) != 0) return Status::FromErrno("cannot write '" + path + "'", errno);
  return Status::Ok();
}

}  // namespace farm

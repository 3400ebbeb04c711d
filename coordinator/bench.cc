#include "coordinator/bench.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "coordinator/bench_report.h"
#include "coordinator/child_run.h"
#include "coordinator/flags.h"
#include "coordinator/run.h"
#include "coordinator/signals.h"

namespace farm {
namespace {

constexpr const char* kUsage =
    "usage: farm bench [--task fib|pi|sleep|fetch] [--n N] [--method iterative|doubling]\n"
    "                  [--samples S] [--ms MS] [--url URL] [--tasks T] [--workers 1,2,4]\n"
    "                  [--modes sequential,thread,process] [--repeat R] [--seed S]\n"
    "                  [--csv FILE] [--json FILE]\n";

struct BenchOptions {
  std::string task = "fib";
  int64_t n = 1'000'000;
  std::string method = "iterative";
  int64_t samples = 10'000'000;
  int64_t ms = 100;
  std::string url;
  int tasks = 0;  // 0: the task type's default
  std::vector<int> workers;
  std::vector<std::string> modes = {"sequential", "thread", "process"};
  int repeat = 3;
  uint64_t seed = 1;
  std::string csv;
  std::string json;
  bool csv_given = false, json_given = false;
};

// A private directory for the batch file and the children's stderr.
class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "farm-bench-XXXXXX").string();
    if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  bool ok() const { return !path_.empty(); }
  std::string File(const char* name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

Status ParseList(std::string_view text, std::vector<std::string>* items) {
  items->clear();
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    if (item.empty()) return Status::Error("empty item in list");
    items->emplace_back(item);
    text = comma == std::string_view::npos ? "" : text.substr(comma + 1);
  }
  if (items->empty()) return Status::Error("empty list");
  return Status::Ok();
}

Status ParseWorkers(std::string_view text, std::vector<int>* workers) {
  std::vector<std::string> items;
  if (Status s = ParseList(text, &items); !s.ok()) return Status::Error("--workers: " + s.message());
  workers->clear();
  for (const std::string& item : items) {
    int64_t count;
    if (Status s = ParseInt("--workers", item, 1, 1024, &count); !s.ok()) return s;
    workers->push_back(static_cast<int>(count));
  }
  return Status::Ok();
}

Status ParseModes(std::string_view text, std::vector<std::string>* modes) {
  if (Status s = ParseList(text, modes); !s.ok()) return Status::Error("--modes: " + s.message());
  for (const std::string& mode : *modes)
    if (mode != "sequential" && mode != "thread" && mode != "process")
      return Status::Error("--modes: expected sequential, thread or process, got '" + mode + "'");
  return Status::Ok();
}

// An export is written after every run is done: refuse, before the first,
// a path that could not be written then. Nothing is created here.
Status CheckWritable(std::string_view flag, const std::string& path) {
  if (path.empty()) return Status::Error(std::string(flag) + ": empty path");
  struct stat st;
  if (stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return Status::Error(std::string(flag) + ": " + path + " is a directory");
    if (access(path.c_str(), W_OK) != 0)
      return Status::FromErrno(std::string(flag) + ": cannot write " + path, errno);
    return Status::Ok();
  }
  if (errno != ENOENT) return Status::FromErrno(std::string(flag) + ": " + path, errno);
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  if (access(dir.c_str(), W_OK | X_OK) != 0)
    return Status::FromErrno(std::string(flag) + ": cannot create " + path, errno);
  return Status::Ok();
}

// Every export flag and its path, the ones given.
std::vector<std::pair<std::string_view, std::string>> Exports(const BenchOptions& o) {
  std::vector<std::pair<std::string_view, std::string>> exports;
  if (o.csv_given) exports.emplace_back("--csv", o.csv);
  if (o.json_given) exports.emplace_back("--json", o.json);
  return exports;
}

// Each export writable, and no file named twice (by name or by inode).
Status CheckExports(const BenchOptions& o) {
  auto exports = Exports(o);
  for (size_t i = 0; i < exports.size(); ++i) {
    const auto& [flag, path] = exports[i];
    if (Status s = CheckWritable(flag, path); !s.ok()) return s;
    for (size_t j = 0; j < i; ++j) {
      std::error_code ec;
      if (path == exports[j].second || std::filesystem::equivalent(path, exports[j].second, ec))
        return Status::Error(std::string(flag) + " and " + std::string(exports[j].first) +
                             " name the same file, " + path);
    }
  }
  return Status::Ok();
}

// 1, 2, 4, ... up to the online CPUs, and the CPU count itself.
std::vector<int> DefaultWorkers() {
  long cpus = std::max(1L, sysconf(_SC_NPROCESSORS_ONLN));
  std::vector<int> workers;
  for (long w = 1; w <= cpus; w *= 2) workers.push_back(static_cast<int>(w));
  if (workers.back() != cpus) workers.push_back(static_cast<int>(cpus));
  return workers;
}

bool ParseBenchOptions(std::span<char* const> args, BenchOptions* o) {
  auto int64_into = [](const char* flag, int64_t min, int64_t max, int64_t* target) {
    return [=](std::string_view v) { return ParseInt(flag, v, min, max, target); };
  };
  auto text_into = [](std::string* target) {
    return [target](std::string_view v) { return target->assign(v), Status::Ok(); };
  };
  auto path_into = [](std::string* target, bool* given) {
    return [=](std::string_view v) { return target->assign(v), *given = true, Status::Ok(); };
  };
  const Flag flags[] = {
      {"--task", 0, true, text_into(&o->task)},
      {"--n", 0, true, int64_into("--n", 0, 100'000'000, &o->n)},
      {"--method", 0, true, text_into(&o->method)},
      {"--samples", 0, true, int64_into("--samples", 1, 10'000'000'000, &o->samples)},
      {"--ms", 0, true, int64_into("--ms", 0, 3'600'000, &o->ms)},
      {"--url", 0, true, text_into(&o->url)},
      {"--tasks", 0, true, IntInto("--tasks", 1, 100'000'000, &o->tasks)},
      {"--workers", 'j', true, [o](std::string_view v) { return ParseWorkers(v, &o->workers); }},
      {"--modes", 0, true, [o](std::string_view v) { return ParseModes(v, &o->modes); }},
      {"--repeat", 0, true, IntInto("--repeat", 1, 1000, &o->repeat)},
      {"--seed", 0, true, [o](std::string_view v) { return ParseUint64("--seed", v, &o->seed); }},
      {"--csv", 0, true, path_into(&o->csv, &o->csv_given)},
      {"--json", 0, true, path_into(&o->json, &o->json_given)},
  };
  std::vector<std::string> positional;
  Status status = ParseFlags(args, flags, &positional);
  if (status.ok() && !positional.empty())
    status = Status::Error("unexpected argument '" + positional[0] + "'");
  if (status.ok() && o->task != "fib" && o->task != "pi" && o->task != "sleep" &&
      o->task != "fetch")
    status = Status::Error("--task: expected fib, pi, sleep or fetch, got '" + o->task + "'");
  if (status.ok() && o->method != "iterative" && o->method != "doubling")
    status = Status::Error("--method: expected iterative or doubling, got '" + o->method + "'");
  if (status.ok() && o->task == "fetch" && o->url.empty())
    status = Status::Error("--task fetch needs --url URL");
  if (status.ok()) status = CheckExports(*o);
  if (!status.ok()) {
    fprintf(stderr, "farm bench: %s\n%s", status.message().c_str(), kUsage);
    return false;
  }
  if (o->workers.empty()) o->workers = DefaultWorkers();
  if (o->tasks == 0) o->tasks = o->task == "sleep" ? 40 : 8;
  return true;
}

// The task line every task of the batch repeats, and a short description of
// it (no commas: it is a CSV field).
nlohmann::ordered_json TaskJson(const BenchOptions& o, std::string* description) {
  nlohmann::ordered_json task = {{"type", o.task}};
  if (o.task == "fib") {
    task["n"] = o.n;
    task["method"] = o.method;
    *description = "fib n=" + std::to_string(o.n) + " " + o.method;
  } else if (o.task == "pi") {
    task["samples"] = o.samples;
    *description = "pi samples=" + std::to_string(o.samples);
  } else if (o.task == "sleep") {
    task["ms"] = o.ms;
    *description = "sleep ms=" + std::to_string(o.ms);
  } else {
    task["url"] = o.url;
    task["save"] = false;
    *description = "fetch";
  }
  return task;
}

struct Config {
  std::string mode;
  int workers;
};

// Sequential runs once per repeat: it has one worker whatever -j says.
std::vector<Config> Configs(const BenchOptions& o) {
  std::vector<Config> configs;
  for (const std::string& mode : o.modes) {
    if (mode == "sequential") {
      configs.push_back({mode, 1});
      continue;
    }
    for (int workers : o.workers) configs.push_back({mode, workers});
  }
  return configs;
}

// The one-minute load average says how much else ran: a busy machine bends
// every ratio, so the table reports it.
double LoadAverage() {
  double load[1];
  return getloadavg(load, 1) == 1 ? load[0] : -1;
}

void ShowFailure(const BenchRun& run, const std::string& stderr_path) {
  std::ifstream in(stderr_path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (text.size() > 2000) text = "..." + text.substr(text.size() - 2000);
  fprintf(stderr, "\nfarm bench: %s -j %d exited with status %d:\n%s", run.mode.c_str(),
          run.workers, run.usage.exit_code, text.c_str());
}

}  // namespace

int BenchCommand(std::span<char* const> args) {
  BenchOptions o;
  if (!ParseBenchOptions(args, &o)) return kExitUsage;
  // Ctrl-C stops the child run in hand, then the table of the runs done so
  // far is printed and the scratch directory removed as on any return.
  StopSignals signals;
  ScratchDir scratch;
  if (!scratch.ok()) {
    perror("farm bench: mkdtemp");
    return kExitTasksFailed;
  }
  std::string description;
  std::string line = TaskJson(o, &description).dump() + "\n";
  const std::string batch = scratch.File("tasks.jsonl");
  const std::string child_err = scratch.File("run.err");
  {
    std::ofstream out(batch);
    for (int i = 0; i < o.tasks; ++i) out << line;
    if (!out.flush()) {
      fprintf(stderr, "farm bench: cannot write %s\n", batch.c_str());
      return kExitTasksFailed;
    }
  }

  const double load_before = LoadAverage();
  // Interleaved: every repeat runs each configuration once, starting one
  // further along each time, so drift in the machine's load is shared out.
  std::vector<Config> configs = Configs(o);
  std::vector<BenchRun> runs;
  const size_t total = configs.size() * static_cast<size_t>(o.repeat);
  bool tty = isatty(STDERR_FILENO);
  bool all_ok = true;
  bool interrupted = false;
  for (int r = 0; r < o.repeat && !interrupted; ++r) {
    for (size_t k = 0; k < configs.size() && !interrupted; ++k) {
      const Config& config = configs[(k + static_cast<size_t>(r)) % configs.size()];
      BenchRun run{config.mode, config.workers, r + 1, o.tasks, {}};
      fprintf(stderr, "%sfarm bench: run %zu/%zu: %s -j %d, repeat %d/%d", tty ? "\r\033[K" : "",
              runs.size() + 1, total, run.mode.c_str(), run.workers, run.repeat, o.repeat);
      std::vector<std::string> argv = {"/proc/self/exe", "run", "--mode", run.mode,
                                       "-j", std::to_string(run.workers),
                                       "--seed", std::to_string(o.seed), "--no-progress",
                                       "-o", "/dev/null", batch};
      Status s = StopSignals::count() > 0
                     ? Status::Ok()
                     : RunChild(argv, batch, child_err, signals.wait_mask(), StopSignals::count,
                                &run.usage, &interrupted);
      interrupted = interrupted || StopSignals::count() > 0;
      if (!s.ok()) {
        fprintf(stderr, "\nfarm bench: %s\n", s.message().c_str());
        return kExitTasksFailed;
      }
      if (interrupted) break;
      fprintf(stderr, ": %.3f s%s", run.usage.wall_s, tty ? "" : "\n");
      if (run.usage.exit_code != 0) {
        all_ok = false;
        ShowFailure(run, child_err);
      }
      runs.push_back(std::move(run));
    }
  }
  if (tty) fputs("\r\033[K", stderr);
  if (interrupted) {
    fprintf(stderr, "%sfarm bench: interrupted after %zu of %zu runs\n", tty ? "" : "\n",
            runs.size(), total);
    if (runs.empty()) return kExitInterrupted;
  }

  std::vector<BenchRow> rows = SummarizeRuns(runs);
  char title[256];
  snprintf(title, sizeof title,
           "farm bench: %d x %s, %d repeat%s, %ld CPUs online, load average %.2f before, %.2f after",
           o.tasks, description.c_str(), o.repeat, o.repeat == 1 ? "" : "s",
           sysconf(_SC_NPROCESSORS_ONLN), load_before, LoadAverage());
  fputs(FormatBenchTable(title, rows).c_str(), stdout);
  fflush(stdout);
  Status written;
  if (o.csv_given) written = WriteBenchCsv(o.csv, description, runs);
  if (written.ok() && o.json_given) written = WriteBenchJson(o.json, description, runs, rows);
  if (!written.ok()) {
    fprintf(stderr, "farm bench: %s\n", written.message().c_str());
    return kExitTasksFailed;
  }
  if (interrupted) return kExitInterrupted;
  return all_ok ? kExitOk : kExitTasksFailed;
}

}  // namespace farm

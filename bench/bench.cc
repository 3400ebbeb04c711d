#include "bench/bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/bench_options.h"
#include "bench/bench_report.h"
#include "bench/child_run.h"
#include "coordinator/run.h"
#include "coordinator/signals.h"

namespace farm {
namespace {

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

// A short description of the batch, e.g. "fib n=1000 iterative": numbers
// named, strings as they are, flags left out. No commas: it is a CSV field.
std::string Describe(const BenchOptions& o) {
  std::string text;
  if (!o.file.empty()) text = std::filesystem::path(o.file).filename().string();
  for (const auto& [name, value] : o.task_line.items()) {
    if (value.is_boolean()) continue;
    if (!text.empty()) text += " ";
    if (value.is_string()) text += value.get<std::string>();
    else text += name + "=" + value.dump();
  }
  for (char& c : text)
    if (c == ',' || c == '\n' || c == '"') c = ' ';
  return text;
}

struct Config {
  Mode mode;
  int workers;
};

// Sequential runs once per repeat: it has one worker whatever -j says.
std::vector<Config> Configs(const BenchOptions& o) {
  std::vector<Config> configs;
  for (Mode mode : o.modes) {
    if (mode == Mode::kSequential) {
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

void ShowFailure(const Config& config, int exit_code, const std::string& stderr_path) {
  std::ifstream in(stderr_path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (text.size() > 2000) text = "..." + text.substr(text.size() - 2000);
  fprintf(stderr, "\nfarm bench: %s -j %d exited with status %d:\n%s", ModeName(config.mode),
          config.workers, exit_code, text.c_str());
}

// Runs the configurations as child `farm run`s: `warmup` unmeasured rounds,
// then `repeat` measured ones, interleaved (every round runs each
// configuration once, starting one further along each time, so drift in the
// machine's load is shared out). A stop signal ends it early.
class Runner {
 public:
  Runner(const BenchOptions& o, std::string batch, std::string child_err)
      : o_(o), configs_(Configs(o)), batch_(std::move(batch)), child_err_(std::move(child_err)),
        tty_(isatty(STDERR_FILENO)) {}

  // False on a failure to run a child at all (message printed).
  bool Run(std::vector<BenchRun>* runs) {
    const size_t rounds = static_cast<size_t>(o_.warmup + o_.repeat);
    total_ = configs_.size() * rounds;
    for (size_t round = 0; round < rounds && !interrupted_; ++round) {
      const bool warmup = round < static_cast<size_t>(o_.warmup);
      for (size_t k = 0; k < configs_.size() && !interrupted_; ++k) {
        const int repeat = warmup ? 0 : static_cast<int>(round) - o_.warmup + 1;
        const size_t turn = warmup ? round : static_cast<size_t>(repeat - 1);
        const Config& config = configs_[(k + turn) % configs_.size()];
        BenchRun run{config.mode, config.workers, repeat, o_.tasks, {}};
        if (!RunOne(config, warmup, &run.usage)) return false;
        if (!interrupted_ && !warmup) runs->push_back(run);
      }
    }
    if (tty_) fputs("\r\033[K", stderr);
    return true;
  }
  bool interrupted() const { return interrupted_; }
  bool all_ok() const { return all_ok_; }
  size_t total_measured() const { return configs_.size() * static_cast<size_t>(o_.repeat); }

 private:
  bool RunOne(const Config& config, bool warmup, ChildUsage* usage) {
    fprintf(stderr, "%sfarm bench: %s %zu/%zu: %s -j %d", tty_ ? "\r\033[K" : "",
            warmup ? "warm-up" : "run", ++started_, total_, ModeName(config.mode),
            config.workers);
    std::vector<std::string> argv = {"/proc/self/exe", "run", "--mode", ModeName(config.mode),
                                     "-j", std::to_string(config.workers),
                                     "--seed", std::to_string(o_.seed), "--no-progress",
                                     "-o", "/dev/null", batch_};
    Status s = StopSignals::count() > 0
                   ? Status::Ok()
                   : RunChild(argv, "/dev/null", child_err_, signals_.wait_mask(),
                              StopSignals::count, usage, &interrupted_);
    interrupted_ = interrupted_ || StopSignals::count() > 0;
    if (!s.ok()) {
      fprintf(stderr, "\nfarm bench: %s\n", s.message().c_str());
      return false;
    }
    if (interrupted_) {
      fputs(tty_ ? "\r\033[K" : "\n", stderr);
      return true;
    }
    fprintf(stderr, ": %.3f s%s", usage->wall_s, tty_ ? "" : "\n");
    if (usage->exit_code != 0) {
      all_ok_ = false;
      ShowFailure(config, usage->exit_code, child_err_);
    }
    return true;
  }

  // Ctrl-C stops the child run in hand; blocked except while waiting on it.
  StopSignals signals_;
  const BenchOptions& o_;
  std::vector<Config> configs_;
  std::string batch_, child_err_;
  bool tty_;
  size_t started_ = 0, total_ = 0;
  bool interrupted_ = false, all_ok_ = true;
};

// Prints the table and its warnings, and writes every export asked for.
Status Report(const BenchOptions& o, const std::string& title, const std::string& task,
              const std::vector<BenchRun>& runs) {
  std::vector<BenchRow> rows = SummarizeRuns(runs);
  fputs(FormatBenchTable(title, rows).c_str(), stdout);
  fflush(stdout);
  for (const std::string& warning : BenchWarnings(rows))
    fprintf(stderr, "farm bench: warning: %s\n", warning.c_str());
  Status written;
  if (o.csv) written = WriteBenchCsv(*o.csv, task, runs);
  if (written.ok() && o.json) written = WriteBenchJson(*o.json, task, o.warmup, runs, rows);
  if (written.ok() && o.markdown) written = WriteBenchMarkdown(*o.markdown, title, rows);
  return written;
}

}  // namespace

ExitStatus BenchCommand(std::span<char* const> args) {
  BenchOptions o;
  if (!ParseBenchOptions(args, &o)) return kExitUsage;
  // Declared first, gone last: every return below removes it.
  ScratchDir scratch;
  if (!scratch.ok()) {
    perror("farm bench: mkdtemp");
    return kExitTasksFailed;
  }
  std::string batch = o.file;
  if (batch.empty()) {
    batch = scratch.File("tasks.jsonl");
    std::string line = o.task_line.dump() + "\n";
    std::ofstream out(batch);
    for (int i = 0; i < o.tasks; ++i) out << line;
    if (!out.flush()) {
      fprintf(stderr, "farm bench: cannot write %s\n", batch.c_str());
      return kExitTasksFailed;
    }
  }

  const double load_before = LoadAverage();
  std::vector<BenchRun> runs;
  Runner runner(o, batch, scratch.File("run.err"));
  if (!runner.Run(&runs)) return kExitTasksFailed;
  if (runner.interrupted()) {
    fprintf(stderr, "farm bench: interrupted after %zu of %zu runs\n", runs.size(),
            runner.total_measured());
    if (runs.empty()) return kExitInterrupted;
  }

  const std::string task = Describe(o);
  const std::string warmup = o.warmup > 0 ? ", " + std::to_string(o.warmup) + " warm-up" : "";
  char title[320];
  snprintf(title, sizeof title,
           "farm bench: %d x %s, %d repeat%s%s, %ld CPUs online, load average %.2f before, "
           "%.2f after",
           o.tasks, task.c_str(), o.repeat, o.repeat == 1 ? "" : "s", warmup.c_str(),
           sysconf(_SC_NPROCESSORS_ONLN), load_before, LoadAverage());
  if (Status s = Report(o, title, task, runs); !s.ok()) {
    fprintf(stderr, "farm bench: %s\n", s.message().c_str());
    return kExitTasksFailed;
  }
  if (runner.interrupted()) return kExitInterrupted;
  return runner.all_ok() ? kExitOk : kExitTasksFailed;
}

}  // namespace farm

#include "coordinator/run.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/rng.h"
#include "coordinator/flags.h"
#include "coordinator/result_sink.h"
#include "coordinator/resume.h"
#include "coordinator/scheduler.h"
#include "coordinator/signals.h"
#include "coordinator/task_source.h"
#include "mpi/mpi_mode.h"

namespace farm {
namespace {

constexpr int kMaxWorkers = 1024;

Status ParseDelay(std::string_view text, RunOptions* options) {
  size_t colon = text.find(':');
  std::string_view min = text.substr(0, colon);
  std::string_view max = colon == std::string_view::npos ? min : text.substr(colon + 1);
  int64_t lo, hi;
  if (Status s = ParseInt("--delay MIN", min, 0, 3'600'000, &lo); !s.ok()) return s;
  if (Status s = ParseInt("--delay MAX", max, lo, 3'600'000, &hi); !s.ok()) return s;
  options->fetch.delay_min_ms = static_cast<int>(lo);
  options->fetch.delay_max_ms = static_cast<int>(hi);
  return Status::Ok();
}

Status ParseMode(std::string_view text, Mode* mode) {
  for (Mode m : {Mode::kProcess, Mode::kThread, Mode::kSequential, Mode::kMpi})
    if (text == ModeName(m)) return *mode = m, Status::Ok();
  return Status::Error("--mode: expected process, thread, sequential or mpi, got '" +
                       std::string(text) + "'");
}

// A thread can't be killed, limited or replaced on its own: the options that
// need that are refused outside process mode rather than silently ignored.
Status CheckInProcessOptions(const RunOptions& options) {
  const char* flag = options.task_timeout_s      ? "--task-timeout"
                     : options.memory_limit_mb > 0 ? "--memory-limit"
                     : options.max_tasks_per_worker > 0 ? "--max-tasks-per-worker"
                                                        : nullptr;
  if (flag == nullptr) return Status::Ok();
  return Status::Error(std::string(flag) + " needs --mode process (a " +
                       (options.mode == Mode::kThread ? "thread" : "sequential run") +
                       " cannot be killed or replaced)");
}

Status OpenInput(const RunOptions& options, Fd* fd) {
  const std::string& path = options.urls.empty() ? options.input : options.urls;
  const bool from_stdin = path == "-";
  const std::string what = from_stdin ? "cannot read standard input" : "cannot read '" + path + "'";
  fd->reset(from_stdin ? fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 0)
                       : open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd->valid()) return Status::FromErrno(what, errno);
  // A directory opens fine and fails only at the first read: refuse it here,
  // as a usage error, before anything runs.
  struct stat st;
  if (fstat(fd->get(), &st) == 0 && S_ISDIR(st.st_mode)) return Status::FromErrno(what, EISDIR);
  return Status::Ok();
}

Status OpenOutput(const RunOptions& options, Fd* fd) {
  if (options.output.empty() || options.output == "-") {
    fd->reset(STDOUT_FILENO);
    return Status::Ok();
  }
  int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (options.resume ? O_APPEND : O_TRUNC);
  fd->reset(open(options.output.c_str(), flags, 0644));
  if (!fd->valid()) return Status::FromErrno("cannot write '" + options.output + "'", errno);
  return Status::Ok();
}

// --summary-json is written at the end: find out now, before anything runs,
// whether it can be.
Status CheckSummaryPath(const RunOptions& options) {
  if (options.summary_json.empty()) return Status::Ok();
  Fd fd(open(options.summary_json.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
  if (!fd.valid()) return Status::FromErrno("cannot write '" + options.summary_json + "'", errno);
  return Status::Ok();
}

// --resume: learns what the output file already holds, before appending to it.
Status LoadResume(const RunOptions& options, ResumeSet* resume) {
  if (!options.resume) return Status::Ok();
  if (Status s = resume->Load(options.output); !s.ok()) return s;
  if (resume->torn_bytes() > 0)
    fprintf(stderr, "farm: resume: ignored the torn last line of '%s' (%llu bytes)\n",
            options.output.c_str(), static_cast<unsigned long long>(resume->torn_bytes()));
  return Status::Ok();
}

}  // namespace

bool ParseRunOptions(std::span<char* const> args, RunOptions* o) {
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  o->workers = cpus > 0 ? static_cast<int>(std::min<long>(cpus, kMaxWorkers)) : 1;
  o->progress = isatty(STDERR_FILENO);
  bool seed_given = false;
  auto text_into = [](std::string* target) {
    return [target](std::string_view v) { return target->assign(v), Status::Ok(); };
  };
  auto set_true = [](bool* target) {
    return [target](std::string_view) { return *target = true, Status::Ok(); };
  };
  const Flag flags[] = {
      {"--workers", 'j', true, IntInto("--workers", 1, kMaxWorkers, &o->workers)},
      {"--mode", 0, true, [o](std::string_view v) { return ParseMode(v, &o->mode); }},
      {"--output", 'o', true, text_into(&o->output)},
      {"--seed", 0, true,
       [&](std::string_view v) { return seed_given = true, ParseUint64("--seed", v, &o->seed); }},
      {"--keep-order", 0, false, set_true(&o->keep_order)},
      {"--retries", 0, true, IntInto("--retries", 0, 1000, &o->retries)},
      {"--task-timeout", 0, true,
       [o](std::string_view v) {
         double seconds;
         Status s = ParseDouble("--task-timeout", v, 0.001, &seconds);
         if (s.ok()) o->task_timeout_s = seconds;
         return s;
       }},
      {"--resume", 0, false, set_true(&o->resume)},
      {"--urls", 0, true, text_into(&o->urls)},
      {"--out-dir", 0, true, text_into(&o->fetch.out_dir)},
      {"--concurrency", 0, true, IntInto("--concurrency", 1, 1000, &o->fetch.concurrency)},
      {"--delay", 0, true, [o](std::string_view v) { return ParseDelay(v, o); }},
      {"--max-per-host", 0, true, IntInto("--max-per-host", 1, 1000, &o->fetch.max_per_host)},
      {"--max-tasks-per-worker", 0, true,
       IntInto("--max-tasks-per-worker", 1, 1'000'000'000, &o->max_tasks_per_worker)},
      {"--memory-limit", 0, true, IntInto("--memory-limit", 16, 1 << 24, &o->memory_limit_mb)},
      {"--progress", 0, false, set_true(&o->progress)},
      {"--no-progress", 0, false, [o](std::string_view) { return o->progress = false, Status::Ok(); }},
      {"--summary-json", 0, true, text_into(&o->summary_json)},
  };
  std::vector<std::string> positional;
  Status status = ParseFlags(args, flags, &positional);
  if (status.ok() && positional.size() > 1)
    status = Status::Error("expected at most one input file, got " +
                           std::to_string(positional.size()));
  if (status.ok() && !positional.empty()) {
    if (!o->urls.empty()) status = Status::Error("give either --urls FILE or a task FILE, not both");
    o->input = positional[0];
  }
  if (status.ok() && o->resume && (o->output.empty() || o->output == "-"))
    status = Status::Error("--resume needs --output FILE");
  if (status.ok() && o->mode != Mode::kProcess && o->mode != Mode::kMpi)
    status = CheckInProcessOptions(*o);
  if (!status.ok()) {
    fprintf(stderr, "farm run: %s\nusage: farm run [OPTIONS] [FILE]   (farm help for more)\n",
            status.message().c_str());
    return false;
  }
  if (!seed_given) o->seed = SeedFromOs();
  return true;
}

int RunBatch(const RunOptions& options, RunSummary* summary) {
  Fd input, output;
  ResumeSet resume;
  Status status = OpenInput(options, &input);
  if (status.ok()) status = LoadResume(options, &resume);
  // Before any worker thread starts: they inherit the blocked stop signals.
  StopSignals signals;
  std::unique_ptr<Transport> transport;
  if (status.ok()) status = MakeTransport(options.mode, options.workers, &transport);
  std::optional<Scheduler> scheduler;
  if (status.ok()) {
    scheduler.emplace(options, *transport, summary,
                      SchedulerEnv{.stop_signals = [] { return StopSignals::count(); },
                                   .signal_mask = signals.wait_mask()});
    status = scheduler->StartWorkers();
  }
  if (status.ok()) status = OpenOutput(options, &output);
  if (status.ok()) status = CheckSummaryPath(options);
  if (!status.ok()) {
    fprintf(stderr, "farm run: %s\n", status.message().c_str());
    return kExitUsage;
  }
  summary->mode = options.mode;
  summary->workers = transport->slots();
  summary->seed = options.seed;

  auto start = std::chrono::steady_clock::now();
  TaskSource source(std::move(input), !options.urls.empty());
  if (options.resume) source.ResumeFrom(&resume);
  ResultSink sink(std::move(output), options.keep_order);
  std::string error;
  Status run = scheduler->Run(source, sink);
  bool finished = run.ok();
  if (!finished) error = run.message();
  if (summary->interrupted) sink.ReleaseHeld();
  if (const Status& s = source.read_status(); !s.ok() && finished) {
    finished = false;  // the lines after the error never ran
    error = s.message();
  }
  if (Status s = sink.Flush(); !s.ok() && finished) {
    finished = false;
    error = s.message();
  }
  summary->wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  rusage usage;
  if (getrusage(RUSAGE_SELF, &usage) == 0) summary->coordinator_peak_rss_mb = usage.ru_maxrss / 1024.0;
  summary->tasks = sink.written();
  summary->ok = sink.ok();
  summary->failed = sink.failed();
  summary->skipped = source.skipped();
  if (!finished) {
    fprintf(stderr, "farm run: %s\n", error.c_str());
    return kExitTasksFailed;
  }
  if (summary->interrupted) return kExitInterrupted;
  return summary->failed > 0 ? kExitTasksFailed : kExitOk;
}

namespace {

// The run and its summary; under --mode mpi, rank 0's part.
int RunAndReport(const RunOptions& options) {
  RunSummary summary;
  int exit_status = RunBatch(options, &summary);
  if (exit_status == kExitUsage) return exit_status;
  fputs(FormatSummary(summary).c_str(), stderr);
  if (!options.summary_json.empty()) {
    if (Status s = WriteSummaryJson(summary, options.summary_json); !s.ok()) {
      fprintf(stderr, "farm run: %s\n", s.message().c_str());
      if (exit_status == kExitOk) exit_status = kExitTasksFailed;
    }
  }
  return exit_status;
}

}  // namespace

int RunCommand(std::span<char* const> args) {
  RunOptions options;
  if (!ParseRunOptions(args, &options)) return kExitUsage;
  if (options.mode == Mode::kMpi)
    return RunUnderMpi(options, [&options] { return RunAndReport(options); });
  return RunAndReport(options);
}

}  // namespace farm

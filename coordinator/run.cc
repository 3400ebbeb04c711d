#include "coordinator/run.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/rng.h"
#include "coordinator/flags.h"
#include "coordinator/result_sink.h"
#include "coordinator/resume.h"
#include "coordinator/run_db.h"
#include "coordinator/run_files.h"
#include "coordinator/scheduler.h"
#include "coordinator/signals.h"
#include "coordinator/robots.h"
#include "coordinator/task_source.h"
#include "coordinator/version.h"
#include "coordinator/worker_limits.h"
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
  options->politeness.delay_min_ms = static_cast<int>(lo);
  options->politeness.delay_max_ms = static_cast<int>(hi);
  return Status::Ok();
}

// --header "Name: value", as curl -H takes it.
Status AddHeader(std::string_view header, FetchSettings* fetch) {
  size_t colon = header.find(':');
  std::string_view name = header.substr(0, colon);
  bool name_ok = colon != std::string_view::npos && !name.empty() &&
                 std::all_of(name.begin(), name.end(), [](char c) {
                   return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
                 });
  if (!name_ok) return Status::Error("--header: expected \"Name: value\", got '" +
                                     std::string(header) + "'");
  if (header.find_first_of("\r\n") != std::string_view::npos)
    return Status::Error("--header: a header is one line");
  fetch->headers.emplace_back(header);
  return Status::Ok();
}

Status ParseRobots(std::string_view text, RunOptions* options) {
  if (text != "respect" && text != "ignore")
    return Status::Error("--robots: expected respect or ignore, got '" + std::string(text) + "'");
  options->politeness.robots = text == "respect";
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

}  // namespace

Status CheckRunFiles(const RunOptions& options, const Fd* input) {
  const std::string& path = options.urls.empty() ? options.input : options.urls;
  std::vector<FileUse> reads;
  if (input != nullptr)
    reads.push_back({path == "-" ? "standard input"
                                 : (options.urls.empty() ? "the input '" : "--urls '") + path + "'",
                     "", input->get()});
  std::vector<FileUse> writes;
  if (options.output.empty()) {
    writes.push_back({"standard output", "", STDOUT_FILENO});
  } else {
    if (Status s = CheckWritable(options.output); !s.ok()) return s;
    writes.push_back({"--output '" + options.output + "'", options.output});
  }
  if (!options.summary_json.empty()) {
    if (Status s = CheckWritable(options.summary_json); !s.ok()) return s;
    writes.push_back({"--summary-json '" + options.summary_json + "'", options.summary_json});
  }
  if (!options.db.empty()) {
    if (Status s = CheckDb(options.db); !s.ok()) return s;
    writes.push_back({"--db '" + options.db + "'", options.db});
  }
  if (options.resume && options.db.empty())  // --db resumes from the database
    if (Status s = CheckResumable(options.output); !s.ok()) return s;
  return CheckDistinct(reads, writes);
}

Status CheckWorkerLimits(const RunOptions& options) {
  if (options.mode != Mode::kProcess) return Status::Ok();
  if (Status s = EnsureDescriptorsForWorkers(options.workers); !s.ok()) return s;
  return CheckMemoryLimit(options.memory_limit_mb);
}

namespace {

// --resume: learns what the output file already holds, before appending to it.
Status LoadResume(const RunOptions& options, ResumeSet* resume) {
  if (!options.resume || !options.db.empty()) return Status::Ok();
  if (Status s = resume->Load(options.output); !s.ok()) return s;
  if (resume->torn_bytes() > 0)
    fprintf(stderr, "farm: resume: ignored the torn last line of '%s' (%llu bytes)\n",
            options.output.c_str(), static_cast<unsigned long long>(resume->torn_bytes()));
  return Status::Ok();
}

// How a run that started ends. A reader that went away (`| head -1`) ends it
// silently; any other failure of the output is said, with what was lost.
ExitStatus ExitStatusOf(const std::string& failed, const ResultSink& sink, const Status& run,
                        RunSummary* summary) {
  if (sink.failure() == ResultSink::Failure::kReaderGone && !summary->interrupted) {
    summary->reader_gone = true;
    return kExitCannotComplete;
  }
  if (sink.failure() != ResultSink::Failure::kNone) {
    Say(failed + sink.status().message() + "\n");
  } else if (!run.ok()) {
    Say(failed + run.message() + "\n");
  }
  if (summary->interrupted || sink.failure() == ResultSink::Failure::kAbandoned)
    return summary->interrupted = true, kExitInterrupted;
  if (sink.failure() != ResultSink::Failure::kNone || !run.ok()) return kExitCannotComplete;
  return summary->failed > 0 || !summary->halted.empty() ? kExitTasksFailed : kExitOk;
}

}  // namespace

bool ParseRunOptions(std::span<char* const> args, RunOptions* o, std::span<const Flag> more,
                     std::vector<std::string>* words) {
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  o->workers = cpus > 0 ? static_cast<int>(std::min<long>(cpus, kMaxWorkers)) : 1;
  o->progress = isatty(STDERR_FILENO);
  bool seed_given = false;
  auto set_true = [](bool* target) {
    return [target](std::string_view) { return *target = true, Status::Ok(); };
  };
  const Flag flags[] = {
      {"--workers", 'j', true, IntInto("--workers", 1, kMaxWorkers, &o->workers)},
      {"--mode", 0, true, [o](std::string_view v) { return ParseMode(v, &o->mode); }},
      {"--output", 'o', true, PathInto("--output", &o->output)},
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
      {"--urls", 0, true, PathInto("--urls", &o->urls)},
      {"--out-dir", 0, true, PathInto("--out-dir", &o->fetch.out_dir)},
      {"--concurrency", 0, true, IntInto("--concurrency", 1, 1000, &o->fetch.concurrency)},
      {"--delay", 0, true, [o](std::string_view v) { return ParseDelay(v, o); }},
      {"--max-per-host", 0, true,
       IntInto("--max-per-host", 1, 1000, &o->politeness.max_per_host)},
      {"--fetch-retries", 0, true,
       IntInto("--fetch-retries", 0, 100, &o->politeness.fetch_retries)},
      {"--user-agent", 0, true,
       [o](std::string_view v) { return o->fetch.user_agent = v, Status::Ok(); }},
      {"--header", 0, true, [o](std::string_view v) { return AddHeader(v, &o->fetch); }},
      {"--robots", 0, true, [o](std::string_view v) { return ParseRobots(v, o); }},
      {"--max-tasks-per-worker", 0, true,
       IntInto("--max-tasks-per-worker", 1, 1'000'000'000, &o->max_tasks_per_worker)},
      {"--memory-limit", 0, true, IntInto("--memory-limit", 1, 1 << 24, &o->memory_limit_mb)},
      {"--progress", 0, false, set_true(&o->progress)},
      {"--no-progress", 0, false, [o](std::string_view) { return o->progress = false, Status::Ok(); }},
      {"--summary-json", 0, true, PathInto("--summary-json", &o->summary_json)},
      {"--halt", 0, true, [o](std::string_view v) { return HaltPolicy::Parse(v, &o->halt); }},
      {"--db", 0, true, PathInto("--db", &o->db)},
      {"--allow-exec", 0, false, set_true(&o->allow_exec)},
  };
  o->arguments.assign(args.begin(), args.end());
  std::vector<Flag> all(std::begin(flags), std::end(flags));
  all.insert(all.end(), more.begin(), more.end());
  std::vector<std::string> positional;
  Status status = ParseFlags(args, all, words != nullptr ? words : &positional);
  if (status.ok() && positional.size() > 1)
    status = Status::Error("expected at most one input file, got " +
                           std::to_string(positional.size()));
  if (status.ok() && !positional.empty()) {
    if (!o->urls.empty()) status = Status::Error("give either --urls FILE or a task FILE, not both");
    if (positional[0].empty()) status = Status::Error("expected a task FILE, got ''");
    o->input = positional[0];
  }
  if (o->output == "-") o->output.clear();  // standard output
  if (status.ok() && o->resume && o->output.empty() && o->db.empty())
    status = Status::Error("--resume needs --output FILE or --db FILE");
  if (status.ok() && o->mode != Mode::kProcess && o->mode != Mode::kMpi)
    status = CheckInProcessOptions(*o);
  if (!status.ok()) {
    fprintf(stderr, "farm %s: %s\nusage: farm %s [OPTIONS] %s   (farm help for more)\n",
            o->command, status.message().c_str(), o->command,
            words != nullptr ? "SEED_URL..." : "[FILE]");
    return false;
  }
  if (!seed_given) o->seed = SeedFromOs();
  FinishFetchOptions(o);
  return true;
}

void FinishFetchOptions(RunOptions* options) {
  if (options->fetch.user_agent.empty()) options->fetch.user_agent = DefaultUserAgent();
  options->politeness.robots_token = RobotsProductToken(options->fetch.user_agent);
}

namespace {

// farm run's tasks: the lines of a file, or of --urls.
class FileTasks final : public RunTasks {
 public:
  FileTasks(const RunOptions& options, Fd input, ResumeSet* resume)
      : options_(options), source_(std::move(input), !options.urls.empty(), options.exec),
        resume_(resume) {}

  Status Start(int workers, ResultSink& sink, RunDb& db) override {
    if (options_.resume) source_.ResumeFrom(resume_);
    feed_.emplace(source_, sink);
    output_.emplace(sink);
    return db.Start(options_, workers, &sink, &source_);
  }
  TaskFeed& feed() override { return *feed_; }
  ResultOutput& output() override { return *output_; }
  Status read_status() const override { return source_.read_status(); }
  uint64_t skipped() const override { return source_.skipped(); }

 private:
  const RunOptions& options_;
  TaskSource source_;
  ResumeSet* resume_;
  std::optional<FileFeed> feed_;
  std::optional<FileOutput> output_;
};

}  // namespace

// Everything that can refuse the run is checked before the workers start,
// and the outputs are created only once they run (the scheduler opens the
// sink): a run refused leaves every file as it was.
ExitStatus RunBatch(const RunOptions& options, RunSummary* summary) {
  Fd input;
  ResumeSet resume;
  Status status = OpenInput(options, &input);
  if (status.ok()) status = CheckRunFiles(options, &input);
  if (status.ok()) status = CheckWorkerLimits(options);
  if (status.ok()) status = LoadResume(options, &resume);  // last: it may cut a torn line
  if (!status.ok()) {
    fprintf(stderr, "farm %s: %s\n", options.command, status.message().c_str());
    return kExitUsage;
  }
  FileTasks tasks(options, std::move(input), &resume);
  return RunStarted(options, tasks, summary);
}

ExitStatus RunStarted(const RunOptions& options, RunTasks& tasks, RunSummary* summary) {
  summary->mode = options.mode;
  summary->seed = options.seed;
  const std::string failed = std::string("farm ") + options.command + ": ";

  auto start = std::chrono::steady_clock::now();
  // Before any worker thread starts, which inherits the blocked mask, and up
  // to the last line written, which may wait on its reader.
  StopSignals signals;
  std::unique_ptr<Transport> transport;
  std::optional<Scheduler> scheduler;
  Status status = MakeTransport(options, &transport);
  if (status.ok()) {
    scheduler.emplace(options, *transport, summary,
                      SchedulerEnv{.stop_signals = [] { return StopSignals::Collect(); },
                                   .signal_mask = signals.wait_mask()});
    status = scheduler->StartWorkers();
  }
  if (!status.ok()) {  // nothing ran, and no file was touched
    if (StopSignals::count() > 0) return summary->interrupted = true, kExitInterrupted;
    Say(failed + status.message() + "\n");
    return kExitUsage;
  }
  summary->workers = transport->slots();
  ResultSink sink(options.output, options.resume, options.keep_order);
  RunDb db;
  if (status = tasks.Start(summary->workers, sink, db); !status.ok()) {
    Say(failed + status.message() + "\n");  // nothing ran
    return kExitCannotComplete;
  }
  if (options.echo) sink.set_echo(options.echo);
  status = scheduler->Run(tasks.feed(), tasks.output());
  if (!sink.opened()) {  // it could not be created after all: nothing ran
    if (StopSignals::count() > 0) return summary->interrupted = true, kExitInterrupted;
    Say(failed + status.message() + "\n");
    return kExitUsage;
  }
  if (summary->interrupted || !summary->halted.empty()) sink.ReleaseHeld();
  if (const Status& s = tasks.read_status(); !s.ok() && status.ok())
    status = s;  // the lines after the error never ran
  (void)sink.Finish();
  summary->wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  rusage usage;
  if (getrusage(RUSAGE_SELF, &usage) == 0) summary->coordinator_peak_rss_mb = usage.ru_maxrss / 1024.0;
  summary->tasks = sink.written();
  summary->ok = sink.ok();
  summary->failed = sink.failed();
  summary->unwritten = sink.unwritten();
  summary->skipped = tasks.skipped();
  return db.Finish(*summary, ExitStatusOf(failed, sink, status, summary));
}

namespace {

// The run and its summary; under --mode mpi, rank 0's part.
ExitStatus RunAndReport(const RunOptions& options, const Batch& batch) {
  RunSummary summary;
  ExitStatus exit_status = batch(&summary);
  if (exit_status == kExitUsage) return exit_status;
  if (!summary.reader_gone) Say(FormatSummary(summary));
  if (!options.summary_json.empty()) {
    if (Status s = WriteSummaryJson(summary, options.summary_json); !s.ok()) {
      fprintf(stderr, "farm %s: %s\n", options.command, s.message().c_str());
      if (exit_status == kExitOk || exit_status == kExitTasksFailed)
        exit_status = kExitCannotComplete;
    }
  }
  return exit_status;
}

}  // namespace

ExitStatus RunCommand(std::span<char* const> args) {
  RunOptions options;
  if (!ParseRunOptions(args, &options)) return kExitUsage;
  return RunWithOptions(options);
}

ExitStatus RunWithOptions(const RunOptions& options) {
  return RunWithOptions(options, [&options](RunSummary* summary) {
    return RunBatch(options, summary);
  });
}

ExitStatus RunWithOptions(const RunOptions& options, const Batch& batch) {
  if (options.mode == Mode::kMpi)
    return RunUnderMpi(options, [&] { return RunAndReport(options, batch); });
  return RunAndReport(options, batch);
}

}  // namespace farm

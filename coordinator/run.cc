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

#include "common/fd.h"
#include "coordinator/result_sink.h"
#include "coordinator/resume.h"
#include "coordinator/run_db.h"
#include "coordinator/run_files.h"
#include "coordinator/scheduler.h"
#include "coordinator/signals.h"
#include "coordinator/task_source.h"
#include "coordinator/worker_limits.h"
#include "mpi/mpi_mode.h"

namespace farm {
namespace {

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
  // Closed at start, they are /dev/null: results would vanish, and tasks
  // would be none.
  if (input != nullptr && path == "-" && StandardFdWasClosed(STDIN_FILENO))
    return Status::Error("standard input is closed: give the tasks in a file");
  if (options.output.empty() && StandardFdWasClosed(STDOUT_FILENO))
    return Status::Error("standard output is closed: give -o FILE for the results");
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
  if (options.summary_json == "-") {  // standard output, as for -o
    if (StandardFdWasClosed(STDOUT_FILENO))
      return Status::Error("standard output is closed: give --summary-json FILE");
  } else if (!options.summary_json.empty()) {
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
  db.Drain();  // the results are not all written until they are committed
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

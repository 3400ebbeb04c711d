#include "coordinator/sequential_runner.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>

#include <chrono>

#include <nlohmann/json.hpp>

#include "common/rng.h"
#include "coordinator/progress.h"
#include "coordinator/signals.h"
#include "worker/run_task.h"

namespace farm {
namespace {

using Clock = std::chrono::steady_clock;

// Stop signals stay blocked while tasks run; they are let in this often.
constexpr auto kSignalCheckInterval = std::chrono::milliseconds(10);

// Lets pending stop signals reach their handler, waiting up to `timeout`
// (nullptr: forever) for `fd` to become readable if fd >= 0. Returns 1 if
// it is, 0 if not (yet), -1 on a poll error.
int WaitWithSignals(const StopSignals& signals, int fd, const timespec* timeout) {
  pollfd input = {fd, POLLIN, 0};
  int ready = ppoll(fd >= 0 ? &input : nullptr, fd >= 0 ? 1 : 0, timeout, signals.wait_mask());
  if (ready < 0) return errno == EINTR ? 0 : -1;
  return ready > 0 && input.revents != 0 ? 1 : 0;
}

}  // namespace

bool RunSequential(const RunOptions& options, TaskSource& source, ResultSink& sink,
                   RunSummary* summary, std::string* error) {
  StopSignals signals;
  Progress progress(options);
  WorkerContext worker;  // worker 0, seeded like process and thread worker 0
  worker.index = 0;
  worker.master_seed = options.seed;
  worker.seed = WorkerSeed(options.seed, 0, 0);
  worker.rng = Rng(worker.seed);
  worker.fetch = options.fetch;
  uint64_t completed = 0;
  summary->workers = 1;
  if (Status s = sink.Open(); !s.ok()) return *error = s.message(), false;

  const timespec no_wait = {0, 0};
  const timespec tick = {0, 200'000'000};  // redraw progress
  Clock::time_point last_check = Clock::now();
  std::string line;
  InputTask input;
  for (bool done = false; !done;) {
    if (Clock::now() - last_check >= kSignalCheckInterval) {
      WaitWithSignals(signals, -1, &no_wait);
      if (Status s = sink.Flush(); !s.ok()) return *error = s.message(), false;
      last_check = Clock::now();
    }
    if (StopSignals::count() > 0) {
      summary->interrupted = true;
      break;
    }
    switch (source.TakeRunnable(sink, &input)) {
      case TaskSource::Next::kEnd:
        done = true;
        break;
      case TaskSource::Next::kNeedInput: {
        if (Status s = sink.Flush(); !s.ok()) return *error = s.message(), false;
        int ready = WaitWithSignals(signals, source.fd(), options.progress ? &tick : nullptr);
        if (ready < 0) return *error = "poll input", false;
        if (ready > 0) source.ReadMore();  // else a signal or a progress tick
        break;
      }
      case TaskSource::Next::kTask:
        line.clear();
        {
          nlohmann::json task = nlohmann::json::parse(input.json, nullptr, false);
          bool ok = RunTask(input.seq, /*attempt=*/1, task, worker, &line);
          sink.Add(input.seq, line, ok);
        }
        ++completed;
        break;
    }
    progress.Update(sink.written(), sink.failed(), source.fraction_read());
  }
  progress.Clear();
  summary->tasks_per_worker.assign(1, completed);
  return true;
}

}  // namespace farm

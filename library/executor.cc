#include <farm/executor.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdio>
#include <optional>
#include <stdexcept>
#include <thread>

#include "common/json_writer.h"
#include "common/rng.h"
#include "coordinator/scheduler.h"
#include "coordinator/run_flags.h"
#include "coordinator/worker_limits.h"
#include "library/executor_core.h"
#include "library/registration.h"

namespace farm {
namespace {

RunOptions OptionsFor(const ExecutorOptions& given) {
  if (given.mode == Mode::kMpi)
    throw std::invalid_argument("farm::Executor: MPI runs under mpirun with `farm run --mode mpi`");
  if (given.mode != Mode::kProcess && (given.task_timeout_s > 0 || given.max_tasks_per_worker > 0))
    throw std::invalid_argument(
        "farm::Executor: task_timeout_s and max_tasks_per_worker need Mode::kProcess");
  if (given.workers < 0 || given.workers > 1024 || given.retries < 0 || given.task_timeout_s < 0)
    throw std::invalid_argument("farm::Executor: workers 0..1024, retries and timeout >= 0");
  RunOptions options;
  options.mode = given.mode;
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  options.workers = given.workers > 0 ? given.workers : static_cast<int>(std::max(cpus, 1L));
  options.seed = given.seed != 0 ? given.seed : SeedFromOs();
  options.retries = given.retries;
  if (given.task_timeout_s > 0) options.task_timeout_s = given.task_timeout_s;
  options.max_tasks_per_worker = given.max_tasks_per_worker;
  FinishFetchOptions(&options);
  return options;
}

Fd MakeEventFd() {
  Fd fd(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!fd.valid()) throw std::runtime_error("farm::Executor: eventfd failed");
  return fd;
}

// Threads this process runs now, from /proc; 0 if unknown.
int ThreadCount() {
  FILE* status = fopen("/proc/self/status", "re");
  if (status == nullptr) return 0;
  char line[256];
  int threads = 0;
  while (fgets(line, sizeof line, status) != nullptr)
    if (sscanf(line, "Threads: %d", &threads) == 1) break;
  fclose(status);
  return threads;
}

// Forking a process that runs other threads copies their locks, held or
// not, into a child without them: said once, as Python 3.12 does.
void WarnIfThreaded() {
  static std::atomic<bool> warned{false};
  const int threads = ThreadCount();
  if (threads > 1 && !warned.exchange(true))
    fprintf(stderr,
            "farm::Executor: forking workers while this process runs %d threads; make the "
            "Executor before starting threads (see farm/executor.h)\n",
            threads);
}

// Appends `value` as JSON text, with no string in between (a tiny task's
// submit is mostly this); invalid UTF-8 is replaced, as in every result.
void AppendJson(const nlohmann::json& value, std::string* out) {
  nlohmann::detail::serializer<nlohmann::json> serializer(
      nlohmann::detail::output_adapter<char>(*out), ' ', nlohmann::json::error_handler_t::replace);
  serializer.dump(value, false, false, 0);
}

// {"type":TYPE,...fields}: the task line `farm run` would read.
void TaskLine(std::string_view type, const nlohmann::json& fields, std::string* out) {
  out->reserve(32);
  out->append("{\"type\":");
  AppendJsonString(type, out);
  if (fields.is_object()) {
    for (auto it = fields.begin(); it != fields.end(); ++it) {
      out->push_back(',');
      AppendJsonString(it.key(), out);
      out->push_back(':');
      AppendJson(*it, out);
    }
  } else {
    out->append(",\"fields\":");  // fails as bad_task, naming it
    AppendJson(fields, out);
  }
  out->push_back('}');
}

void Cancel(FutureState& state) {
  Phase queued = Phase::kQueued;
  state.phase.compare_exchange_strong(queued, Phase::kCancelled);
}

}  // namespace

struct Executor::Impl {
  explicit Impl(const ExecutorOptions& given)
      : options(OptionsFor(given)),
        core(std::make_shared<Core>()),
        feed(core, queue, MakeEventFd(), sent),
        output(core, sent) {}

  void Start();
  void Serve();
  void Finish();

  const RunOptions options;
  std::shared_ptr<Core> core;
  SubmitQueue queue;  // under core->mu
  SentTasks sent;     // scheduler thread only
  ExecutorFeed feed;
  ExecutorOutput output;
  RunSummary summary;
  std::unique_ptr<Transport> transport;
  std::optional<Scheduler> scheduler;
  std::atomic<int> stop{0};  // 2: stop now, as a second Ctrl-C stops farm run
  std::thread thread;
};

// Workers start here, in the caller's thread: in process mode before the
// scheduler's thread exists, so the forks copy a process of one thread if
// the caller has no other.
void Executor::Impl::Start() {
  if (options.mode == Mode::kProcess) WarnIfThreaded();
  Status status =
      options.mode == Mode::kProcess ? EnsureDescriptorsForWorkers(options.workers) : Status::Ok();
  if (status.ok()) status = MakeTransport(options, &transport);
  if (status.ok()) {
    scheduler.emplace(options, *transport, &summary,
                      SchedulerEnv{.stop_signals = [this] { return stop.load(); }});
    status = scheduler->StartWorkers();
  }
  if (!status.ok()) throw std::runtime_error("farm::Executor: " + status.message());
  thread = std::thread([this] { Serve(); });
}

void Executor::Impl::Serve() {
  // A write to a dead worker's pipe is EPIPE for this thread, not SIGPIPE
  // for the caller's program.
  sigset_t pipe;
  sigemptyset(&pipe);
  sigaddset(&pipe, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
  (void)scheduler->Run(feed, output);
  (void)output.Flush();
  Finish();
}

// The run ended (Shutdown, or no worker could be restarted): whatever did
// not finish is cancelled, so no Get() waits forever.
void Executor::Impl::Finish() {
  {
    std::lock_guard lock(core->mu);
    queue.closed = true;
    for (auto& state : queue.tasks) Cancel(*state);
    queue.tasks.clear();
    for (auto& state : feed.taken()) Cancel(*state);
    for (auto& state : sent.all())
      if (state != nullptr) state->phase.store(Phase::kCancelled);
  }
  feed.taken().clear();
  sent.all().clear();
  core->cv.notify_all();
}

Executor::Executor(ExecutorOptions options) : impl_(std::make_unique<Impl>(options)) {
  SealTaskTypes();
  impl_->Start();
}

Executor::~Executor() { Shutdown(/*wait=*/false); }

Future Executor::Submit(std::string_view type, const nlohmann::json& fields) {
  auto state = std::make_shared<FutureState>();
  state->core = impl_->core;
  state->fetch = type == "fetch";
  TaskLine(type, fields, &state->task);
  bool wake;
  {
    std::lock_guard lock(impl_->core->mu);
    if (impl_->queue.closed) throw std::logic_error("farm::Executor::Submit after Shutdown");
    state->seq = impl_->queue.next_seq++;
    impl_->queue.tasks.push_back(state);
    wake = std::exchange(impl_->queue.hungry, false);
  }
  if (wake) impl_->feed.Wake();
  return Future(std::move(state));
}

void Executor::Shutdown(bool wait) {
  {
    std::lock_guard lock(impl_->core->mu);
    impl_->queue.closed = true;
    if (!wait) {
      for (auto& state : impl_->queue.tasks) Cancel(*state);
      impl_->queue.tasks.clear();
      impl_->stop = 2;
    }
  }
  impl_->core->cv.notify_all();
  if (!impl_->thread.joinable()) return;
  impl_->feed.Wake();
  impl_->thread.join();
  impl_->scheduler.reset();
  impl_->transport.reset();  // every worker stopped and reaped
}

int Executor::workers() const { return impl_->options.workers; }
uint64_t Executor::seed() const { return impl_->options.seed; }

}  // namespace farm

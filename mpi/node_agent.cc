#include "mpi/node_agent.h"

#include <stdio.h>

#include <algorithm>
#include <string>
#include <vector>

#include "coordinator/process_transport.h"
#include "common/exit_status.h"
#include "mpi/frames.h"
#include "mpi/launched_worker.h"
#include "mpi/mpi_link.h"

namespace farm::mpi {
namespace {

// How long the agent waits on its workers' pipes before it looks at MPI
// again: a short nap after anything happened, doubling while nothing does,
// up to NapCap().
constexpr auto kMinNap = std::chrono::microseconds(20);

class NodeAgent : private TransportEvents {
 public:
  NodeAgent(const RunOptions& options, Launcher& launcher)
      : workers_(options.workers),
        watch_running_(options.task_timeout_s.has_value()),
        transport_(options.workers,
                   [&launcher](std::unique_ptr<WorkerProcess>* worker) {
                     return LaunchedWorker::Spawn(launcher, worker);
                   }),
        generation_(static_cast<size_t>(options.workers)),
        reported_(static_cast<size_t>(options.workers)) {}

  ExitStatus Run();

 private:
  // TransportEvents: what the local workers say goes to rank 0.
  void OnMessage(int local, std::string_view line) override {
    out_.AppendLine(static_cast<uint32_t>(local), Generation(local), line);
    active_ = true;
    if (out_.size() > kPostBytes) PostToCoordinator();
  }
  void OnEnded(int local, const std::string& how) override {
    ReportRunning(local, /*changed_only=*/false);
    out_.Append(FrameKind::kEnded, static_cast<uint32_t>(local), Generation(local), how);
    active_ = true;
  }

  uint32_t Generation(int local) const { return generation_[static_cast<size_t>(local)]; }
  // Handles one frame from rank 0; true when it says stop.
  bool Handle(const Frame& frame);
  void ReportRunning(int local, bool changed_only);
  void PostToCoordinator();
  ExitStatus Leave(bool now);

  const int workers_;
  const bool watch_running_;
  ProcessTransport transport_;
  MpiLink link_;
  FrameWriter out_;
  std::vector<uint32_t> generation_;
  std::vector<uint64_t> reported_;  // the running task last reported, per worker
  std::string message_;
  bool active_ = false;  // something happened this turn: don't nap
  Clock::duration nap_ = Clock::duration::zero();
  Clock::time_point last_active_;
  Clock::time_point posted_ = Clock::now();
  Clock::time_point heard_;
  bool heard_any_ = false;
};

ExitStatus NodeAgent::Run() {
  for (;;) {
    active_ = false;
    int source;
    while (link_.Receive(&source, &message_)) {
      active_ = true;
      heard_ = Clock::now();
      heard_any_ = true;
      if (source != 0) continue;
      FrameReader reader(message_);
      Frame frame;
      while (reader.Next(&frame)) {
        if (frame.kind == FrameKind::kStop) return Leave(frame.payload == "now");
        Handle(frame);
      }
    }
    if (heard_any_ && Clock::now() - heard_ > kCoordinatorLostAfter) {
      fprintf(stderr, "farm: MPI rank 0 is lost; this node agent stops\n");
      transport_.Stop(/*now=*/true);
      return kExitCannotComplete;
    }
    if (watch_running_)
      for (int local = 0; local < workers_; ++local) ReportRunning(local, /*changed_only=*/true);
    PostToCoordinator();
    bool unused;
    if (active_) last_active_ = Clock::now();
    nap_ = active_ ? Clock::duration::zero()
                   : std::clamp<Clock::duration>(2 * nap_, kMinNap,
                                                 NapCap(Clock::now() - last_active_));
    Clock::time_point until = Clock::now() + nap_;
    if (Status s = transport_.Wait({.until = until}, *this, &unused); !s.ok()) {
      fprintf(stderr, "farm: node agent: %s\n", s.message().c_str());
      transport_.Stop(/*now=*/true);
      return kExitCannotComplete;
    }
    PostToCoordinator();
  }
}

bool NodeAgent::Handle(const Frame& frame) {
  if (frame.local >= static_cast<uint32_t>(workers_)) return false;
  const int local = static_cast<int>(frame.local);
  if (frame.kind == FrameKind::kStart) {
    generation_[frame.local] = frame.generation;
    reported_[frame.local] = 0;
    if (Status s = transport_.Start(local); !s.ok()) {
      out_.Append(FrameKind::kStartFailed, frame.local, frame.generation, s.message());
      PostToCoordinator();  // now: starting the next ones may take as long again
    }
    return false;
  }
  if (frame.generation != Generation(local)) return false;  // about a worker since replaced
  switch (frame.kind) {
    case FrameKind::kLines: {
      std::string lines(frame.payload);
      transport_.Send(local, &lines);
      break;
    }
    case FrameKind::kCloseInput:
      transport_.CloseInput(local);
      break;
    case FrameKind::kKill:
      transport_.Kill(local);
      break;
    default:
      break;
  }
  return false;
}

// The task a worker runs, from its page, as an age rank 0 can use whatever
// its clock.
void NodeAgent::ReportRunning(int local, bool changed_only) {
  uint64_t seq = 0;
  Clock::time_point since;
  transport_.Running(local, &seq, &since);
  uint64_t& reported = reported_[static_cast<size_t>(local)];
  if (changed_only && seq == reported) return;
  reported = seq;
  if (seq == 0) return;
  auto age = std::max(Clock::now() - since, Clock::duration::zero());
  out_.AppendRunning(static_cast<uint32_t>(local), Generation(local), seq,
                     static_cast<uint64_t>(
                         std::chrono::duration_cast<std::chrono::nanoseconds>(age).count()));
}

void NodeAgent::PostToCoordinator() {
  const Clock::time_point now = Clock::now();
  if (out_.empty() && now - posted_ < kHeartbeat) return link_.Progress();
  if (out_.empty()) out_.Append(FrameKind::kAlive, 0, 0);
  link_.Post(0, out_.Take());
  posted_ = now;
  link_.Progress();
}

ExitStatus NodeAgent::Leave(bool now) {
  transport_.Stop(now);
  out_.Append(FrameKind::kStopped, 0, 0);
  link_.Post(0, out_.Take());
  link_.Drain(Clock::now() + std::chrono::seconds(5));
  return kExitOk;
}

}  // namespace

ExitStatus RunNodeAgent(const RunOptions& options, Launcher& launcher) {
  return NodeAgent(options, launcher).Run();
}

}  // namespace farm::mpi

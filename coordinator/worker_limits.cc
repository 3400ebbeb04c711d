#include "coordinator/worker_limits.h"

#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <string>

namespace farm {
namespace {

// Descriptors of worker k's start, beyond the coordinator's own: the 2 ends
// each earlier worker holds, its 4 new pipe ends, and 3 it opens in the child
// (its pipes moved above 10, /dev/null) before closing what it inherited.
constexpr long kDescriptorsPerWorker = 2;
constexpr long kDescriptorsToStartOne = 4 + 3;
// The output, open when a worker is replaced mid-run.
constexpr long kDescriptorsOfOutput = 1;

// Room for what a worker allocates once forked (its read buffer, replies)
// and for what the coordinator allocates between the check and the fork.
constexpr long kWorkerHeadroomBytes = 2L << 20;

// Open descriptors numbered below `limit`: new ones take the lowest free
// numbers, so only those use up room.
long OpenDescriptorsBelow(rlim_t limit) {
  long count = 0;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd", error)) {
    const std::string name = entry.path().filename().string();
    if (std::stoul(name) < limit) ++count;
  }
  return count - 1;  // the directory iterator's own
}

}  // namespace

Status EnsureDescriptorsForWorkers(int workers) {
  rlimit limit;
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY)
    return Status::Ok();
  const long fixed = OpenDescriptorsBelow(limit.rlim_cur) + kDescriptorsOfOutput +
                     kDescriptorsToStartOne - kDescriptorsPerWorker;
  const long needed = fixed + kDescriptorsPerWorker * workers;
  if (needed <= static_cast<long>(limit.rlim_cur)) return Status::Ok();
  if (limit.rlim_max == RLIM_INFINITY || needed <= static_cast<long>(limit.rlim_max)) {
    limit.rlim_cur = static_cast<rlim_t>(needed);
    if (setrlimit(RLIMIT_NOFILE, &limit) == 0) return Status::Ok();
  }
  const long fit = (static_cast<long>(limit.rlim_max) - fixed) / kDescriptorsPerWorker;
  return Status::Error("-j " + std::to_string(workers) + " needs " + std::to_string(needed) +
                       " open files and the limit (ulimit -n) is " +
                       std::to_string(limit.rlim_max) +
                       (fit >= 1 ? ": use -j " + std::to_string(fit) + " or fewer" : "") +
                       ", or raise the limit");
}

Status CheckMemoryLimit(int limit_mb) {
  if (limit_mb <= 0) return Status::Ok();
  long pages = 0;
  if (FILE* statm = fopen("/proc/self/statm", "re")) {
    if (fscanf(statm, "%ld", &pages) != 1) pages = 0;
    fclose(statm);
  }
  const long size = pages * sysconf(_SC_PAGESIZE);
  const long minimum_mb = (size + kWorkerHeadroomBytes + (1L << 20) - 1) >> 20;
  if (limit_mb >= minimum_mb) return Status::Ok();
  char own[32];
  snprintf(own, sizeof own, "%.1f", static_cast<double>(size) / (1 << 20));
  return Status::Error("--memory-limit " + std::to_string(limit_mb) +
                       " is too small for a worker to start: it needs at least " +
                       std::to_string(minimum_mb) + " MB (a worker starts as a copy of farm, " +
                       own + " MB of address space)");
}

}  // namespace farm

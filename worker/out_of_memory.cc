#include "worker/out_of_memory.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <new>

#include <gmp.h>

#include "common/wire.h"

namespace farm {
namespace {

int g_reply_fd = -1;
const RunningTask* g_running = nullptr;

[[noreturn]] void OutOfMemory() {
  // Nothing here may allocate.
  char message[48];
  size_t size = wire::FormatOutOfMemory(g_running->seq.load(std::memory_order_relaxed), message);
  ssize_t ignored = write(g_reply_fd, message, size);
  constexpr char kNote[] = "farm worker: out of memory\n";
  ignored = write(STDERR_FILENO, kNote, sizeof kNote - 1);
  (void)ignored;
  _exit(1);
}

void* Allocate(size_t size) {
  void* p = malloc(size);
  if (p == nullptr) OutOfMemory();
  return p;
}

void* Reallocate(void* old, size_t, size_t size) {
  void* p = realloc(old, size);
  if (p == nullptr) OutOfMemory();
  return p;
}

void Free(void* p, size_t) { free(p); }

}  // namespace

void ExitWhenOutOfMemory(int reply_fd, const RunningTask* running) {
  g_reply_fd = reply_fd;
  g_running = running;
  mp_set_memory_functions(Allocate, Reallocate, Free);
  std::set_new_handler(OutOfMemory);
}

}  // namespace farm

#include "worker/out_of_memory.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <new>

#include <gmp.h>

#include "common/wire.h"

namespace farm {
namespace {

char g_message[64] = "farm worker: out of memory\n";

[[noreturn]] void OutOfMemory() {
  // Nothing here may allocate.
  ssize_t ignored = write(STDERR_FILENO, g_message, strlen(g_message));
  (void)ignored;
  _exit(wire::kExitOutOfMemory);
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

void ExitWhenOutOfMemory(int worker_index) {
  snprintf(g_message, sizeof g_message, "farm worker %d: out of memory\n", worker_index);
  mp_set_memory_functions(Allocate, Reallocate, Free);
  std::set_new_handler(OutOfMemory);
}

}  // namespace farm

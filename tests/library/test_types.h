// Task types the library tests register before any Executor starts.
#pragma once

namespace farm::testing {

// "square" {x}: x*x. "die" {}: kills its own worker with SIGKILL. "seeded"
// {}: the task's seed and first draw. "slow" {ms}: sleeps, then echoes ms.
void RegisterTestTypes();

}  // namespace farm::testing

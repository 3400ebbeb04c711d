// Task types the library tests register before any Executor starts.
#pragma once

namespace farm::testing {

// "square" {x}: x*x. "die" {}: kills its own worker with SIGKILL. "seeded"
// {}: the task's seed and first draw. "slow" {ms}: sleeps, then echoes ms.
// "patient" {max_ms, margin_ms}: works until its deadline is margin_ms away
// or max_ms passed. "gate" {path, fraction}: reports fraction, then waits
// for the file at path. "busy_progress" {calls}: Progress() in a tight loop.
void RegisterTestTypes();

}  // namespace farm::testing

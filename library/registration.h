// The library's side of farm::RegisterTask: its rows join worker/registry's
// table, and the table is sealed once workers may read it.
#pragma once

namespace farm {

// After this, RegisterTask throws: an Executor started, and its workers
// (forks or threads) must all see the same table.
void SealTaskTypes();

}  // namespace farm

// farm's version: the one in the top CMakeLists.txt, and the git commit it
// was built from (empty when built outside a checkout, e.g. from a tarball).
#pragma once

namespace farm {

const char* Version();
const char* Commit();

}  // namespace farm

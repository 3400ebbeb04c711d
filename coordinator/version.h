// farm's version: the one in the top CMakeLists.txt, and the git commit it
// was built from (empty when built outside a checkout, e.g. from a tarball).
#pragma once

namespace farm {

const char* Version();
const char* Commit();
// "farm/1.0.0 (+https://...)": names farm, its version and its homepage, as
// a polite crawler does, so a site's owner can find out who is calling.
const char* DefaultUserAgent();

}  // namespace farm

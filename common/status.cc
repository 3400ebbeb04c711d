#include "common/status.h"

#include <string.h>

namespace farm {

Status Status::FromErrno(const std::string& what, int error_number) {
  return Error(what + ": " + strerror(error_number));
}

}  // namespace farm

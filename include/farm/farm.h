// farm as a library: your own task types (farm/task.h) and an executor with
// futures (farm/executor.h). Link farm::farm:
//   find_package(farm REQUIRED)
//   target_link_libraries(app PRIVATE farm::farm)
#pragma once

#include <farm/executor.h>
#include <farm/mode.h>
#include <farm/task.h>

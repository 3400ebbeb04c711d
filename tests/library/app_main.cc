// A program shaped like a library user's: its task types, then farm::Main.
// The end-to-end tests run it as they run farm.
#include <farm/task.h>

#include "tests/library/test_types.h"

int main(int argc, char** argv) {
  farm::testing::RegisterTestTypes();
  return farm::Main(argc, argv);
}

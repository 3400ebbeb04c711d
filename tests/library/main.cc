// The library tests' main: task types are registered before any test makes
// an Executor, as a program using farm must.
#include <gtest/gtest.h>

#include "tests/library/test_types.h"

int main(int argc, char** argv) {
  farm::testing::RegisterTestTypes();
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}

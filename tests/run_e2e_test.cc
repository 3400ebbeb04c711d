// End-to-end: the real farm binary with real forked workers.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/run_farm.h"

namespace farm {
namespace {

using nlohmann::json;
using testing::RunFarm;

TEST(RunE2E, FibBatchGivesOneOkLinePerTask) {
  auto run = RunFarm({"run", "-j", "2", "--seed", "1"},
                     "{\"type\":\"fib\",\"n\":20}\n{\"type\":\"fib\",\"n\":100,\"id\":\"big\"}\n");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto lines = run.lines();
  ASSERT_EQ(lines.size(), 2u);
  std::map<std::string, json> by_id;
  for (const auto& line : lines) {
    json result = json::parse(line);
    EXPECT_TRUE(result["ok"].get<bool>());
    by_id[result["id"].dump()] = result;
  }
  EXPECT_EQ(by_id["1"]["result"]["head"], "6765");
  EXPECT_EQ(by_id["\"big\""]["result"]["head"], "35422484817926191507");
  EXPECT_EQ(by_id["\"big\""]["result"]["digits"], 21);
  EXPECT_NE(run.err.find("seed 1"), std::string::npos);
}

}  // namespace
}  // namespace farm

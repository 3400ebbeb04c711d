// End-to-end: a fib batch through the real farm equals GMP's own values, by
// both methods.
#include <gmpxx.h>
#include <gtest/gtest.h>

#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/run_farm.h"

namespace farm {
namespace {

using nlohmann::json;
using testing::RunFarm;

std::string GmpFibString(unsigned long n) {
  mpz_class f;
  mpz_fib_ui(f.get_mpz_t(), n);
  return f.get_str();
}

TEST(FibE2E, BatchEqualsTheReferenceForBothMethods) {
  const unsigned long ns[] = {0,  1,  2,   3,   10,   20,   50,     92,
                              93, 94, 100, 999, 1000, 4096, 10'000, 54'321};
  std::string input;
  for (const char* method : {"iterative", "doubling"})
    for (unsigned long n : ns)
      input += json({{"id", std::string(method) + std::to_string(n)},
                     {"type", "fib"}, {"n", n}, {"method", method}, {"full", n <= 1000}})
                   .dump() + "\n";
  auto run = RunFarm({"run", "-j", "2", "--seed", "1"}, input);
  ASSERT_EQ(run.exit_code, 0) << run.err;

  std::map<std::string, json> by_id;
  for (const json& result : run.results()) by_id[result["id"]] = result;
  ASSERT_EQ(by_id.size(), 2 * std::size(ns));
  for (const char* method : {"iterative", "doubling"}) {
    for (unsigned long n : ns) {
      SCOPED_TRACE(std::string(method) + " n=" + std::to_string(n));
      const json& line = by_id[std::string(method) + std::to_string(n)];
      ASSERT_EQ(line["ok"], true) << line;
      EXPECT_EQ(line["type"], "fib");
      const json& result = line["result"];
      std::string want = GmpFibString(n);
      EXPECT_EQ(result["n"], n);
      EXPECT_EQ(result["digits"], want.size());
      EXPECT_EQ(result["head"], want.substr(0, 20));
      EXPECT_EQ(result["tail"], want.substr(want.size() - std::min<size_t>(want.size(), 20)));
      if (n <= 1000) {
        EXPECT_EQ(result["value"], want);
      } else {
        EXPECT_FALSE(result.contains("value"));
      }
    }
  }
}

TEST(FibE2E, DefaultMethodIsDoubling) {
  auto run = RunFarm({"run", "-j", "1"}, "{\"type\":\"fib\",\"n\":1000000}\n");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto results = run.results();
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0]["result"]["digits"], 208'988);
  EXPECT_EQ(results[0]["result"]["head"], "19532821287077577316");
  EXPECT_EQ(results[0]["result"]["tail"], "68996526838242546875");
}

TEST(FibE2E, LargeFullValueCrossesThePipeWhole) {
  // Megabytes in one reply line, while further tasks queue behind it.
  std::string input = "{\"id\":\"big\",\"type\":\"fib\",\"n\":10000000,\"full\":true}\n";
  for (int i = 0; i < 200; ++i) input += "{\"type\":\"fib\",\"n\":30}\n";
  auto run = RunFarm({"run", "-j", "2"}, input);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto results = run.results();
  ASSERT_EQ(results.size(), 201u);
  for (const json& result : results) {
    if (result["id"] != "big") continue;
    EXPECT_EQ(result["result"]["value"], GmpFibString(10'000'000));
    EXPECT_EQ(result["result"]["digits"], 2'089'877);
  }
}

}  // namespace
}  // namespace farm

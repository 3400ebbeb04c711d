// Fibonacci numbers against known values, and the decimal summary a fib
// result reports, near the edges where digit counts change.
#include "worker/fib.h"

#include <gtest/gtest.h>

#include <string>

namespace farm {
namespace {

std::string ToString(unsigned __int128 x) {
  if (x == 0) return "0";
  std::string digits;
  for (; x > 0; x /= 10) digits.insert(digits.begin(), static_cast<char>('0' + x % 10));
  return digits;
}

mpz_class GmpFib(unsigned long n) {
  mpz_class f;
  mpz_fib_ui(f.get_mpz_t(), n);
  return f;
}

// What SummarizeDecimal must give, from the whole decimal string.
DecimalSummary Reference(const mpz_class& x) {
  std::string all = x.get_str();
  DecimalSummary summary;
  summary.digits = all.size();
  summary.head = all.substr(0, 20);
  summary.tail = all.substr(all.size() - std::min<size_t>(all.size(), 20));
  return summary;
}

void ExpectSummary(const mpz_class& x) {
  DecimalSummary got = SummarizeDecimal(x), want = Reference(x);
  EXPECT_EQ(got.digits, want.digits) << x;
  EXPECT_EQ(got.head, want.head) << x;
  EXPECT_EQ(got.tail, want.tail) << x;
}

TEST(Fib, FirstHundredMatchTheTextbookLoop) {
  // F(186) still fits in 128 bits.
  unsigned __int128 a = 0, b = 1;
  for (uint64_t n = 0; n <= 100; ++n) {
    EXPECT_EQ(FibIterative(n).get_str(), ToString(a)) << "n " << n;
    EXPECT_EQ(FibDoubling(n).get_str(), ToString(a)) << "n " << n;
    unsigned __int128 next = a + b;
    a = b;
    b = next;
  }
}

TEST(Fib, KnownSmallValues) {
  EXPECT_EQ(FibDoubling(0), 0);
  EXPECT_EQ(FibDoubling(1), 1);
  EXPECT_EQ(FibDoubling(2), 1);
  EXPECT_EQ(FibDoubling(10), 55);
  EXPECT_EQ(FibDoubling(20), 6765);
  EXPECT_EQ(FibDoubling(100).get_str(), "354224848179261915075");
}

TEST(Fib, BothMethodsAgreeWithGmpAcrossBitPatterns) {
  // Powers of two and their neighbours walk every branch of the doubling.
  for (unsigned long n : {127ul, 128ul, 129ul, 255ul, 256ul, 1000ul, 1023ul, 1024ul, 1025ul,
                          4095ul, 4096ul, 12345ul, 65535ul, 65536ul, 65537ul, 99999ul}) {
    mpz_class want = GmpFib(n);
    EXPECT_EQ(FibDoubling(n), want) << "n " << n;
    EXPECT_EQ(FibIterative(n), want) << "n " << n;
  }
}

TEST(Fib, ThousandHas209Digits) {
  DecimalSummary summary = SummarizeDecimal(FibDoubling(1000));
  EXPECT_EQ(summary.digits, 209u);
  EXPECT_EQ(summary.head, "43466557686937456435");
  EXPECT_EQ(summary.tail, "76137795166849228875");
  EXPECT_EQ(FibIterative(1000), FibDoubling(1000));
}

TEST(Fib, MillionHas208988DigitsByBothMethods) {
  for (const mpz_class& f : {FibDoubling(1'000'000), FibIterative(1'000'000)}) {
    DecimalSummary summary = SummarizeDecimal(f);
    EXPECT_EQ(summary.digits, 208'988u);
    EXPECT_EQ(summary.head, "19532821287077577316");
    EXPECT_EQ(summary.tail, "68996526838242546875");
  }
}

TEST(Fib, DoublingMatchesGmpAtTenMillion) {
  EXPECT_EQ(FibDoubling(10'000'000), GmpFib(10'000'000));
}

TEST(SummarizeDecimal, ShortNumbersAreWholeInHeadAndTail) {
  DecimalSummary zero = SummarizeDecimal(0);
  EXPECT_EQ(zero.digits, 1u);
  EXPECT_EQ(zero.head, "0");
  EXPECT_EQ(zero.tail, "0");
  DecimalSummary small = SummarizeDecimal(6765);
  EXPECT_EQ(small.digits, 4u);
  EXPECT_EQ(small.head, "6765");
  EXPECT_EQ(small.tail, "6765");
}

TEST(SummarizeDecimal, TailKeepsLeadingZeros) {
  mpz_class x("1000000000000000000000000000000000000000000000000000000000000000000000000007");
  DecimalSummary summary = SummarizeDecimal(x);
  EXPECT_EQ(summary.tail, "00000000000000000007");
  EXPECT_EQ(summary.head, "10000000000000000000");
  EXPECT_EQ(summary.digits, 76u);
}

TEST(SummarizeDecimal, ExactNearPowersOfTen) {
  // GMP's digit estimate may be one too many just below a power of ten.
  for (unsigned long k = 1; k <= 60; ++k) {
    mpz_class power;
    mpz_ui_pow_ui(power.get_mpz_t(), 10, k);
    for (const mpz_class& x : {mpz_class(power - 1), power, mpz_class(power + 1),
                               mpz_class(power * 2 - 1), mpz_class(power * 10 - 1),
                               mpz_class(power / 2)})
      ExpectSummary(x);
  }
}

TEST(SummarizeDecimal, MatchesTheFullStringForManyFibs) {
  for (uint64_t n = 0; n <= 600; ++n) ExpectSummary(FibDoubling(n));
}

}  // namespace
}  // namespace farm

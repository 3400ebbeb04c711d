// Fibonacci numbers with GMP, and the decimal summary a fib result reports.
#pragma once

#include <cstdint>
#include <string>

#include <gmpxx.h>

namespace farm {

// F(n) by n additions: a, b = b, a + b. The loop people benchmark.
mpz_class FibIterative(uint64_t n);

// F(n) by fast doubling, two squarings a bit, like GMP's own mpz_fib_ui.
mpz_class FibDoubling(uint64_t n);

struct DecimalSummary {
  uint64_t digits = 0;
  std::string head;  // first 20 digits, fewer when the number is shorter
  std::string tail;  // last 20 digits, fewer when the number is shorter
};

// Exact, without converting the whole number to decimal: the tail is x mod
// 10^20, the head comes from dividing by a power of ten.
DecimalSummary SummarizeDecimal(const mpz_class& x);

}  // namespace farm

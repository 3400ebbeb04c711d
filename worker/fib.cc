#include "worker/fib.h"

#include <utility>

#include "common/json_writer.h"
#include "worker/registry.h"

namespace farm {
namespace {

constexpr size_t kEdgeDigits = 20;
constexpr uint64_t kMaxWordFib = 93;  // F(93) < 2^64 < F(94)

// log2 of the golden ratio: F(n) has about n * 0.6943 bits.
size_t FibBits(uint64_t n) { return static_cast<size_t>(n * 0.69424191363061738) + 64; }

}  // namespace

mpz_class FibIterative(uint64_t n) {
  mpz_class a, b;
  // Allocate the final size once so the loop never reallocates.
  mpz_realloc2(a.get_mpz_t(), FibBits(n));
  mpz_realloc2(b.get_mpz_t(), FibBits(n));
  a = 0;
  b = 1;
  for (uint64_t i = 0; i < n; ++i) {
    mpz_add(a.get_mpz_t(), a.get_mpz_t(), b.get_mpz_t());
    mpz_swap(a.get_mpz_t(), b.get_mpz_t());
  }
  return a;
}

mpz_class FibDoubling(uint64_t n) {
  if (n <= kMaxWordFib) {
    // Fits a machine word: no big-number arithmetic at all.
    uint64_t a = 0, b = 1;
    for (uint64_t i = 0; i < n; ++i) b = std::exchange(a, b) + b;
    return mpz_class(static_cast<unsigned long>(a));
  }
  // Invariant: fk = F(k), fk1 = F(k-1), starting at k = 1.
  mpz_class fk = 1, fk1 = 0, sq, sq1;
  int top = 63 - __builtin_clzll(n);
  uint64_t k = 1;
  for (int bit = top - 1; bit >= 1; --bit) {
    // F(2k+1) = 4F(k)^2 - F(k-1)^2 + 2(-1)^k,  F(2k-1) = F(k)^2 + F(k-1)^2.
    mpz_mul(sq.get_mpz_t(), fk.get_mpz_t(), fk.get_mpz_t());
    mpz_mul(sq1.get_mpz_t(), fk1.get_mpz_t(), fk1.get_mpz_t());
    mpz_mul_2exp(fk.get_mpz_t(), sq.get_mpz_t(), 2);
    fk -= sq1;
    if (k & 1) fk -= 2; else fk += 2;   // fk = F(2k+1)
    fk1 = sq + sq1;                      // fk1 = F(2k-1)
    if ((n >> bit) & 1) {
      fk1 = fk - fk1;                    // (F(2k+1), F(2k))
      k = 2 * k + 1;
    } else {
      fk -= fk1;                         // (F(2k), F(2k-1))
      k = 2 * k;
    }
  }
  // Last bit: one product instead of two squarings.
  mpz_class result;
  if (n & 1) {
    // F(2k+1) = (2F(k) + F(k-1)) (2F(k) - F(k-1)) + 2(-1)^k
    mpz_class twice = fk * 2;
    result = (twice + fk1) * (twice - fk1);
    if (k & 1) result -= 2; else result += 2;
  } else {
    // F(2k) = F(k) (F(k) + 2F(k-1))
    result = fk * (fk + fk1 * 2);
  }
  return result;
}

DecimalSummary SummarizeDecimal(const mpz_class& x) {
  DecimalSummary summary;
  size_t estimate = mpz_sizeinbase(x.get_mpz_t(), 10);  // exact or one too many
  if (estimate <= 2 * kEdgeDigits + 1) {
    std::string all = x.get_str();
    summary.digits = all.size();
    summary.head = all.substr(0, kEdgeDigits);
    summary.tail = all.size() > kEdgeDigits ? all.substr(all.size() - kEdgeDigits) : all;
    return summary;
  }
  mpz_class power, quotient;
  mpz_ui_pow_ui(power.get_mpz_t(), 10, kEdgeDigits);
  mpz_tdiv_r(quotient.get_mpz_t(), x.get_mpz_t(), power.get_mpz_t());
  summary.tail = quotient.get_str();
  summary.tail.insert(0, kEdgeDigits - summary.tail.size(), '0');
  // x / 10^(estimate-21) has 21 digits, or 20 when the estimate was high.
  size_t shift = estimate - kEdgeDigits - 1;
  mpz_ui_pow_ui(power.get_mpz_t(), 10, shift);
  mpz_tdiv_q(quotient.get_mpz_t(), x.get_mpz_t(), power.get_mpz_t());
  std::string top = quotient.get_str();
  summary.digits = shift + top.size();
  summary.head = top.substr(0, kEdgeDigits);
  return summary;
}

ResultJson RunFib(const nlohmann::json& task, TaskContext&) {
  static const TaskField& kN = TaskFieldOf("fib", "n");
  static const TaskField& kMethod = TaskFieldOf("fib", "method");
  static const TaskField& kFull = TaskFieldOf("fib", "full");
  uint64_t n = ReadInteger(task, kN);
  std::string_view method = ReadString(task, kMethod);  // one the registry allows
  bool full = ReadBoolean(task, kFull);
  mpz_class value;
  if (method == "iterative") {
    value = FibIterative(n);
  } else if (method == "doubling") {
    value = FibDoubling(n);
  } else {
    throw std::logic_error("fib: method '" + std::string(method) + "' has no kernel");
  }
  DecimalSummary summary = SummarizeDecimal(value);
  JsonObjectWriter result;
  result.Add("n", n).Add("digits", summary.digits).Add("head", summary.head).Add("tail", summary.tail);
  if (full) result.Add("value", value.get_str());
  return result.Finish();
}

}  // namespace farm

// farm's fib kernels against the references the issue names, in one run,
// interleaved, best of R: FibIterative against a plain C loop of mpz_add,
// FibDoubling against GMP's own mpz_fib_ui. Also the decimal summary, which a
// fib task adds on top of the kernel.
//
//   build/fib_kernels [repeats]
#include <gmp.h>
#include <stdio.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <functional>

#include "worker/fib.h"

namespace {

double Seconds(const std::function<void()>& run) {
  auto start = std::chrono::steady_clock::now();
  run();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The loop people write in C: a, b = b, a + b.
void PlainAddLoop(unsigned long n, mpz_t out) {
  mpz_t a, b;
  mpz_init2(a, n * 0.6943 + 64);
  mpz_init2(b, n * 0.6943 + 64);
  mpz_set_ui(a, 0);
  mpz_set_ui(b, 1);
  for (unsigned long i = 0; i < n; ++i) {
    mpz_add(a, a, b);
    mpz_swap(a, b);
  }
  mpz_set(out, a);
  mpz_clear(a);
  mpz_clear(b);
}

}  // namespace

int main(int argc, char** argv) {
  int repeats = argc > 1 ? atoi(argv[1]) : 5;
  const unsigned long kIterativeN = 1'000'000, kDoublingN = 10'000'000;
  double plain = 1e9, iterative = 1e9, gmp = 1e9, doubling = 1e9, summary = 1e9;
  mpz_class reference, value;
  for (int r = 0; r < repeats; ++r) {
    plain = std::min(plain, Seconds([&] { PlainAddLoop(kIterativeN, reference.get_mpz_t()); }));
    iterative = std::min(iterative, Seconds([&] { value = farm::FibIterative(kIterativeN); }));
    if (value != reference) return fprintf(stderr, "iterative: wrong value\n"), 1;
    gmp = std::min(gmp, Seconds([&] { mpz_fib_ui(reference.get_mpz_t(), kDoublingN); }));
    doubling = std::min(doubling, Seconds([&] { value = farm::FibDoubling(kDoublingN); }));
    if (value != reference) return fprintf(stderr, "doubling: wrong value\n"), 1;
    summary = std::min(summary, Seconds([&] { farm::SummarizeDecimal(value); }));
  }
  printf("fib kernels, best of %d\n", repeats);
  printf("  n=10^6 plain C mpz_add loop   %8.4f s\n", plain);
  printf("  n=10^6 FibIterative           %8.4f s   %.3fx the C loop (goal <= 1.1)\n", iterative,
         iterative / plain);
  printf("  n=10^7 mpz_fib_ui             %8.4f s\n", gmp);
  printf("  n=10^7 FibDoubling            %8.4f s   %.3fx mpz_fib_ui (goal <= 1.3)\n", doubling,
         doubling / gmp);
  printf("  n=10^7 SummarizeDecimal       %8.4f s   (digits, head, tail of F(10^7))\n", summary);
  return 0;
}

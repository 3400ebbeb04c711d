// The race-counter lesson: threads that add to one counter without a lock
// lose increments; with a lock, or with a count per worker summed at the
// end (what farm's result lines are), none is lost.
//   race_counter [THREADS] [INCREMENTS]
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <latch>
#include <mutex>
#include <thread>
#include <vector>

// Runs body(t) in `threads` threads that all start counting at once.
template <typename Body>
void InThreads(int threads, Body body) {
  std::latch start(threads);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      start.arrive_and_wait();
      body(t);
    });
  for (std::thread& thread : pool) thread.join();
}

int main(int argc, char** argv) {
  const int threads = argc > 1 ? std::atoi(argv[1]) : 4;
  const long increments = argc > 2 ? std::atol(argv[2]) : 1'000'000;
  const long want = threads * increments;

  // Read, add, write back: two threads that read the same value both write
  // value + 1, and one increment is gone. (Relaxed atomics keep this a
  // well-defined program while losing updates exactly as a plain int would.)
  std::atomic<long> racy{0};
  InThreads(threads, [&](int) {
    for (long i = 0; i < increments; ++i)
      racy.store(racy.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  });

  long locked = 0;
  std::mutex mu;
  InThreads(threads, [&](int) {
    for (long i = 0; i < increments; ++i) {
      std::lock_guard lock(mu);
      ++locked;
    }
  });

  std::vector<long> per_worker(threads, 0);
  InThreads(threads, [&](int t) {
    long mine = 0;  // no sharing at all while counting
    for (long i = 0; i < increments; ++i) ++mine;
    per_worker[t] = mine;
  });
  long summed = 0;
  for (long count : per_worker) summed += count;

  std::printf("expected %ld\nno lock:    %ld (%ld lost)\nlock:       %ld\nper worker: %ld\n", want,
              racy.load(), want - racy.load(), locked, summed);
  return locked == want && summed == want ? 0 : 1;
}

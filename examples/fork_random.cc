// The identical-random-numbers pitfall: a generator seeded once and then
// copied by fork() gives every child the same "random" numbers. farm seeds
// each worker from (master seed, worker index), so no two draw the same.
#include <farm/farm.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <random>
#include <set>

int main() {
  // The pitfall: three children of one seeded generator.
  std::mt19937_64 rng(std::random_device{}());
  std::set<unsigned long long> firsts;
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) return 2;
  for (int child = 0; child < 3; ++child) {
    if (fork() == 0) {
      unsigned long long x = rng();  // the parent's state, copied
      (void)!write(pipe_fds[1], &x, sizeof x);
      _exit(0);
    }
  }
  close(pipe_fds[1]);
  unsigned long long x;
  while (read(pipe_fds[0], &x, sizeof x) == sizeof x) firsts.insert(x);
  while (wait(nullptr) > 0) {
  }
  std::printf("forked children, one inherited generator: %zu distinct first draw(s) of 3\n",
              firsts.size());

  // farm's workers: each has its own stream; "random" tasks say whose.
  farm::Executor ex({.mode = farm::Mode::kProcess, .workers = 3, .seed = 42});
  std::vector<farm::Future> futures;
  for (int i = 0; i < 12; ++i) futures.push_back(ex.Submit("random", {{"count", 1}}));
  std::set<double> values;
  std::set<unsigned long long> seeds;
  for (farm::Future& f : futures) {
    nlohmann::json result = f.Get();
    values.insert(result["values"][0].get<double>());
    seeds.insert(result["worker_seed"].get<unsigned long long>());
  }
  std::printf("farm workers: %zu distinct values of 12, %zu worker seed(s), none shared\n",
              values.size(), seeds.size());
  return firsts.size() == 1 && values.size() == 12 ? 0 : 1;
}

// farm's whole command line, with "primes" among its task types:
//   primes gen primes --lo 0 --hi 100000 --count 4 | primes run -j 4
//   primes help tasks
#include <farm/task.h>

#include "primes_task.h"

int main(int argc, char** argv) {
  RegisterPrimes();
  return farm::Main(argc, argv);
}

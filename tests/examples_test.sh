#!/usr/bin/env bash
# farm as a library, from the outside: install into a temporary prefix,
# build examples/ against it with find_package(farm), and run each program
# (the README's library section among them).
#
# usage: tests/examples_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
source=$(cd "$2" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$work/prefix" >/dev/null
for header in farm.h task.h executor.h mode.h; do
  [ -f "$work/prefix/include/farm/$header" ] || fail "include/farm/$header not installed"
done
[ ! -e "$work/prefix/include/farm/scheduler.h" ] || fail "a private header was installed"

# The README's library section: its ```cpp blocks, in order, make one program.
awk '/<!-- library-example -->/ {on = 1} /<!-- \/library-example -->/ {on = 0}
     on && /^```/ {code = !code && /^```cpp/; next} on && code' "$source/README.md" \
  >"$work/readme_example.cc"
[ -s "$work/readme_example.cc" ] || fail "no C++ in the README's library section"

launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S "$source/examples" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$work/prefix" -DFARM_README_EXAMPLE="$work/readme_example.cc" "${launcher[@]}" \
  >"$work/configure.log" 2>&1 || { cat "$work/configure.log"; fail "configure examples/"; }
cmake --build "$work/build" -j 2 >"$work/build.log" 2>&1 || { tail -40 "$work/build.log"; fail "build examples/"; }
bin=$work/build

# primes' own CLI: farm's commands, with primes among the task types.
"$bin/primes" help tasks | grep -q '^primes' || fail "primes is not in 'primes help tasks'"
out=$("$bin/primes" gen primes --lo 0 --hi 1000 --count 3 | "$bin/primes" run -j 2 --seed 1 2>/dev/null)
[ "$(grep -c '"ok":true' <<<"$out")" = 3 ] || fail "primes run: $out"
grep -q '"count":168' <<<"$out" || fail "primes below 1000 are not 168: $out"
out=$(echo '{"type":"primes","lo":0,"hgh":9}' | "$bin/primes" run -j 1 2>/dev/null) && fail "a bad task exited 0"
grep -q "did you mean 'hi'" <<<"$out" || fail "no 'did you mean' for a misspelt field: $out"
out=$(echo '{"type":"primes","lo":0}' | "$bin/primes" run --mode thread -j 1 2>/dev/null) || true
grep -q "'hi'" <<<"$out" || fail "a missing field is not named: $out"

# A range too long for --task-timeout: the task sees its deadline coming and
# returns what it counted, rather than be killed.
out=$(echo '{"type":"primes","lo":0,"hi":1000000000000}' |
  "$bin/primes" run -j 1 --task-timeout 1 2>/dev/null) || fail "primes under --task-timeout: $out"
grep -q '"ok":true.*"stopped_early":true' <<<"$out" || fail "no partial result: $out"

# bench runs each configuration as a child of the same binary: primes too.
"$bin/primes" gen primes --lo 0 --hi 20000 --count 4 >"$work/batch.jsonl"
out=$("$bin/primes" bench "$work/batch.jsonl" --modes sequential,thread --workers 1 --repeat 1 2>&1) ||
  fail "primes bench: $out"
grep -q '^thread ' <<<"$out" || fail "primes bench has no thread row: $out"

"$bin/primes_executor" 20000 8 process || fail "primes_executor, process mode"
"$bin/primes_executor" 20000 8 thread || fail "primes_executor, thread mode"
"$bin/race_counter" 4 1000000 || fail "race_counter"
"$bin/fork_random" || fail "fork_random"
"$bin/readme_example" || fail "the README's library example"
echo "examples ok: built against the installed package and run"

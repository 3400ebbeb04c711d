#!/usr/bin/env bash
# farm exec against xargs -P and GNU parallel, 2 jobs at a time each, run
# interleaved: the spawn rate (5,000 x `true`) and a real workload (gzip -9 -k
# of 2,000 generated 256 KiB files). Prints the median wall time and jobs/s.
#
# usage: scripts/bench_exec.sh [REPEATS]     (default 3; the median is shown)
#        TRUE_COUNT=5000 GZIP_COUNT=2000 override the sizes.
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."
repeats=${1:-3}
true_count=${TRUE_COUNT:-5000}
gzip_count=${GZIP_COUNT:-2000}
jobs=2

scripts/install-deps.sh parallel  # GNU parallel, on top of what farm needs
scripts/build.sh >/dev/null
farm=$PWD/build/farm

work=$(mktemp -d "${TMPDIR:-/tmp}/farm-bench-exec.XXXXXX")
cleanup() { [ -n "${KEEP:-}" ] || rm -rf "$work"; }
trap cleanup EXIT
cd "$work"

seq "$true_count" > true.list
echo "making $gzip_count x 256 KiB files in $work" >&2
mkdir files
# Text that gzip -9 has to work on (digits), different in every file.
{ seq 1 1000000000 || true; } | head -c $((gzip_count * 262144)) | split -a 5 -d -b 262144 - files/f
ls -1 "$PWD"/files/f* > gzip.list

# One run of tool $1 on workload $2; prints its wall seconds.
run() {
  local tool=$1 workload=$2 list cmd
  if [ "$workload" = true ]; then list=true.list; cmd=(true); else
    list=gzip.list; cmd=(gzip -9 -k); rm -f files/*.gz; fi
  local start end
  start=$(date +%s.%N)
  case $tool in
    farm) "$farm" exec -j $jobs --no-progress -a "$list" -- "${cmd[@]}" > /dev/null 2>&1 ;;
    xargs) xargs -P $jobs -n 1 "${cmd[@]}" < "$list" ;;
    parallel) parallel --will-cite -j $jobs "${cmd[@]}" < "$list" ;;
  esac
  end=$(date +%s.%N)
  if [ "$workload" = gzip ]; then
    local made
    made=$(find files -name '*.gz' | wc -l)
    [ "$made" -eq "$gzip_count" ] || { echo "$tool made $made of $gzip_count .gz files" >&2; exit 1; }
  fi
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f\n", b - a }' 
}

tools=(farm xargs parallel)
for workload in true gzip; do
  declare -A times=()
  for ((r = 0; r < repeats; r++)); do
    for tool in "${tools[@]}"; do  # interleaved, so a noisy moment hits every tool
      times[$tool]+="$(run "$tool" "$workload") "
    done
  done
  count=$true_count
  [ "$workload" = gzip ] && count=$gzip_count
  printf '\n%s: %d jobs, -j %d, %d runs each\n' \
    "$([ "$workload" = true ] && echo "spawn rate, true" || echo "gzip -9 -k of 256 KiB files")" \
    "$count" $jobs "$repeats"
  printf '%-10s %10s %17s %10s\n' tool median "(min-max)" "jobs/s"
  for tool in "${tools[@]}"; do
    read -r median min max < <(tr ' ' '\n' <<< "${times[$tool]}" | grep . | sort -g |
      awk '{ v[NR] = $1 } END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
             print m, v[1], v[NR] }')
    printf '%-10s %9.2fs %7.2f-%-8.2f %10.0f\n' "$tool" "$median" "$min" "$max" \
      "$(awk -v c="$count" -v m="$median" 'BEGIN { print c / m }')"
  done
  unset times
done

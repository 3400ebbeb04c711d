#!/usr/bin/env bash
# Crawls the same generated site of 10,000 pages (tests/crawl_site.py write),
# served by nginx on 127.0.0.1, with wget --recursive (sequential) and with
# farm crawl -j 2 --concurrency 25, interleaved, and prints pages/s for each
# and farm's ratio to wget. Robots are ignored by both. Every run is checked
# against nginx's access log: each URL a full crawl must fetch (the
# generator's own list) requested exactly once. Requests for anything else
# are counted and shown: wget, whose HTML scanner reads inside <script>,
# follows the site's script-hidden /trap/ links (404 here).
#
# usage: scripts/bench_crawl.sh [REPEATS]     (default 3; the median is shown)
#        PAGES=N TOOLS="wget farm" FARM_CRAWL_ARGS="..." scripts/bench_crawl.sh
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."
repeats=${1:-3}
pages=${PAGES:-10000}
tools=${TOOLS:-wget farm}

# The benchmark-only tools come on top of what farm itself needs.
scripts/install-deps.sh nginx-light wget
[[ " $tools " != *" farm "* ]] || scripts/build.sh >/dev/null

# In memory when possible: thousands of small files, as in bench_fetch.sh.
scratch=${TMPDIR:-/tmp}
[ -d /dev/shm ] && [ -w /dev/shm ] && scratch=/dev/shm
work=$(mktemp -d "$scratch/farm-bench-crawl.XXXXXX")
chmod 755 "$work"  # nginx workers may run as another user
nginx_pid=""
cleanup() {
  if [ -n "$nginx_pid" ]; then kill "$nginx_pid" 2>/dev/null || true; fi
  [ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

port=$(/usr/bin/python3 -c \
  'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
echo "writing a site of $pages pages in $work" >&2
# Redirects are left out of the static site: their /r/ links answer 404,
# which the expected list counts as fetched.
/usr/bin/python3 tests/crawl_site.py write "$work/www" --port-a "$port" --pages "$pages" \
  --expected "$work/expected.txt"
sed "s|^$base||" "$work/expected.txt" > "$work/expected.paths"
urls=$(wc -l < "$work/expected.paths")

mkdir -p "$work/logs"
cat > "$work/nginx.conf" <<CONF
worker_processes auto;
pid $work/nginx.pid;
error_log $work/logs/error.log error;
events { worker_connections 1024; }
http {
  types { text/html html; text/plain txt; image/png png; }
  default_type application/octet-stream;
  log_format crawl '\$request_uri \$status';
  access_log $work/logs/access.log crawl;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  client_body_temp_path $work/logs/body;
  proxy_temp_path $work/logs/proxy;
  fastcgi_temp_path $work/logs/fastcgi;
  uwsgi_temp_path $work/logs/uwsgi;
  scgi_temp_path $work/logs/scgi;
  server {
    listen 127.0.0.1:$port;
    root $work/www;
  }
}
CONF
/usr/sbin/nginx -p "$work" -c "$work/nginx.conf" -e "$work/logs/error.log"
for _ in $(seq 50); do [ -s "$work/nginx.pid" ] && break; sleep 0.1; done
nginx_pid=$(cat "$work/nginx.pid")

# Each runner crawls the site from /p/0.html into directory $1.
run_wget() {
  # Exit status 8 is "the server answered an error": the site's broken links.
  wget --recursive --level=inf --no-directories -e robots=off --quiet -P "$1" "$base/p/0.html" ||
    [ $? -eq 8 ]
}
run_farm() {
  # Exit status 1 is "some tasks failed": the broken links again.
  local status=0
  # shellcheck disable=SC2086  # FARM_CRAWL_ARGS is words on purpose
  build/farm crawl "$base/p/0.html" --out-dir "$1" -o "$work/farm-results.jsonl" --no-progress \
    -j 2 --concurrency 25 --robots ignore --depth inf ${FARM_CRAWL_ARGS:-} 2>"$work/farm-stderr.txt" ||
    status=$?
  if [ "$status" -gt 1 ]; then
    cat "$work/farm-stderr.txt" >&2
    return 1
  fi
}

# "missing repeated extra": expected URLs not requested, requested more than
# once, and requests for anything else, from nginx's access log.
check_log() {
  awk 'NR == FNR { want[$1] = 1; next }
       { got[$1]++ }
       END {
         for (p in want) if (!(p in got)) missing++; else if (got[p] > 1) repeated++
         for (p in got) if (!(p in want)) extra++
         print missing + 0, repeated + 0, extra + 0
       }' "$work/expected.paths" "$work/logs/access.log"
}

# One timed run of runner $1: appends its wall seconds to $work/$1.times.
measure() {
  local runner=$1 out="$work/out"
  rm -rf "$out"
  mkdir -p "$out"
  : > "$work/logs/access.log"  # nginx appends (O_APPEND): truncating starts a fresh log
  local start end
  start=$(date +%s.%N)
  "run_$runner" "$out"
  end=$(date +%s.%N)
  read -r missing repeated extra < <(check_log)
  if [ "$missing" -ne 0 ] || [ "$repeated" -ne 0 ]; then
    echo "$runner: of $urls URLs, $missing not fetched, $repeated fetched more than once" \
      "(KEEP=1 keeps $work)" >&2
    exit 1
  fi
  awk -v a="$start" -v b="$end" 'BEGIN { print b - a }' >> "$work/$runner.times"
  echo "$extra" > "$work/$runner.extra"
}

for round in $(seq "$repeats"); do
  for runner in $tools; do
    echo "round $round/$repeats: $runner" >&2
    measure "$runner"
  done
done

printf '%-34s %6s %6s %8s %17s %8s\n' tool URLs extra median "(min-max)" "pages/s"
for runner in $tools; do
  read -r seconds fastest slowest < <(sort -g "$work/$runner.times" |
    awk '{ t[NR] = $1 } END { print t[int((NR + 1) / 2)], t[1], t[NR] }')
  case $runner in
    wget) name="wget --recursive" ;;
    farm) name="farm crawl -j 2 --concurrency 25" ;;
  esac
  awk -v n="$name" -v u="$urls" -v x="$(cat "$work/$runner.extra")" -v s="$seconds" \
    -v lo="$fastest" -v hi="$slowest" 'BEGIN { printf "%-34s %6d %6d %8.2f %17s %8.0f\n",
      n, u, x, s, sprintf("(%.2f-%.2f)", lo, hi), u / s }'
  echo "$seconds" > "$work/$runner.median"
done
if [ -s "$work/wget.median" ] && [ -s "$work/farm.median" ]; then
  awk -v w="$(cat "$work/wget.median")" -v f="$(cat "$work/farm.median")" \
    'BEGIN { printf "farm / wget pages per second: %.1fx\n", w / f }'
fi

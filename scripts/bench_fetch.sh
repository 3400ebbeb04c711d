#!/usr/bin/env bash
# Downloads the same files from a local nginx with farm, curl --parallel,
# aria2c and an aiohttp script, each with 50 transfers in flight, and prints
# requests/s and MB/s. Everything stays on 127.0.0.1.
#
# usage: scripts/bench_fetch.sh [REPEATS]     (default 3; the median is shown)
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."
repeats=${1:-3}
parallel=50
small_count=5000
large_count=200

# The benchmark-only tools come on top of what farm itself needs.
scripts/install-deps.sh nginx-light aria2 curl python3-aiohttp
scripts/build.sh >/dev/null

# In memory when possible, so that the disk's journal, not the tool, doesn't
# decide how fast 5,000 small files can be created.
scratch=${TMPDIR:-/tmp}
[ -d /dev/shm ] && [ -w /dev/shm ] && scratch=/dev/shm
work=$(mktemp -d "$scratch/farm-bench-fetch.XXXXXX")
chmod 755 "$work"  # nginx workers may run as another user
nginx_pid=""
cleanup() {
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null || true
  [ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

echo "making $small_count x 1 KiB and $large_count x 1 MiB files in $work" >&2
mkdir -p "$work/www/small" "$work/www/large" "$work/logs"
head -c $((small_count * 1024)) /dev/urandom | split -a 4 -d -b 1024 - "$work/www/small/f"
head -c $((large_count * 1048576)) /dev/urandom | split -a 3 -d -b 1048576 - "$work/www/large/f"

port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat > "$work/nginx.conf" <<CONF
worker_processes auto;
pid $work/nginx.pid;
error_log $work/logs/error.log error;
events { worker_connections 1024; }
http {
  access_log off;
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

base="http://127.0.0.1:$port"
for set in small large; do
  ls "$work/www/$set" | sed "s|^|$base/$set/|" > "$work/$set.urls"
  awk -v dir="$work/out/curl" '{ n = split($0, p, "/"); print "url = \"" $0 "\""; print "output = \"" dir "/" p[n] "\"" }' \
    "$work/$set.urls" > "$work/$set.curl"
done

# Each runner downloads set $1 into directory $2.
run_farm() {
  build/farm run -j 2 --concurrency $((parallel / 2)) --urls "$work/$1.urls" --out-dir "$2" \
    -o "$work/farm-results.jsonl" --no-progress 2>/dev/null
}
run_curl() { curl --silent --no-progress-meter --fail --parallel --parallel-max $parallel --create-dirs -K "$work/$1.curl"; }
run_aria2() {
  aria2c --quiet=true -j $parallel -i "$work/$1.urls" -d "$2" --allow-overwrite=true \
    --auto-file-renaming=false --file-allocation=none --max-connection-per-server=1 \
    --auto-save-interval=0 --async-dns=false --disk-cache=0  # each cut its time per small file
}
run_aiohttp() { /usr/bin/python3 scripts/fetch_aiohttp.py "$work/$1.urls" "$2" $parallel; }

# "median min max" wall seconds of $repeats runs of runner $1 on set $2.
measure() {
  local runner=$1 set=$2 times=() out="$work/out/$1"
  for _ in $(seq "$repeats"); do
    rm -rf "$work/out"
    mkdir -p "$out"
    local start end
    start=$(date +%s.%N)
    "run_$runner" "$set" "$out"
    end=$(date +%s.%N)
    local files
    files=$(find "$out" -type f | wc -l)
    local want=$small_count
    [ "$set" = large ] && want=$large_count
    if [ "$files" -ne "$want" ]; then
      echo "$runner saved $files of $want files" >&2
      exit 1
    fi
    times+=("$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')")
  done
  printf '%s\n' "${times[@]}" | sort -g |
    awk '{ t[NR] = $1 } END { print t[int((NR + 1) / 2)], t[1], t[NR] }'
}

printf '%-20s %-9s %8s %15s %8s %8s\n' tool files median "(min-max)" "req/s" "MB/s"
for set in small large; do
  count=$small_count bytes=$((small_count * 1024)) label="${small_count}x1KiB"
  if [ "$set" = large ]; then count=$large_count bytes=$((large_count * 1048576)) label="${large_count}x1MiB"; fi
  for runner in farm curl aria2 aiohttp; do
    read -r seconds fastest slowest < <(measure "$runner" "$set")
    case $runner in
      farm) name="farm -j2 x25" ;;
      curl) name="curl --parallel 50" ;;
      aria2) name="aria2c -j 50" ;;
      aiohttp) name="aiohttp (sem 50)" ;;
    esac
    awk -v n="$name" -v l="$label" -v s="$seconds" -v lo="$fastest" -v hi="$slowest" \
      -v c="$count" -v b="$bytes" 'BEGIN { printf "%-20s %-9s %8.3f %15s %8.0f %8.1f\n",
        n, l, s, sprintf("(%.3f-%.3f)", lo, hi), c / s, b / s / 1e6 }'
  done
done

# Sourced by the entry-point scripts: runs their steps quietly.
#
#   step NAME "what it does" COMMAND...
#
# prints one line per step ("building farm ... ok (42 s)"), keeps the
# step's whole output in build/logs/NAME.log, and when the step fails shows
# the end of that log and stops the script with the step's status.
FARM_LOGS=${FARM_LOGS:-$(pwd)/build/logs}

step() {
  local name=$1 what=$2
  shift 2
  mkdir -p "$FARM_LOGS"
  local log="$FARM_LOGS/$name.log" start=$SECONDS status=0
  printf '%s ... ' "$what" >&2
  "$@" >"$log" 2>&1 || status=$?
  if ((status == 0)); then
    printf 'ok (%d s)\n' $((SECONDS - start)) >&2
    return 0
  fi
  printf 'FAILED (exit %d); the end of %s:\n' "$status" "$log" >&2
  tail -n 150 "$log" >&2
  exit "$status"
}

#!/usr/bin/env bash
# Sources the bash completion with bash-completion, as an interactive shell
# would, and checks what it offers for a few command lines.
#
# usage: tests/completion_test.sh BUILD_DIR SOURCE_DIR
set -uo pipefail
export PATH="$1:$PATH"  # `farm` is the binary just built
source /usr/share/bash-completion/bash_completion
source "$2/completion/farm.bash"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

# Completes LINE (the cursor at its end) and prints the candidates sorted.
complete_line() {
  COMP_LINE=$1
  COMP_POINT=${#COMP_LINE}
  read -ra COMP_WORDS <<<"$COMP_LINE"
  [[ $COMP_LINE == *" " ]] && COMP_WORDS+=("")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMPREPLY=()
  _farm farm "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
  printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
}

expect() {  # LINE EXPECTED: the candidates, exactly
  local got
  got=$(complete_line "$1")
  if [[ $got != "$2" ]]; then
    echo "FAIL: '$1' completes to '$got', expected '$2'" >&2
    failures=$((failures + 1))
  fi
}

expect_has() {  # LINE WORD: WORD is among the candidates
  local got
  got=$(complete_line "$1")
  if [[ " $got " != *" $2 "* ]]; then
    echo "FAIL: '$1' completes to '$got', expected it to offer '$2'" >&2
    failures=$((failures + 1))
  fi
}

expect_has "farm " run
expect_has "farm " bench
expect_has "farm " version
expect "farm be" bench
expect "farm --ver" --version
expect "farm run --mode " "mpi process sequential thread"
expect "farm run --mode th" thread
expect "farm bench --modes thread," "thread,process thread,sequential thread,thread"
expect "farm run --kee" --keep-order
expect "farm bench --export-m" --export-markdown
expect "farm bench --war" --warmup
expect_has "farm run -" --workers
expect_has "farm run -" --summary-json
expect "farm run --seed " ""
expect "farm bench -j " ""
expect "farm run -j " ""
expect "farm gen fib --method " "doubling iterative"
expect "farm bench --task fib --method it" iterative
expect "farm export --format " "csv jsonl"
expect_has "farm exec --output s" stdout  # or a FILE
expect "farm exec -k" -k
expect_has "farm exec -" --arg-file
expect_has "farm help " run
expect_has "farm help " tasks
expect "farm help ex" "exec export"
expect "farm gen fib --co" --count
expect "farm gen fib --fu" --full
for type in $(farm help tasks --names); do
  expect_has "farm gen " "$type"
done
expect "farm gen fi" fib
expect "farm bench --task sl" sleep

# Files: the input of run, the value of -o.
touch "$work/tasks.jsonl" "$work/other.txt"
mkdir "$work/dir"
cd "$work" || exit 1
expect "farm run tas" tasks.jsonl
expect "farm run -o oth" other.txt
expect "farm run --out-dir d" dir
expect "farm exec --output oth" other.txt
expect "farm exec -a oth" other.txt

((failures == 0)) && echo "completion ok"
exit $((failures > 0))

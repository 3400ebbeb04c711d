#!/usr/bin/env bash
# `cmake --install` into a temporary prefix: the binary runs, the man page
# and the bash completion are where man and bash-completion look, and every
# flag of every subcommand's help is in the man page.
#
# usage: tests/install_test.sh BUILD_DIR
set -euo pipefail
build=$1
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$prefix" >/dev/null
farm=$prefix/bin/farm
page=$prefix/share/man/man1/farm.1.gz
completion=$prefix/share/bash-completion/completions/farm
for file in "$farm" "$page" "$completion"; do
  [ -f "$file" ] || fail "$file not installed"
done
[ -x "$farm" ] || fail "$farm is not executable"
"$farm" --version | grep -qE '^farm [0-9]+\.[0-9]+\.[0-9]+' || fail "installed farm --version"

# The page as text: help2man writes '-' as '\-' and fonts as \fB...\fR.
text=$(gzip -dc "$page" | sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g')
grep -q '^\.TH FARM "1"' <<<"$text" || fail "not a section 1 page"
grep -qF "$("$farm" --version | head -1 | cut -d' ' -f2)" <<<"$text" || fail "page lacks the version"
commands=$("$farm" help | sed -nE 's/^(usage:)? +farm ([a-z]+).*/\2/p')
[ -n "$commands" ] || fail "no subcommands in farm help"
checked=0
for command in $commands; do
  # (help and version have no flags: grep finds none)
  flags=$("$farm" "$command" --help | sed -nE '/^ +-/{s/^ +//; s/  .*//; p}' |
    { grep -oE -- '(^|[ ,])--?[A-Za-z][A-Za-z-]*' || true; } | tr -d ' ,' | sort -u)
  for flag in $flags; do
    grep -qE -- "(^|[^A-Za-z-])$flag([^A-Za-z-]|\$)" <<<"$text" ||
      fail "farm $command: $flag is in the help but not in the man page"
    checked=$((checked + 1))
  done
done
((checked > 20)) || fail "only $checked flags found in the help"

# The completion loads in bash with bash-completion.
bash -c "source /usr/share/bash-completion/bash_completion && source '$completion' && complete -p farm" |
  grep -q '_farm' || fail "the completion does not register for farm"
echo "install tree ok: binary, man page ($checked flags), completion"

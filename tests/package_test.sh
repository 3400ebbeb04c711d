#!/usr/bin/env bash
# The Debian package CPack makes (as scripts/package.sh does): its metadata
# declares the shared libraries farm needs, it holds the binary, the man
# page and the completion under /usr, and the binary it holds runs.
#
# usage: tests/package_test.sh BUILD_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

(cd "$work" && cpack --config "$build/CPackConfig.cmake" -B "$work/out" >"$work/cpack.log" 2>&1) ||
  { cat "$work/cpack.log" >&2; fail "cpack"; }
debs=("$work"/out/farm_*.deb)
[ -f "${debs[0]}" ] || fail "no farm_*.deb in $(ls "$work/out")"
deb=${debs[0]}

info=$(dpkg-deb --info "$deb")
grep -qE '^ Package: farm$' <<<"$info" || fail "Package field: $info"
grep -qE '^ Version: [0-9]+\.[0-9]+\.[0-9]+' <<<"$info" || fail "Version field"
for library in libgmp10 libcurl4 libssl3 libsqlite3-0 libgumbo1 libstdc\\+\\+6 libc6; do
  grep -qE "^ Depends:.*\\b$library\\b" <<<"$info" || fail "Depends lacks $library: $info"
done

contents=$(dpkg-deb --contents "$deb" | awk '{ print $NF }')
for path in ./usr/bin/farm ./usr/share/man/man1/farm.1.gz ./usr/share/bash-completion/completions/farm; do
  grep -qxF "$path" <<<"$contents" || fail "$path not in the package: $contents"
done

dpkg-deb -x "$deb" "$work/root"
"$work/root/usr/bin/farm" --version | grep -q '^farm ' || fail "the packaged farm does not run"
# lintian's opinion, for the log only: the project has no license yet, so
# its copyright file is missing and lintian would always object.
if command -v lintian >/dev/null; then
  lintian --no-tag-display-limit "$deb" || true
fi
echo "package ok: $(basename "$deb")"

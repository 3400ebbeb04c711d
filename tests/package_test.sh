#!/usr/bin/env bash
# The Debian packages CPack makes (as scripts/package.sh does): farm, the
# command with its man page and completion, whose metadata declares the
# shared libraries it needs; and farm-dev, the library, which depends on farm
# and on the -dev package of each library farm's CMake package finds. Both
# are unpacked into a scratch root: the binary runs, and find_package(farm)
# works from there.
#
# usage: tests/package_test.sh BUILD_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

(cd "$work" && cpack --config "$build/CPackConfig.cmake" -B "$work/out" >"$work/cpack.log" 2>&1) ||
  { cat "$work/cpack.log" >&2; fail "cpack"; }
package() {  # the one .deb of package $1
  local debs=("$work"/out/"$1"_*.deb)
  [ -f "${debs[0]}" ] && [ ${#debs[@]} = 1 ] || fail "not one $1_*.deb: $(ls "$work/out")"
  echo "${debs[0]}"
}
deb=$(package farm)
dev=$(package farm-dev)
[ "$(ls "$work"/out/*.deb | wc -l)" = 2 ] || fail "not just farm and farm-dev: $(ls "$work/out")"

info=$(dpkg-deb --info "$deb")
grep -qE '^ Package: farm$' <<<"$info" || fail "Package field: $info"
version=$(sed -nE 's/^ Version: //p' <<<"$info")
grep -qE '^[0-9]+\.[0-9]+\.[0-9]+' <<<"$version" || fail "Version field: $info"
for library in libgmp10 libcurl4 libssl3 libsqlite3-0 libgumbo1 libstdc\\+\\+6 libc6; do
  grep -qE "^ Depends:.*\\b$library\\b" <<<"$info" || fail "Depends lacks $library: $info"
done
grep -qE '^ Depends:.*-dev\b' <<<"$info" && fail "farm depends on a -dev package: $info"

dev_info=$(dpkg-deb --info "$dev")
grep -qE '^ Package: farm-dev$' <<<"$dev_info" || fail "Package field: $dev_info"
grep -qE "^ Version: $version\$" <<<"$dev_info" || fail "farm-dev's version: $dev_info"
grep -qE '^ Section: libdevel$' <<<"$dev_info" || fail "farm-dev's Section: $dev_info"
grep -qF "farm (= $version)" <<<"$dev_info" || fail "farm-dev lacks farm $version: $dev_info"
dev_packages=(libgmp-dev libcurl4-openssl-dev nlohmann-json3-dev libsqlite3-dev libgumbo-dev
  libssl-dev pkg-config)
# Built with MPI: farmConfig.cmake's one top-level if() finds it too.
grep -qE '^if\((TRUE|ON|1)\)$' "$build/farmConfig.cmake" && dev_packages+=(libopenmpi-dev)
for package in "${dev_packages[@]}"; do
  grep -qE "^ Depends:.*(^|[ ,])$package([ ,(]|\$)" <<<"$dev_info" ||
    fail "farm-dev's Depends lacks $package: $dev_info"
done

contents=$(dpkg-deb --contents "$deb" | awk '{ print $NF }')
for path in ./usr/bin/farm ./usr/share/man/man1/farm.1.gz \
  ./usr/share/bash-completion/completions/farm; do
  grep -qxF "$path" <<<"$contents" || fail "$path not in farm: $contents"
done
grep -qE '^\./usr/(include|lib/.*\.a$)' <<<"$contents" && fail "farm holds dev files: $contents"
dev_contents=$(dpkg-deb --contents "$dev" | awk '{ print $NF }')
for path in ./usr/include/farm/farm.h ./usr/include/farm/task.h ./usr/lib/libfarm_library.a \
  ./usr/lib/cmake/farm/farmConfig.cmake ./usr/lib/cmake/farm/farmTargets.cmake; do
  grep -qxF "$path" <<<"$dev_contents" || fail "$path not in farm-dev: $dev_contents"
done
grep -qE '^\./usr/(bin|share)/' <<<"$dev_contents" && fail "farm-dev holds farm's: $dev_contents"

dpkg-deb -x "$deb" "$work/root"
dpkg-deb -x "$dev" "$work/root"
"$work/root/usr/bin/farm" --version | grep -q '^farm ' || fail "the packaged farm does not run"
# find_package(farm) from the unpacked packages (this machine has the -dev
# packages farm-dev depends on: they are farm's build dependencies).
mkdir "$work/consumer"
cat >"$work/consumer/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.20)
project(consumer LANGUAGES CXX)
find_package(farm 1.0 REQUIRED)
get_target_property(library farm::farm LOCATION)
message(STATUS "farm::farm: ${library}")
CMAKE
cmake -S "$work/consumer" -B "$work/consumer/build" -DCMAKE_PREFIX_PATH="$work/root/usr" \
  >"$work/consumer.log" 2>&1 || { cat "$work/consumer.log" >&2; fail "find_package(farm)"; }
grep -qF "farm::farm: $work/root/usr/lib/libfarm_library.a" "$work/consumer.log" ||
  fail "farm::farm does not point into the unpacked farm-dev: $(cat "$work/consumer.log")"
# lintian's opinion, for the log only: the project has no license yet, so
# its copyright file is missing and lintian would always object.
if command -v lintian >/dev/null; then
  lintian --no-tag-display-limit "$deb" "$dev" || true
fi
echo "packages ok: $(basename "$deb"), $(basename "$dev")"

#!/usr/bin/env bash
# Installs the Debian packages farm builds and tests with, if any is missing,
# and any further packages named as arguments (benchmark tools, say).
#
# usage: scripts/install-deps.sh [PACKAGE...]
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libgmp-dev nlohmann-json3-dev libgtest-dev libcurl4-openssl-dev libssl-dev
  libsqlite3-dev sqlite3 libgumbo-dev
  ca-certificates python3
  clang libclang-rt-14-dev
  libbenchmark-dev python3-matplotlib
  help2man bash-completion dpkg-dev file
  openmpi-bin libopenmpi-dev
  "$@"
)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$package")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

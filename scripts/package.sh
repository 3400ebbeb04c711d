#!/usr/bin/env bash
# Builds farm and makes its Debian package with CPack:
# build/package/farm_VERSION_ARCH.deb, installable with
#   apt install ./build/package/farm_*.deb
# It holds /usr/bin/farm, the man page farm(1) and the bash completion, and
# declares the shared libraries it needs (dpkg-shlibdeps).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/steps.sh
step install-deps "installing missing Debian packages" scripts/install-deps.sh
scripts/build.sh
step package "making the Debian package" cpack --config build/CPackConfig.cmake
ls build/package/farm_*.deb

#!/usr/bin/env bash
# Builds farm and makes its two Debian packages with CPack, installable with
#   apt install ./build/package/farm_*.deb ./build/package/farm-dev_*.deb
# farm_VERSION_ARCH.deb holds /usr/bin/farm, the man page farm(1) and the
# bash completion, and declares the shared libraries it needs
# (dpkg-shlibdeps). farm-dev_VERSION_ARCH.deb holds the library (headers,
# static libraries, CMake package) and depends on farm and on the -dev
# packages find_package(farm) needs (cmake/install.cmake).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/steps.sh
step install-deps "installing missing Debian packages" scripts/install-deps.sh
scripts/build.sh
step package "making the Debian packages" cpack --config build/CPackConfig.cmake
ls build/package/farm_*.deb build/package/farm-dev_*.deb

# What `cmake --install` puts under the prefix, and the two Debian packages
# CPack makes of it (scripts/package.sh), one per install component:
#   farm      (runtime) the binary, the man page farm(1), the bash completion
#   farm-dev  (dev)     the library: headers, static libraries, CMake package
include(GNUInstallDirs)
# The one-line description of the man page's NAME and of the farm package.
set(FARM_SUMMARY "run a batch of tasks on a pool of worker processes")

install(TARGETS farm RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime)
install(FILES ${PROJECT_SOURCE_DIR}/completion/farm.bash
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME farm
        COMPONENT runtime)

# farm(1) is made from `farm --help` and `farm --version` by help2man at
# build time, so the page documents exactly the flags the binary parses.
find_program(HELP2MAN help2man)
if(HELP2MAN)
  set(FARM_MAN_PAGE ${CMAKE_BINARY_DIR}/man/farm.1)
  add_custom_command(
    OUTPUT ${FARM_MAN_PAGE} ${FARM_MAN_PAGE}.gz
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/man
    COMMAND ${HELP2MAN} --no-info --no-discard-stderr --section=1 --name=${FARM_SUMMARY}
            --include=${PROJECT_SOURCE_DIR}/cmake/farm.h2m --output=${FARM_MAN_PAGE} $<TARGET_FILE:farm>
    COMMAND gzip -9 -n -k -f ${FARM_MAN_PAGE}
    DEPENDS farm ${PROJECT_SOURCE_DIR}/cmake/farm.h2m
    COMMENT "Making the man page farm(1)"
    VERBATIM)
  add_custom_target(farm_man_page ALL DEPENDS ${FARM_MAN_PAGE})
  install(FILES ${FARM_MAN_PAGE}.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT runtime)
else()
  message(STATUS "help2man not found: no man page (scripts/install-deps.sh installs it)")
endif()

# The library: public headers under include/farm/, the static libraries, and
# a CMake package, so that a program does find_package(farm) and links
# farm::farm. farm's private headers are not installed: the public ones
# include none of them.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/farm DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        COMPONENT dev)
set_target_properties(farm_library PROPERTIES EXPORT_NAME farm)
install(TARGETS farm_library farm_coordinator farm_worker farm_common
        EXPORT farmTargets ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev)
set(FARM_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/farm)
install(EXPORT farmTargets NAMESPACE farm:: DESTINATION ${FARM_CMAKE_DIR} COMPONENT dev)
include(CMakePackageConfigHelpers)
set(FARM_WITH_MPI ${MPI_CXX_FOUND})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/farmConfig.cmake.in
                              ${CMAKE_BINARY_DIR}/farmConfig.cmake INSTALL_DESTINATION ${FARM_CMAKE_DIR})
write_basic_package_version_file(${CMAKE_BINARY_DIR}/farmConfigVersion.cmake
                                 COMPATIBILITY SameMajorVersion)
install(FILES ${CMAKE_BINARY_DIR}/farmConfig.cmake ${CMAKE_BINARY_DIR}/farmConfigVersion.cmake
        DESTINATION ${FARM_CMAKE_DIR} COMPONENT dev)

# The Debian packages. No CPACK_PACKAGE_DESCRIPTION_SUMMARY: CPack would put
# the same first line on both; each description starts with its own.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME farm)
set(CPACK_PACKAGE_VENDOR "the farm project")
set(CPACK_PACKAGE_CONTACT "farm maintainers <farm@localhost>")
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL runtime dev)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # farm_VERSION_ARCH.deb, farm-dev_VERSION_ARCH.deb
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_DIRECTORY ${CMAKE_BINARY_DIR}/package)

set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME farm)
# Description lines stay within 80 columns, as lintian checks.
string(CONCAT CPACK_DEBIAN_RUNTIME_DESCRIPTION
    "${FARM_SUMMARY}\n"
    "farm spreads a batch of tasks over worker processes, threads or MPI ranks\n"
    "and writes one JSON result line per task, whatever happens to it: your\n"
    "own commands (farm exec, as GNU parallel runs them), downloads and polite\n"
    "crawls with libcurl, big Fibonacci numbers with GMP, and C++ task types of\n"
    "your own. Results can also go to a SQLite database. farm bench compares\n"
    "the modes.")
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SECTION utils)
# Depends: computed by dpkg-shlibdeps from the libraries farm links (GMP,
# libcurl, OpenSSL, SQLite, gumbo, libstdc++), with the versions this build
# needs.
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_RECOMMENDS "ca-certificates")
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SUGGESTS "bash-completion")

set(CPACK_DEBIAN_DEV_PACKAGE_NAME farm-dev)
string(CONCAT CPACK_DEBIAN_DEV_DESCRIPTION
    "farm as a C++ library: development files\n"
    "The public headers (farm/farm.h), the static libraries and the CMake package\n"
    "of farm: find_package(farm) and link farm::farm to register task types of\n"
    "your own and run them with farm's command line or an Executor with futures.")
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
# Depends: farm of the same version, and the -dev package of each library
# farmConfig.cmake finds (its find_dependency and pkg_check_modules calls):
# the static libraries link them.
set(CPACK_DEBIAN_ENABLE_COMPONENT_DEPENDS ON)
set(CPACK_COMPONENT_DEV_DEPENDS runtime)
set(FARM_DEV_DEPENDS nlohmann-json3-dev libcurl4-openssl-dev libssl-dev libsqlite3-dev
                     libgmp-dev libgumbo-dev pkg-config)
if(FARM_WITH_MPI)
  list(APPEND FARM_DEV_DEPENDS libopenmpi-dev)
endif()
list(JOIN FARM_DEV_DEPENDS ", " CPACK_DEBIAN_DEV_PACKAGE_DEPENDS)
set(CPACK_DEBIAN_DEV_PACKAGE_RECOMMENDS "cmake, g++")
include(CPack)

# Writes OUTPUT, the source of farm's version string, from TEMPLATE: VERSION
# (the one in the top CMakeLists.txt) and, when SOURCE_DIR is the top of a
# git checkout, its commit. Runs at every build; the file is rewritten only
# when its text changes, so nothing recompiles otherwise. Without git (a
# source tarball) the commit is simply left out.
#
# usage: cmake -DSOURCE_DIR=... -DVERSION=... -DHOMEPAGE=... -DTEMPLATE=... -DOUTPUT=... -P version.cmake
set(FARM_VERSION "${VERSION}")
set(FARM_HOMEPAGE "${HOMEPAGE}")
set(FARM_COMMIT "")
find_package(Git QUIET)
if(GIT_FOUND)
  execute_process(COMMAND "${GIT_EXECUTABLE}" -C "${SOURCE_DIR}" rev-parse --show-toplevel
                  OUTPUT_VARIABLE top RESULT_VARIABLE failed
                  OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  # A tarball unpacked inside some other repository is not that repository.
  file(REAL_PATH "${SOURCE_DIR}" source)
  if(NOT failed)
    file(REAL_PATH "${top}" top)
  endif()
  if(NOT failed AND top STREQUAL source)
    execute_process(COMMAND "${GIT_EXECUTABLE}" -C "${SOURCE_DIR}" rev-parse --short=12 HEAD
                    OUTPUT_VARIABLE FARM_COMMIT RESULT_VARIABLE failed
                    OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    if(failed)
      set(FARM_COMMIT "")
    endif()
  endif()
endif()
configure_file("${TEMPLATE}" "${OUTPUT}" @ONLY)

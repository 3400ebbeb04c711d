# Runs cmake/version.cmake on a copy of the template in a directory that is
# no git checkout, as a source tarball would be, and checks the result: the
# version, and no commit.
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}/source")
execute_process(
  COMMAND ${CMAKE_COMMAND} -DSOURCE_DIR=${WORK_DIR}/source -DVERSION=9.8.7
          -DTEMPLATE=${PROJECT_SOURCE_DIR}/coordinator/version.cc.in
          -DOUTPUT=${WORK_DIR}/version.cc -P ${PROJECT_SOURCE_DIR}/cmake/version.cmake
  RESULT_VARIABLE failed)
if(failed)
  message(FATAL_ERROR "cmake/version.cmake failed outside a checkout")
endif()
file(READ "${WORK_DIR}/version.cc" text)
if(NOT text MATCHES "Version\\(\\) { return \"9\\.8\\.7\"; }")
  message(FATAL_ERROR "version missing:\n${text}")
endif()
if(NOT text MATCHES "Commit\\(\\) { return \"\"; }")
  message(FATAL_ERROR "a commit outside a checkout:\n${text}")
endif()
file(REMOVE_RECURSE "${WORK_DIR}")

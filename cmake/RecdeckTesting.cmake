# recdeck_add_qtest(<name> SOURCES ... [LIBS ...] [LABELS ...] [TIMEOUT s])
# One Qt Test executable per subject, registered with CTest and run offscreen.
set(RECDECK_DATASET_DIR "" CACHE PATH
    "MovieLens ml-latest-small folder for dataset tests (read in place; env RECDECK_DATASET_DIR overrides)")
if(NOT RECDECK_DATASET_DIR)
  foreach(candidate "${PROJECT_SOURCE_DIR}/../shared/data/ml-latest-small"
                    "/work/shared/data/ml-latest-small")
    if(EXISTS "${candidate}/ratings.csv")
      get_filename_component(RECDECK_DATASET_DIR "${candidate}" ABSOLUTE)
      break()
    endif()
  endforeach()
endif()

# Sanitizer builds run the code several times slower: their time limits are scaled (the
# tests' own bounded waits scale with test::timeScale() the same way).
if(RECDECK_SANITIZE OR RECDECK_SANITIZE_THREAD)
  set(RECDECK_TEST_TIMEOUT_SCALE 3)
else()
  set(RECDECK_TEST_TIMEOUT_SCALE 1)
endif()

function(recdeck_add_qtest name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE Qt6::Test recdeck::warnings recdeck_test_support ${ARG_LIBS})
  set_target_properties(${name} PROPERTIES AUTOMOC ON)
  add_test(NAME ${name} COMMAND ${name})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  math(EXPR ARG_TIMEOUT "${ARG_TIMEOUT} * ${RECDECK_TEST_TIMEOUT_SCALE}")
  set_tests_properties(${name} PROPERTIES
    TIMEOUT ${ARG_TIMEOUT}
    LABELS "${ARG_LABELS}"
    ENVIRONMENT "QT_QPA_PLATFORM=offscreen;RECDECK_TEST_DATA=${PROJECT_SOURCE_DIR}/tests/data;RECDECK_DEFAULT_DATASET_DIR=${RECDECK_DATASET_DIR};RECDECK_BINARY_DIR=${PROJECT_BINARY_DIR}")
  if(RECDECK_TEST_TIMEOUT_SCALE GREATER 1)
    # Qt Test's own limit per test function (5 minutes by default), scaled alike.
    math(EXPR function_timeout_ms "300000 * ${RECDECK_TEST_TIMEOUT_SCALE}")
    set_property(TEST ${name} APPEND PROPERTY ENVIRONMENT "QTEST_FUNCTION_TIMEOUT=${function_timeout_ms}")
  endif()
endfunction()

configure_file(${PROJECT_SOURCE_DIR}/core/include/recdeck/common/version.h.in
               ${PROJECT_BINARY_DIR}/generated/recdeck/common/version.h @ONLY)
recdeck_core_module(common
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/parallel.cpp
    ${CMAKE_CURRENT_LIST_DIR}/private_files.cpp
    ${CMAKE_CURRENT_LIST_DIR}/sub_task.cpp
    ${CMAKE_CURRENT_LIST_DIR}/text_checks.cpp
  PUBLIC_DEPS Threads::Threads)
target_include_directories(recdeck_common PUBLIC $<BUILD_INTERFACE:${PROJECT_BINARY_DIR}/generated>)

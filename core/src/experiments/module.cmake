recdeck_core_module(experiments
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/statistics.cpp
    ${CMAKE_CURRENT_LIST_DIR}/bayesian.cpp
    ${CMAKE_CURRENT_LIST_DIR}/sequential.cpp
    ${CMAKE_CURRENT_LIST_DIR}/bandit.cpp
  PUBLIC_DEPS recdeck::common
  PRIVATE_DEPS Boost::headers)

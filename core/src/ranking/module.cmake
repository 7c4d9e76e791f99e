recdeck_core_module(ranking
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/popularity_stats.cpp
    ${CMAKE_CURRENT_LIST_DIR}/ranker.cpp
  PUBLIC_DEPS recdeck::data recdeck::models
  PRIVATE_DEPS recdeck::metrics)

recdeck_core_module(metrics
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/offline_metrics.cpp
  PUBLIC_DEPS recdeck::data nlohmann_json::nlohmann_json)

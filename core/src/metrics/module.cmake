# Pure measures: offline ranking metrics (EVAL.md definitions) and a latency histogram.
recdeck_core_module(metrics
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/offline_metrics.cpp
    ${CMAKE_CURRENT_LIST_DIR}/latency_histogram.cpp
  PUBLIC_DEPS recdeck::data nlohmann_json::nlohmann_json)

recdeck_core_module(metrics
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/offline_metrics.cpp
    ${CMAKE_CURRENT_LIST_DIR}/alert_rules.cpp
    ${CMAKE_CURRENT_LIST_DIR}/latency_histogram.cpp
    ${CMAKE_CURRENT_LIST_DIR}/monitor.cpp
    ${CMAKE_CURRENT_LIST_DIR}/monitor_alerts.cpp
    ${CMAKE_CURRENT_LIST_DIR}/monitor_prometheus.cpp
    ${CMAKE_CURRENT_LIST_DIR}/monitor_read.cpp
    ${CMAKE_CURRENT_LIST_DIR}/monitor_types.cpp
  PUBLIC_DEPS recdeck::data recdeck::cache prometheus-cpp::core nlohmann_json::nlohmann_json)

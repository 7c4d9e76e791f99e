# Live monitoring of the serving core: 1 s series per variant, alerts, Prometheus.
recdeck_core_module(monitoring
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/alert_rules.cpp
    ${CMAKE_CURRENT_LIST_DIR}/monitor.cpp
    ${CMAKE_CURRENT_LIST_DIR}/monitor_alerts.cpp
    ${CMAKE_CURRENT_LIST_DIR}/monitor_prometheus.cpp
    ${CMAKE_CURRENT_LIST_DIR}/monitor_read.cpp
    ${CMAKE_CURRENT_LIST_DIR}/monitor_types.cpp
  PUBLIC_DEPS recdeck::metrics recdeck::cache recdeck::store prometheus-cpp::core nlohmann_json::nlohmann_json)

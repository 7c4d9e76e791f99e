# Sources of ui/adapters (listed here so each folder owns its list).
target_sources(recdeck_ui PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/engine_host.cpp
  ${PROJECT_SOURCE_DIR}/ui/include/recdeck/ui/adapters/engine_host.h
  ${CMAKE_CURRENT_LIST_DIR}/fleet_metrics.cpp
  ${PROJECT_SOURCE_DIR}/ui/include/recdeck/ui/adapters/fleet_metrics.h
  ${CMAKE_CURRENT_LIST_DIR}/fleet_monitor.cpp
  ${PROJECT_SOURCE_DIR}/ui/include/recdeck/ui/adapters/fleet_monitor.h
  ${CMAKE_CURRENT_LIST_DIR}/live_feed.cpp
  ${PROJECT_SOURCE_DIR}/ui/include/recdeck/ui/adapters/live_feed.h
  ${CMAKE_CURRENT_LIST_DIR}/prometheus_text.cpp
  ${PROJECT_SOURCE_DIR}/ui/include/recdeck/ui/adapters/prometheus_text.h
)

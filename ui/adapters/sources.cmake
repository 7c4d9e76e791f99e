# Sources of ui/adapters (listed here so each folder owns its list).
target_sources(recdeck_ui PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/engine_host.cpp
  ${CMAKE_CURRENT_LIST_DIR}/engine_host.h
  ${CMAKE_CURRENT_LIST_DIR}/fleet_metrics.cpp
  ${CMAKE_CURRENT_LIST_DIR}/fleet_metrics.h
  ${CMAKE_CURRENT_LIST_DIR}/fleet_monitor.cpp
  ${CMAKE_CURRENT_LIST_DIR}/fleet_monitor.h
  ${CMAKE_CURRENT_LIST_DIR}/live_feed.cpp
  ${CMAKE_CURRENT_LIST_DIR}/live_feed.h
  ${CMAKE_CURRENT_LIST_DIR}/prometheus_text.cpp
  ${CMAKE_CURRENT_LIST_DIR}/prometheus_text.h
)

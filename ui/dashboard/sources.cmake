# Sources of ui/dashboard (listed here so each folder owns its list).
target_sources(recdeck_ui PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/alert_badges.cpp
  ${PROJECT_SOURCE_DIR}/ui/include/recdeck/ui/dashboard/alert_badges.h
  ${CMAKE_CURRENT_LIST_DIR}/dashboard_panel.cpp
  ${PROJECT_SOURCE_DIR}/ui/include/recdeck/ui/dashboard/dashboard_panel.h
  ${CMAKE_CURRENT_LIST_DIR}/kpi_row.cpp
  ${PROJECT_SOURCE_DIR}/ui/include/recdeck/ui/dashboard/kpi_row.h
  ${CMAKE_CURRENT_LIST_DIR}/live_series.cpp
  ${PROJECT_SOURCE_DIR}/ui/include/recdeck/ui/dashboard/live_series.h
  ${CMAKE_CURRENT_LIST_DIR}/window_selector.cpp
  ${PROJECT_SOURCE_DIR}/ui/include/recdeck/ui/dashboard/window_selector.h
)

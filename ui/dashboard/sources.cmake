# Sources of ui/dashboard (listed here so each folder owns its list).
target_sources(recdeck_ui PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/alert_badges.cpp
  ${CMAKE_CURRENT_LIST_DIR}/alert_badges.h
  ${CMAKE_CURRENT_LIST_DIR}/dashboard_panel.cpp
  ${CMAKE_CURRENT_LIST_DIR}/dashboard_panel.h
  ${CMAKE_CURRENT_LIST_DIR}/kpi_row.cpp
  ${CMAKE_CURRENT_LIST_DIR}/kpi_row.h
  ${CMAKE_CURRENT_LIST_DIR}/live_series.cpp
  ${CMAKE_CURRENT_LIST_DIR}/live_series.h
  ${CMAKE_CURRENT_LIST_DIR}/window_selector.cpp
  ${CMAKE_CURRENT_LIST_DIR}/window_selector.h
)

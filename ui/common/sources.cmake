# Sources of ui/common (listed here so each folder owns its list).
target_sources(recdeck_ui PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/adaptive_splitter.cpp
  ${PROJECT_SOURCE_DIR}/ui/include/recdeck/ui/common/adaptive_splitter.h
  ${CMAKE_CURRENT_LIST_DIR}/async.cpp
  ${PROJECT_SOURCE_DIR}/ui/include/recdeck/ui/common/async.h
  ${CMAKE_CURRENT_LIST_DIR}/chart_card.cpp
  ${PROJECT_SOURCE_DIR}/ui/include/recdeck/ui/common/chart_card.h
  ${CMAKE_CURRENT_LIST_DIR}/elided_label.cpp
  ${PROJECT_SOURCE_DIR}/ui/include/recdeck/ui/common/elided_label.h
  ${CMAKE_CURRENT_LIST_DIR}/format.cpp
  ${PROJECT_SOURCE_DIR}/ui/include/recdeck/ui/common/format.h
  ${CMAKE_CURRENT_LIST_DIR}/input_guard.cpp
  ${PROJECT_SOURCE_DIR}/ui/include/recdeck/ui/common/input_guard.h
  ${CMAKE_CURRENT_LIST_DIR}/kpi_tile.cpp
  ${PROJECT_SOURCE_DIR}/ui/include/recdeck/ui/common/kpi_tile.h
  ${CMAKE_CURRENT_LIST_DIR}/responsive_grid.cpp
  ${PROJECT_SOURCE_DIR}/ui/include/recdeck/ui/common/responsive_grid.h
  ${CMAKE_CURRENT_LIST_DIR}/panel_heading.cpp
  ${PROJECT_SOURCE_DIR}/ui/include/recdeck/ui/common/panel_heading.h
  ${CMAKE_CURRENT_LIST_DIR}/theme.cpp
  ${PROJECT_SOURCE_DIR}/ui/include/recdeck/ui/common/theme.h
  ${CMAKE_CURRENT_LIST_DIR}/theme.qrc
)

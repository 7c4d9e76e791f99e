# Sources of ui/common (listed here so each folder owns its list).
target_sources(recdeck_ui PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/adaptive_splitter.cpp
  ${CMAKE_CURRENT_LIST_DIR}/adaptive_splitter.h
  ${CMAKE_CURRENT_LIST_DIR}/async.cpp
  ${CMAKE_CURRENT_LIST_DIR}/async.h
  ${CMAKE_CURRENT_LIST_DIR}/chart_card.cpp
  ${CMAKE_CURRENT_LIST_DIR}/chart_card.h
  ${CMAKE_CURRENT_LIST_DIR}/format.cpp
  ${CMAKE_CURRENT_LIST_DIR}/format.h
  ${CMAKE_CURRENT_LIST_DIR}/input_guard.cpp
  ${CMAKE_CURRENT_LIST_DIR}/input_guard.h
  ${CMAKE_CURRENT_LIST_DIR}/kpi_tile.cpp
  ${CMAKE_CURRENT_LIST_DIR}/kpi_tile.h
  ${CMAKE_CURRENT_LIST_DIR}/responsive_grid.cpp
  ${CMAKE_CURRENT_LIST_DIR}/responsive_grid.h
  ${CMAKE_CURRENT_LIST_DIR}/panel_heading.cpp
  ${CMAKE_CURRENT_LIST_DIR}/panel_heading.h
  ${CMAKE_CURRENT_LIST_DIR}/theme.cpp
  ${CMAKE_CURRENT_LIST_DIR}/theme.h
  ${CMAKE_CURRENT_LIST_DIR}/theme.qrc
)

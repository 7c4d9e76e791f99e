# Sources of ui/fleet (listed here so each folder owns its list).
target_sources(recdeck_ui PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/fleet_panel.cpp
  ${CMAKE_CURRENT_LIST_DIR}/fleet_panel.h
)

# Sources of ui/fleet (listed here so each folder owns its list).
target_sources(recdeck_ui PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/badge_delegate.cpp
  ${PROJECT_SOURCE_DIR}/ui/include/recdeck/ui/fleet/badge_delegate.h
  ${CMAKE_CURRENT_LIST_DIR}/fleet_panel.cpp
  ${PROJECT_SOURCE_DIR}/ui/include/recdeck/ui/fleet/fleet_panel.h
  ${CMAKE_CURRENT_LIST_DIR}/fleet_table_model.cpp
  ${PROJECT_SOURCE_DIR}/ui/include/recdeck/ui/fleet/fleet_table_model.h
  ${CMAKE_CURRENT_LIST_DIR}/local_engine_probe.cpp
  ${PROJECT_SOURCE_DIR}/ui/include/recdeck/ui/fleet/local_engine_probe.h
)

# Sources of ui/inspector (listed here so each folder owns its list).
target_sources(recdeck_ui PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/inspector_panel.cpp
  ${CMAKE_CURRENT_LIST_DIR}/inspector_panel.h
)

# Sources of ui/shell (listed here so each folder owns its list).
target_sources(recdeck_ui PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/help_dialog.cpp
  ${PROJECT_SOURCE_DIR}/ui/include/recdeck/ui/shell/help_dialog.h
  ${CMAKE_CURRENT_LIST_DIR}/main_window.cpp
  ${PROJECT_SOURCE_DIR}/ui/include/recdeck/ui/shell/main_window.h
  ${CMAKE_CURRENT_LIST_DIR}/screenshot.cpp
  ${PROJECT_SOURCE_DIR}/ui/include/recdeck/ui/shell/screenshot.h
)

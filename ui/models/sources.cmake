# Sources of ui/models (listed here so each folder owns its list).
target_sources(recdeck_ui PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/models_panel.cpp
  ${CMAKE_CURRENT_LIST_DIR}/models_panel.h
)

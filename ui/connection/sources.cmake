# Sources of ui/connection (listed here so each folder owns its list).
target_sources(recdeck_ui PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/catalog_model.cpp
  ${CMAKE_CURRENT_LIST_DIR}/catalog_model.h
  ${CMAKE_CURRENT_LIST_DIR}/connection_panel.cpp
  ${CMAKE_CURRENT_LIST_DIR}/connection_panel.h
)

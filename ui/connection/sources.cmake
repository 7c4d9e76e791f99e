# Sources of ui/connection (listed here so each folder owns its list).
target_sources(recdeck_ui PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/backend_card.cpp
  ${PROJECT_SOURCE_DIR}/ui/include/recdeck/ui/connection/backend_card.h
  ${CMAKE_CURRENT_LIST_DIR}/catalog_model.cpp
  ${PROJECT_SOURCE_DIR}/ui/include/recdeck/ui/connection/catalog_model.h
  ${CMAKE_CURRENT_LIST_DIR}/connection_panel.cpp
  ${PROJECT_SOURCE_DIR}/ui/include/recdeck/ui/connection/connection_panel.h
  ${CMAKE_CURRENT_LIST_DIR}/data_folder_card.cpp
  ${PROJECT_SOURCE_DIR}/ui/include/recdeck/ui/connection/data_folder_card.h
  ${CMAKE_CURRENT_LIST_DIR}/dataset_card.cpp
  ${PROJECT_SOURCE_DIR}/ui/include/recdeck/ui/connection/dataset_card.h
  ${CMAKE_CURRENT_LIST_DIR}/export_card.cpp
  ${PROJECT_SOURCE_DIR}/ui/include/recdeck/ui/connection/export_card.h
  ${CMAKE_CURRENT_LIST_DIR}/import_dialog.cpp
  ${PROJECT_SOURCE_DIR}/ui/include/recdeck/ui/connection/import_dialog.h
  ${CMAKE_CURRENT_LIST_DIR}/import_report_view.cpp
  ${PROJECT_SOURCE_DIR}/ui/include/recdeck/ui/connection/import_report_view.h
  ${CMAKE_CURRENT_LIST_DIR}/redis_connection.cpp
  ${PROJECT_SOURCE_DIR}/ui/include/recdeck/ui/connection/redis_connection.h
)

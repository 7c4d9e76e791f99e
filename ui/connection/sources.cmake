# Sources of ui/connection (listed here so each folder owns its list).
target_sources(recdeck_ui PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/backend_card.cpp
  ${CMAKE_CURRENT_LIST_DIR}/backend_card.h
  ${CMAKE_CURRENT_LIST_DIR}/catalog_model.cpp
  ${CMAKE_CURRENT_LIST_DIR}/catalog_model.h
  ${CMAKE_CURRENT_LIST_DIR}/connection_panel.cpp
  ${CMAKE_CURRENT_LIST_DIR}/connection_panel.h
  ${CMAKE_CURRENT_LIST_DIR}/data_folder_card.cpp
  ${CMAKE_CURRENT_LIST_DIR}/data_folder_card.h
  ${CMAKE_CURRENT_LIST_DIR}/dataset_card.cpp
  ${CMAKE_CURRENT_LIST_DIR}/dataset_card.h
  ${CMAKE_CURRENT_LIST_DIR}/export_card.cpp
  ${CMAKE_CURRENT_LIST_DIR}/export_card.h
  ${CMAKE_CURRENT_LIST_DIR}/import_dialog.cpp
  ${CMAKE_CURRENT_LIST_DIR}/import_dialog.h
  ${CMAKE_CURRENT_LIST_DIR}/import_report_view.cpp
  ${CMAKE_CURRENT_LIST_DIR}/import_report_view.h
  ${CMAKE_CURRENT_LIST_DIR}/redis_connection.cpp
  ${CMAKE_CURRENT_LIST_DIR}/redis_connection.h
)

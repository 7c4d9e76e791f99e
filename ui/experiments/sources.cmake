# Sources of ui/experiments (listed here so each folder owns its list).
target_sources(recdeck_ui PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/button_style.h
  ${CMAKE_CURRENT_LIST_DIR}/experiment_commands.cpp
  ${CMAKE_CURRENT_LIST_DIR}/experiment_commands.h
  ${CMAKE_CURRENT_LIST_DIR}/experiment_editor.cpp
  ${CMAKE_CURRENT_LIST_DIR}/experiment_editor.h
  ${CMAKE_CURRENT_LIST_DIR}/experiment_list_model.cpp
  ${CMAKE_CURRENT_LIST_DIR}/experiment_list_model.h
  ${CMAKE_CURRENT_LIST_DIR}/experiments_panel.cpp
  ${CMAKE_CURRENT_LIST_DIR}/experiments_panel.h
  ${CMAKE_CURRENT_LIST_DIR}/experiments_panel_actions.cpp
  ${CMAKE_CURRENT_LIST_DIR}/experiments_panel_results.cpp
  ${CMAKE_CURRENT_LIST_DIR}/panel_text.h
  ${CMAKE_CURRENT_LIST_DIR}/results_export.cpp
  ${CMAKE_CURRENT_LIST_DIR}/results_export.h
  ${CMAKE_CURRENT_LIST_DIR}/results_table_model.cpp
  ${CMAKE_CURRENT_LIST_DIR}/results_table_model.h
  ${CMAKE_CURRENT_LIST_DIR}/results_view.cpp
  ${CMAKE_CURRENT_LIST_DIR}/results_view.h
  ${CMAKE_CURRENT_LIST_DIR}/sample_size_calculator.cpp
  ${CMAKE_CURRENT_LIST_DIR}/sample_size_calculator.h
  ${CMAKE_CURRENT_LIST_DIR}/variant_table_model.cpp
  ${CMAKE_CURRENT_LIST_DIR}/variant_table_model.h
)

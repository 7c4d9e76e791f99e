# Sources of ui/experiments (listed here so each folder owns its list).
target_sources(recdeck_ui PRIVATE
  ${PROJECT_SOURCE_DIR}/ui/include/recdeck/ui/experiments/button_style.h
  ${CMAKE_CURRENT_LIST_DIR}/experiment_commands.cpp
  ${PROJECT_SOURCE_DIR}/ui/include/recdeck/ui/experiments/experiment_commands.h
  ${CMAKE_CURRENT_LIST_DIR}/experiment_editor.cpp
  ${PROJECT_SOURCE_DIR}/ui/include/recdeck/ui/experiments/experiment_editor.h
  ${CMAKE_CURRENT_LIST_DIR}/experiment_list_model.cpp
  ${PROJECT_SOURCE_DIR}/ui/include/recdeck/ui/experiments/experiment_list_model.h
  ${CMAKE_CURRENT_LIST_DIR}/experiments_panel.cpp
  ${PROJECT_SOURCE_DIR}/ui/include/recdeck/ui/experiments/experiments_panel.h
  ${CMAKE_CURRENT_LIST_DIR}/experiments_panel_actions.cpp
  ${CMAKE_CURRENT_LIST_DIR}/experiments_panel_results.cpp
  ${PROJECT_SOURCE_DIR}/ui/include/recdeck/ui/experiments/panel_text.h
  ${CMAKE_CURRENT_LIST_DIR}/results_export.cpp
  ${PROJECT_SOURCE_DIR}/ui/include/recdeck/ui/experiments/results_export.h
  ${CMAKE_CURRENT_LIST_DIR}/results_table_model.cpp
  ${PROJECT_SOURCE_DIR}/ui/include/recdeck/ui/experiments/results_table_model.h
  ${CMAKE_CURRENT_LIST_DIR}/results_view.cpp
  ${PROJECT_SOURCE_DIR}/ui/include/recdeck/ui/experiments/results_view.h
  ${CMAKE_CURRENT_LIST_DIR}/sample_size_calculator.cpp
  ${PROJECT_SOURCE_DIR}/ui/include/recdeck/ui/experiments/sample_size_calculator.h
  ${CMAKE_CURRENT_LIST_DIR}/variant_table_model.cpp
  ${PROJECT_SOURCE_DIR}/ui/include/recdeck/ui/experiments/variant_table_model.h
)

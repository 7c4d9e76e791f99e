# Sources of ui/models (listed here so each folder owns its list).
target_sources(recdeck_ui PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/model_evaluation.cpp
  ${CMAKE_CURRENT_LIST_DIR}/model_evaluation.h
  ${CMAKE_CURRENT_LIST_DIR}/model_table_model.cpp
  ${CMAKE_CURRENT_LIST_DIR}/model_table_model.h
  ${CMAKE_CURRENT_LIST_DIR}/models_panel.cpp
  ${CMAKE_CURRENT_LIST_DIR}/models_panel.h
  ${CMAKE_CURRENT_LIST_DIR}/task_progress.cpp
  ${CMAKE_CURRENT_LIST_DIR}/task_progress.h
  ${CMAKE_CURRENT_LIST_DIR}/trade_off_chart.cpp
  ${CMAKE_CURRENT_LIST_DIR}/trade_off_chart.h
)

# Sources of ui/models (listed here so each folder owns its list).
target_sources(recdeck_ui PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/model_table_model.cpp
  ${PROJECT_SOURCE_DIR}/ui/include/recdeck/ui/models/model_table_model.h
  ${CMAKE_CURRENT_LIST_DIR}/models_panel.cpp
  ${PROJECT_SOURCE_DIR}/ui/include/recdeck/ui/models/models_panel.h
  ${CMAKE_CURRENT_LIST_DIR}/task_progress.cpp
  ${PROJECT_SOURCE_DIR}/ui/include/recdeck/ui/models/task_progress.h
  ${CMAKE_CURRENT_LIST_DIR}/trade_off_chart.cpp
  ${PROJECT_SOURCE_DIR}/ui/include/recdeck/ui/models/trade_off_chart.h
)

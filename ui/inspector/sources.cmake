# Sources of ui/inspector (listed here so each folder owns its list).
target_sources(recdeck_ui PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/activity_card.cpp
  ${PROJECT_SOURCE_DIR}/ui/include/recdeck/ui/inspector/activity_card.h
  ${CMAKE_CURRENT_LIST_DIR}/affinity_bars.cpp
  ${PROJECT_SOURCE_DIR}/ui/include/recdeck/ui/inspector/affinity_bars.h
  ${CMAKE_CURRENT_LIST_DIR}/features_card.cpp
  ${PROJECT_SOURCE_DIR}/ui/include/recdeck/ui/inspector/features_card.h
  ${CMAKE_CURRENT_LIST_DIR}/history_table_model.cpp
  ${PROJECT_SOURCE_DIR}/ui/include/recdeck/ui/inspector/history_table_model.h
  ${CMAKE_CURRENT_LIST_DIR}/id_completion_model.cpp
  ${PROJECT_SOURCE_DIR}/ui/include/recdeck/ui/inspector/id_completion_model.h
  ${CMAKE_CURRENT_LIST_DIR}/inspector_panel.cpp
  ${PROJECT_SOURCE_DIR}/ui/include/recdeck/ui/inspector/inspector_panel.h
  ${CMAKE_CURRENT_LIST_DIR}/model_comparison_view.cpp
  ${PROJECT_SOURCE_DIR}/ui/include/recdeck/ui/inspector/model_comparison_view.h
  ${CMAKE_CURRENT_LIST_DIR}/recommendation_table_model.cpp
  ${PROJECT_SOURCE_DIR}/ui/include/recdeck/ui/inspector/recommendation_table_model.h
  ${CMAKE_CURRENT_LIST_DIR}/recommendations_card.cpp
  ${PROJECT_SOURCE_DIR}/ui/include/recdeck/ui/inspector/recommendations_card.h
  ${CMAKE_CURRENT_LIST_DIR}/stage_latency_bar.cpp
  ${PROJECT_SOURCE_DIR}/ui/include/recdeck/ui/inspector/stage_latency_bar.h
)

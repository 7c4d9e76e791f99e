# Sources of ui/inspector (listed here so each folder owns its list).
target_sources(recdeck_ui PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/activity_card.cpp
  ${CMAKE_CURRENT_LIST_DIR}/activity_card.h
  ${CMAKE_CURRENT_LIST_DIR}/affinity_bars.cpp
  ${CMAKE_CURRENT_LIST_DIR}/affinity_bars.h
  ${CMAKE_CURRENT_LIST_DIR}/features_card.cpp
  ${CMAKE_CURRENT_LIST_DIR}/features_card.h
  ${CMAKE_CURRENT_LIST_DIR}/history_table_model.cpp
  ${CMAKE_CURRENT_LIST_DIR}/history_table_model.h
  ${CMAKE_CURRENT_LIST_DIR}/id_completion_model.cpp
  ${CMAKE_CURRENT_LIST_DIR}/id_completion_model.h
  ${CMAKE_CURRENT_LIST_DIR}/inspector_panel.cpp
  ${CMAKE_CURRENT_LIST_DIR}/inspector_panel.h
  ${CMAKE_CURRENT_LIST_DIR}/model_comparison_view.cpp
  ${CMAKE_CURRENT_LIST_DIR}/model_comparison_view.h
  ${CMAKE_CURRENT_LIST_DIR}/recommendation_table_model.cpp
  ${CMAKE_CURRENT_LIST_DIR}/recommendation_table_model.h
  ${CMAKE_CURRENT_LIST_DIR}/recommendations_card.cpp
  ${CMAKE_CURRENT_LIST_DIR}/recommendations_card.h
  ${CMAKE_CURRENT_LIST_DIR}/stage_latency_bar.cpp
  ${CMAKE_CURRENT_LIST_DIR}/stage_latency_bar.h
  ${CMAKE_CURRENT_LIST_DIR}/user_inspection.cpp
  ${CMAKE_CURRENT_LIST_DIR}/user_inspection.h
)

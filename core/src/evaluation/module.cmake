recdeck_core_module(evaluation
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/score_and_rank.cpp
    ${CMAKE_CURRENT_LIST_DIR}/model_evaluation.cpp
    ${CMAKE_CURRENT_LIST_DIR}/offline_data.cpp
    ${CMAKE_CURRENT_LIST_DIR}/batch_recommendations.cpp
  PUBLIC_DEPS recdeck::serving recdeck::ranking recdeck::models recdeck::metrics recdeck::data recdeck::common
              nlohmann_json::nlohmann_json)

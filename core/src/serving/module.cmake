recdeck_core_module(serving
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/recommendation.cpp
    ${CMAKE_CURRENT_LIST_DIR}/impression_tracker.cpp
    ${CMAKE_CURRENT_LIST_DIR}/recommendation_service.cpp
    ${CMAKE_CURRENT_LIST_DIR}/event_pipeline.cpp
    ${CMAKE_CURRENT_LIST_DIR}/model_provisioning.cpp
    ${CMAKE_CURRENT_LIST_DIR}/engine.cpp
    ${CMAKE_CURRENT_LIST_DIR}/model_choice.cpp
    ${CMAKE_CURRENT_LIST_DIR}/most_active_users.cpp
    ${CMAKE_CURRENT_LIST_DIR}/user_inspection.cpp
    ${CMAKE_CURRENT_LIST_DIR}/cache_warm_up.cpp
  PUBLIC_DEPS recdeck::fleet recdeck::experiments recdeck::monitoring recdeck::metrics recdeck::cache recdeck::features recdeck::models recdeck::ranking recdeck::store recdeck::data
  PRIVATE_DEPS nlohmann_json::nlohmann_json prometheus-cpp::core)

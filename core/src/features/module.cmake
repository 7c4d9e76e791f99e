recdeck_core_module(features
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/feature_store.cpp
  PUBLIC_DEPS recdeck::data recdeck::store
  PRIVATE_DEPS nlohmann_json::nlohmann_json)

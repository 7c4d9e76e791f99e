recdeck_core_module(cache
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/cache_entry.cpp
    ${CMAKE_CURRENT_LIST_DIR}/lru_cache.cpp
    ${CMAKE_CURRENT_LIST_DIR}/tiered_cache.cpp
  PUBLIC_DEPS recdeck::store
  PRIVATE_DEPS nlohmann_json::nlohmann_json)

recdeck_core_module(store
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/key_value_store.cpp
    ${CMAKE_CURRENT_LIST_DIR}/subscription_hub.cpp
    ${CMAKE_CURRENT_LIST_DIR}/memory_store.cpp
    ${CMAKE_CURRENT_LIST_DIR}/redis_url.cpp
    ${CMAKE_CURRENT_LIST_DIR}/redis_store.cpp
    ${CMAKE_CURRENT_LIST_DIR}/store_factory.cpp
    ${CMAKE_CURRENT_LIST_DIR}/event.cpp
    ${CMAKE_CURRENT_LIST_DIR}/event_log.cpp
    ${CMAKE_CURRENT_LIST_DIR}/sqlite_file.cpp
  PUBLIC_DEPS recdeck::common
  PRIVATE_DEPS PkgConfig::HIREDIS SQLite::SQLite3 nlohmann_json::nlohmann_json)

recdeck_core_module(fleet
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/stream_event.cpp
    ${CMAKE_CURRENT_LIST_DIR}/fleet_keys.cpp
    ${CMAKE_CURRENT_LIST_DIR}/stream_publisher.cpp
    ${CMAKE_CURRENT_LIST_DIR}/stream_reader.cpp
    ${CMAKE_CURRENT_LIST_DIR}/fleet_readout.cpp
    ${CMAKE_CURRENT_LIST_DIR}/model_artifacts.cpp
  PUBLIC_DEPS recdeck::common recdeck::store recdeck::experiments nlohmann_json::nlohmann_json)

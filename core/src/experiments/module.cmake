recdeck_core_module(experiments
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/statistics.cpp
    ${CMAKE_CURRENT_LIST_DIR}/bayesian.cpp
    ${CMAKE_CURRENT_LIST_DIR}/sequential.cpp
    ${CMAKE_CURRENT_LIST_DIR}/bandit.cpp
    ${CMAKE_CURRENT_LIST_DIR}/experiment.cpp
    ${CMAKE_CURRENT_LIST_DIR}/experiment_json.cpp
    ${CMAKE_CURRENT_LIST_DIR}/assignment.cpp
    ${CMAKE_CURRENT_LIST_DIR}/experiment_db.cpp
    ${CMAKE_CURRENT_LIST_DIR}/experiment_registry.cpp
    ${CMAKE_CURRENT_LIST_DIR}/experiment_results.cpp
    ${CMAKE_CURRENT_LIST_DIR}/experiment_tracker.cpp
    ${CMAKE_CURRENT_LIST_DIR}/traffic_estimate.cpp
  PUBLIC_DEPS recdeck::common recdeck::store nlohmann_json::nlohmann_json
  PRIVATE_DEPS Boost::headers SQLite::SQLite3)

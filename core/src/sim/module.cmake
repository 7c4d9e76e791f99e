recdeck_core_module(sim
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/target.cpp
    ${CMAKE_CURRENT_LIST_DIR}/engine_target.cpp
    ${CMAKE_CURRENT_LIST_DIR}/ground_truth.cpp
    ${CMAKE_CURRENT_LIST_DIR}/world_truth.cpp
    ${CMAKE_CURRENT_LIST_DIR}/held_out_truth.cpp
    ${CMAKE_CURRENT_LIST_DIR}/demo.cpp
    ${CMAKE_CURRENT_LIST_DIR}/user_population.cpp
    ${CMAKE_CURRENT_LIST_DIR}/traffic_simulator.cpp
  PUBLIC_DEPS recdeck::serving recdeck::data recdeck::metrics recdeck::store recdeck::common)

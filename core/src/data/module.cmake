recdeck_core_module(data
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/id_map.cpp
    ${CMAKE_CURRENT_LIST_DIR}/catalog.cpp
    ${CMAKE_CURRENT_LIST_DIR}/dataset.cpp
    ${CMAKE_CURRENT_LIST_DIR}/interaction_matrix.cpp
    ${CMAKE_CURRENT_LIST_DIR}/split.cpp
    ${CMAKE_CURRENT_LIST_DIR}/synthetic_world.cpp
  PUBLIC_DEPS recdeck::common Eigen3::Eigen)

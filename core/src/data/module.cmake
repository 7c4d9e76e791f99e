recdeck_core_module(data
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/id_map.cpp
    ${CMAKE_CURRENT_LIST_DIR}/catalog.cpp
    ${CMAKE_CURRENT_LIST_DIR}/dataset.cpp
    ${CMAKE_CURRENT_LIST_DIR}/interaction_matrix.cpp
    ${CMAKE_CURRENT_LIST_DIR}/split.cpp
    ${CMAKE_CURRENT_LIST_DIR}/synthetic_world.cpp
    ${CMAKE_CURRENT_LIST_DIR}/text_values.cpp
    ${CMAKE_CURRENT_LIST_DIR}/csv_reader.cpp
    ${CMAKE_CURRENT_LIST_DIR}/format_layout.cpp
    ${CMAKE_CURRENT_LIST_DIR}/id_interner.cpp
    ${CMAKE_CURRENT_LIST_DIR}/importer.cpp
  PUBLIC_DEPS recdeck::common Eigen3::Eigen)

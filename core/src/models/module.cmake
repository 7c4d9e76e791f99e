recdeck_core_module(models
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/model.cpp
    ${CMAKE_CURRENT_LIST_DIR}/popularity_model.cpp
    ${CMAKE_CURRENT_LIST_DIR}/item_knn_model.cpp
    ${CMAKE_CURRENT_LIST_DIR}/als_model.cpp
    ${CMAKE_CURRENT_LIST_DIR}/ease_model.cpp
    ${CMAKE_CURRENT_LIST_DIR}/blend_model.cpp
    ${CMAKE_CURRENT_LIST_DIR}/validation_split.cpp
    ${CMAKE_CURRENT_LIST_DIR}/model_factory.cpp
    ${CMAKE_CURRENT_LIST_DIR}/model_file.cpp
    ${CMAKE_CURRENT_LIST_DIR}/model_registry.cpp
  PUBLIC_DEPS recdeck::data recdeck::common nlohmann_json::nlohmann_json Eigen3::Eigen
  PRIVATE_DEPS recdeck::metrics)

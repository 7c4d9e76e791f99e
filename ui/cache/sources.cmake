# Sources of ui/cache (listed here so each folder owns its list).
target_sources(recdeck_ui PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/cache_panel.cpp
  ${PROJECT_SOURCE_DIR}/ui/include/recdeck/ui/cache/cache_panel.h
  ${CMAKE_CURRENT_LIST_DIR}/cache_settings_form.cpp
  ${PROJECT_SOURCE_DIR}/ui/include/recdeck/ui/cache/cache_settings_form.h
  ${CMAKE_CURRENT_LIST_DIR}/invalidation_form.cpp
  ${PROJECT_SOURCE_DIR}/ui/include/recdeck/ui/cache/invalidation_form.h
  ${CMAKE_CURRENT_LIST_DIR}/invalidation_log_model.cpp
  ${PROJECT_SOURCE_DIR}/ui/include/recdeck/ui/cache/invalidation_log_model.h
  ${CMAKE_CURRENT_LIST_DIR}/tier_card.cpp
  ${PROJECT_SOURCE_DIR}/ui/include/recdeck/ui/cache/tier_card.h
  ${CMAKE_CURRENT_LIST_DIR}/warm_up_form.cpp
  ${PROJECT_SOURCE_DIR}/ui/include/recdeck/ui/cache/warm_up_form.h
)

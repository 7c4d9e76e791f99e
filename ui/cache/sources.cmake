# Sources of ui/cache (listed here so each folder owns its list).
target_sources(recdeck_ui PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/cache_panel.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cache_panel.h
  ${CMAKE_CURRENT_LIST_DIR}/cache_settings_form.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cache_settings_form.h
  ${CMAKE_CURRENT_LIST_DIR}/cache_warm_up.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cache_warm_up.h
  ${CMAKE_CURRENT_LIST_DIR}/invalidation_form.cpp
  ${CMAKE_CURRENT_LIST_DIR}/invalidation_form.h
  ${CMAKE_CURRENT_LIST_DIR}/invalidation_log_model.cpp
  ${CMAKE_CURRENT_LIST_DIR}/invalidation_log_model.h
  ${CMAKE_CURRENT_LIST_DIR}/tier_card.cpp
  ${CMAKE_CURRENT_LIST_DIR}/tier_card.h
  ${CMAKE_CURRENT_LIST_DIR}/warm_up_form.cpp
  ${CMAKE_CURRENT_LIST_DIR}/warm_up_form.h
)

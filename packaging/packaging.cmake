# CPack: installers for Linux (DEB, TGZ), Windows (NSIS, ZIP; WIX when its tools are
# installed) and macOS (DragNDrop with the app bundle). Everything comes from the
# install() rules in packaging/install.cmake; the version comes from project().
include(${CMAKE_CURRENT_LIST_DIR}/install.cmake)

set(CPACK_PACKAGE_NAME "recdeck")
set(CPACK_PACKAGE_VENDOR "RecDeck Developers")
set(CPACK_PACKAGE_CONTACT "RecDeck Developers <dev@recdeck.invalid>")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Operator and experimentation console for recommendation systems")
set(CPACK_PACKAGE_HOMEPAGE_URL ${PROJECT_HOMEPAGE_URL})
set(CPACK_PACKAGE_INSTALL_DIRECTORY "RecDeck")
set(CPACK_PACKAGE_EXECUTABLES "recdeck;RecDeck")
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_STRIP_FILES ON)
set(CPACK_SOURCE_IGNORE_FILES "/build/;/\\\\.git/;/screenshots/")

if(WIN32)
  set(CPACK_GENERATOR "NSIS;ZIP")
  find_program(RECDECK_WIX_CANDLE candle)
  if(RECDECK_WIX_CANDLE)
    list(APPEND CPACK_GENERATOR WIX)
  endif()
  set(CPACK_NSIS_PACKAGE_NAME "RecDeck")
  set(CPACK_NSIS_DISPLAY_NAME "RecDeck ${PROJECT_VERSION}")
  set(CPACK_NSIS_MUI_ICON ${PROJECT_SOURCE_DIR}/resources/icons/recdeck.ico)
  set(CPACK_NSIS_MUI_UNIICON ${PROJECT_SOURCE_DIR}/resources/icons/recdeck.ico)
  set(CPACK_NSIS_INSTALLED_ICON_NAME "bin\\\\recdeck.exe")
  set(CPACK_NSIS_ENABLE_UNINSTALL_BEFORE_INSTALL ON)
  set(CPACK_NSIS_MODIFY_PATH ON)  # offers to put recdeckd on PATH
  set(CPACK_NSIS_URL_INFO_ABOUT ${PROJECT_HOMEPAGE_URL})
  # Fixed for the life of the product: upgrades replace the installed version.
  set(CPACK_WIX_UPGRADE_GUID "6F1C3B2E-8A47-4D2B-9E5C-2A7B1D0E4F93")
  set(CPACK_WIX_PRODUCT_ICON ${PROJECT_SOURCE_DIR}/resources/icons/recdeck.ico)
  set(CPACK_WIX_PROGRAM_MENU_FOLDER "RecDeck")
elseif(APPLE)
  set(CPACK_GENERATOR "DragNDrop")
  set(CPACK_DMG_VOLUME_NAME "RecDeck ${PROJECT_VERSION}")
  set(CPACK_DMG_FORMAT "UDBZ")
  set(CPACK_PACKAGE_ICON ${PROJECT_SOURCE_DIR}/resources/icons/recdeck.icns)
else()
  set(CPACK_GENERATOR "DEB;TGZ")
  set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
  set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
  set(CPACK_DEBIAN_PACKAGE_MAINTAINER "RecDeck Developers <dev@recdeck.invalid>")
  set(CPACK_DEBIAN_PACKAGE_SECTION "science")
  set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
  set(CPACK_DEBIAN_PACKAGE_HOMEPAGE ${PROJECT_HOMEPAGE_URL})
  # CPack puts CPACK_PACKAGE_DESCRIPTION_SUMMARY on the synopsis line; this is the rest.
  set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "RecDeck embeds a complete recommendation core - feature store, tiered cache,
several models, diversity-aware ranking and an A/B experiment engine - in a
Qt desktop console with live charts, a sample-size calculator, a user
inspector and cache controls, and serves the same core over HTTP with
Prometheus metrics (recdeckd). A fleet of services and the console can share
one Redis.")
  # Library dependencies come from dpkg-shlibdeps; the X11 platform plugin is loaded at
  # run time, so it is named here.
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
  set(CPACK_DEBIAN_PACKAGE_DEPENDS "qt6-qpa-plugins")
  set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "redis-server")
  set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS OFF)
  set(CPACK_DEBIAN_COMPRESSION_TYPE "xz")
endif()

include(CPack)

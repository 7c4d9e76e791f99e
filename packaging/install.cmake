# install() rules: the two executables, the desktop integration files and the docs.
# Included from the root CMakeLists.txt after the targets exist.
include(GNUInstallDirs)

if(APPLE AND RECDECK_BUILD_UI)
  # macOS: one app bundle; recdeckd travels inside it (Contents/MacOS/recdeckd).
  install(TARGETS recdeck BUNDLE DESTINATION . COMPONENT applications)
  install(TARGETS recdeckd RUNTIME DESTINATION recdeck.app/Contents/MacOS COMPONENT applications)
else()
  install(TARGETS recdeckd RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT applications)
  if(RECDECK_BUILD_UI)
    install(TARGETS recdeck RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT applications)
  endif()
endif()

set(resources ${PROJECT_SOURCE_DIR}/resources)
if(UNIX AND NOT APPLE)
  install(FILES ${resources}/recdeck.desktop DESTINATION ${CMAKE_INSTALL_DATADIR}/applications COMPONENT applications)
  install(FILES ${resources}/io.recdeck.RecDeck.metainfo.xml DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo COMPONENT applications)
  foreach(size 16 22 24 32 48 64 128 256 512)
    install(FILES ${resources}/icons/hicolor/${size}x${size}/apps/recdeck.png
            DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/${size}x${size}/apps COMPONENT applications)
  endforeach()
  install(FILES ${resources}/icons/recdeck.svg DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps COMPONENT applications)

  # Manual pages and the Debian changelog are installed compressed (gzip -9n: no
  # timestamp, so packages are reproducible).
  find_program(GZIP_EXECUTABLE gzip)
  set(compressed ${PROJECT_BINARY_DIR}/compressed)
  file(MAKE_DIRECTORY ${compressed})
  foreach(page recdeck.1 recdeckd.1)
    if(GZIP_EXECUTABLE)
      execute_process(COMMAND ${GZIP_EXECUTABLE} -9nc ${resources}/${page} OUTPUT_FILE ${compressed}/${page}.gz)
      install(FILES ${compressed}/${page}.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT applications)
    else()
      install(FILES ${resources}/${page} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT applications)
    endif()
  endforeach()
  # A systemd unit for `recdeckd serve`, installed but not enabled.
  install(FILES ${resources}/recdeckd.service DESTINATION lib/systemd/system COMPONENT applications)
  install(FILES ${PROJECT_SOURCE_DIR}/LICENSE DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/recdeck RENAME copyright COMPONENT applications)
  configure_file(${PROJECT_SOURCE_DIR}/packaging/deb/changelog.in ${compressed}/changelog @ONLY)
  if(GZIP_EXECUTABLE)
    execute_process(COMMAND ${GZIP_EXECUTABLE} -9nc ${compressed}/changelog OUTPUT_FILE ${compressed}/changelog.gz)
    install(FILES ${compressed}/changelog.gz DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/recdeck COMPONENT applications)
  endif()
else()
  install(FILES ${PROJECT_SOURCE_DIR}/LICENSE ${PROJECT_SOURCE_DIR}/README.md DESTINATION . COMPONENT applications)
endif()

# Qt's deployment (windeployqt / macdeployqt) where Qt supports it. Linux packages use
# the distribution's Qt and declare it as dependencies instead.
if(RECDECK_BUILD_UI AND (WIN32 OR APPLE))
  if(Qt6_VERSION VERSION_GREATER_EQUAL 6.5)
    # Both executables, with their plugins and a qt.conf.
    qt_generate_deploy_script(TARGET recdeck OUTPUT_SCRIPT recdeck_deploy CONTENT "
qt_deploy_runtime_dependencies(
    EXECUTABLE \"$<IF:$<BOOL:${APPLE}>,recdeck.app,\${QT_DEPLOY_BIN_DIR}/$<TARGET_FILE_NAME:recdeck>>\"
    ADDITIONAL_EXECUTABLES \"$<IF:$<BOOL:${APPLE}>,recdeck.app/Contents/MacOS/recdeckd,\${QT_DEPLOY_BIN_DIR}/$<TARGET_FILE_NAME:recdeckd>>\"
    GENERATE_QT_CONF)
")
    install(SCRIPT ${recdeck_deploy} COMPONENT applications)
  else()
    # Qt 6.4: the technology-preview app script deploys the console; recdeckd uses the
    # same Qt libraries, which it finds next to it (Windows) or in the bundle (macOS).
    qt_generate_deploy_app_script(TARGET recdeck FILENAME_VARIABLE recdeck_deploy NO_UNSUPPORTED_PLATFORM_ERROR)
    install(SCRIPT ${recdeck_deploy} COMPONENT applications)
  endif()
endif()

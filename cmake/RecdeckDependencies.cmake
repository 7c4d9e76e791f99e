# Every dependency comes from the distribution's packages, found by config files or
# pkg-config. Qt is looked up where a target needs it, so core never sees it.
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED CONFIG)
find_package(Eigen3 3.3 REQUIRED NO_MODULE)
find_package(Boost 1.74 REQUIRED)
find_package(prometheus-cpp CONFIG REQUIRED COMPONENTS core)
# hiredis installs a CMake config named "Hiredis" without targets; pkg-config is reliable.
pkg_check_modules(HIREDIS REQUIRED IMPORTED_TARGET hiredis)

find_package(Qt6 6.4 REQUIRED COMPONENTS Core Gui Widgets Charts Network Concurrent Test)
# AUTOMOC is switched on per Qt target (recdeck_qt_target), never for core.

#!/usr/bin/env bash
# RecDeck developer set-up: installs what is missing (Debian/Ubuntu packages), configures
# and builds, then either starts the console on the embedded store with demo data
# (`./setup.sh run`) or runs every test (`./setup.sh test`). `./setup.sh sanitize` builds and
# runs the sanitizer stages CI runs after the tests: the whole suite under AddressSanitizer +
# UBSan (preset asan), then the tests labelled concurrency under ThreadSanitizer (preset tsan).
set -euo pipefail
cd "$(dirname "$0")"

mode="${1:-run}"
preset="${RECDECK_PRESET:-dev}"

packages=(
  build-essential cmake ninja-build ccache pkg-config
  qt6-base-dev qt6-charts-dev libqt6opengl6-dev libgl-dev
  libhiredis-dev libsqlite3-dev nlohmann-json3-dev libeigen3-dev libboost-math-dev prometheus-cpp-dev
  redis-server xvfb xauth fonts-dejavu-core
  python3 python3-prometheus-client curl dpkg-dev file lintian clang-format
)

install_missing() {
  if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "setup.sh: not a Debian-based system; install the dependencies listed in README.md yourself." >&2
    return 0
  fi
  local missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then return 0; fi
  echo "setup.sh: installing ${missing[*]}"
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
}

build() {
  cmake --preset "$preset"
  cmake --build --preset "$preset"
}

# One sanitizer stage: configure, build and run its test preset; prints how long each part
# took. Any failure (configure, build, a test, no test selected) ends the script non-zero.
sanitizer_stage() {
  local stage="$1" start
  start=$(date +%s)
  echo "setup.sh: sanitizer stage '$stage': building"
  preset="$stage" build
  local built=$(date +%s)
  echo "setup.sh: sanitizer stage '$stage': built in $((built - start)) s; running its tests"
  ctest --preset "$stage"
  echo "setup.sh: sanitizer stage '$stage': passed (build $((built - start)) s, tests $(( $(date +%s) - built )) s)"
}

case "$mode" in
  run)
    install_missing
    build
    if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
      echo "setup.sh: no display found; starting the console under xvfb-run (screenshots in ./screenshots)."
      exec xvfb-run -a "build/$preset/app/recdeck" --screenshot screenshots
    fi
    exec "build/$preset/app/recdeck"
    ;;
  test)
    install_missing
    build
    exec ctest --preset "$preset"
    ;;
  sanitize)
    install_missing
    stages="${RECDECK_SANITIZERS:-asan tsan}"
    for stage in $stages; do
      case "$stage" in
        asan|tsan) sanitizer_stage "$stage" ;;
        *) echo "setup.sh: unknown sanitizer stage '$stage' (asan, tsan)" >&2; exit 2 ;;
      esac
    done
    ;;
  build)
    install_missing
    build
    ;;
  *)
    echo "usage: ./setup.sh [run|test|sanitize|build]" >&2
    exit 2
    ;;
esac

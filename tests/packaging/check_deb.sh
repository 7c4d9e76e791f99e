#!/usr/bin/env bash
# Builds the Debian package from this build tree, unpacks it into a throwaway folder,
# checks its metadata and dependencies, runs the installed programs (recdeckd --version,
# recdeckd serve on loopback, recdeck --screenshot under xvfb-run) and runs lintian.
#   check_deb.sh BUILD_DIR
set -euo pipefail
build="$1"
work="$(mktemp -d)"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "check_deb: $*" >&2; exit 1; }

command -v dpkg-deb >/dev/null || fail "dpkg-deb not found"
(cd "$build" && cpack -G DEB -B "$work/out" >"$work/cpack.log" 2>&1) || { cat "$work/cpack.log"; fail "cpack -G DEB failed"; }
deb=$(ls "$work"/out/recdeck_*.deb 2>/dev/null | head -1)
[ -n "$deb" ] || { cat "$work/cpack.log"; fail "no recdeck_*.deb produced"; }
echo "package: $(basename "$deb") ($(du -h "$deb" | cut -f1))"

dpkg-deb -I "$deb" >"$work/info"
grep -q '^ Package: recdeck$' "$work/info" || fail "wrong package name"
grep -q '^ Section: science$' "$work/info" || fail "section missing"
grep -q '^ Maintainer: RecDeck Developers <dev@recdeck.invalid>$' "$work/info" || fail "maintainer missing"
depends=$(dpkg-deb -f "$deb" Depends)
echo "depends: $depends"
# Names as shlibdeps derives them on this distribution (libhiredis0.14 on Debian 12,
# libhiredis1.1.0 on Debian 13; libqt6widgets6t64 on 64-bit time_t releases).
for lib in 'libqt6widgets6' 'libhiredis[0-9]' 'libsqlite3-0' 'qt6-qpa-plugins'; do
  echo "$depends" | grep -qE "$lib" || fail "Depends lacks $lib"
done
# The service's HTTP layer is Boost.Beast (header-only): no Qt HttpServer at run time.
if echo "$depends" | grep -q libqt6httpserver6; then fail "Depends still names libqt6httpserver6"; fi
# Every dependency must be satisfiable here (what apt-get install ./recdeck_*.deb needs).
for dep in $(echo "$depends" | tr ',' '\n' | sed -e 's/(.*)//' -e 's/|.*//' -e 's/ //g'); do
  dpkg -s "$dep" >/dev/null 2>&1 || fail "dependency $dep is not installable from this system's packages"
done

root="$work/root"
dpkg-deb -x "$deb" "$root"
for f in usr/bin/recdeck usr/bin/recdeckd usr/share/applications/recdeck.desktop \
         usr/share/metainfo/io.recdeck.RecDeck.metainfo.xml usr/share/icons/hicolor/256x256/apps/recdeck.png \
         usr/share/icons/hicolor/scalable/apps/recdeck.svg usr/share/man/man1/recdeckd.1.gz \
         usr/lib/systemd/system/recdeckd.service usr/share/doc/recdeck/copyright usr/share/doc/recdeck/changelog.gz; do
  [ -e "$root/$f" ] || fail "missing $f"
done
version=$("$root/usr/bin/recdeckd" --version)
echo "installed: $version"
[[ "$version" == recdeckd\ [0-9]* ]] || fail "unexpected version output: $version"
"$root/usr/bin/recdeck" --version | grep -q '^RecDeck [0-9]' || fail "recdeck --version failed"

# The installed service answers on loopback.
"$root/usr/bin/recdeckd" serve --port 0 --data "$work/service" >"$work/serve.log" 2>&1 &
pids+=($!)
port=""
for _ in $(seq 1 600); do
  port=$(grep -o 'serving on http://127.0.0.1:[0-9]*' "$work/serve.log" | grep -o '[0-9]*$' || true)
  [ -n "$port" ] && break
  sleep 0.2
done
[ -n "$port" ] || { cat "$work/serve.log"; fail "installed recdeckd serve did not start"; }
curl -sf -X POST "http://127.0.0.1:$port/recommendations?user_id=user_0001&n=5" | grep -q '"items"' || fail "installed service did not answer"
kill "${pids[0]}"; wait "${pids[0]}" 2>/dev/null || true; pids=()

# The installed console renders its panels under a real X server.
if command -v xvfb-run >/dev/null; then
  xvfb-run -a "$root/usr/bin/recdeck" --screenshot "$work/shots" --screenshot-delay 3 --data "$work/console" >"$work/shots.log" 2>&1 \
    || { cat "$work/shots.log"; fail "installed recdeck --screenshot failed"; }
  count=$(ls "$work"/shots/*.png | wc -l)
  [ "$count" -eq 7 ] || fail "expected 7 panel pictures, got $count"
  echo "console: $count panels rendered under xvfb-run"
else
  [ "${RECDECK_CI:-0}" = "1" ] && fail "xvfb-run is required in CI"
  echo "SKIP: xvfb-run not installed, console not started"
fi

if command -v lintian >/dev/null; then
  lintian --tag-display-limit 0 "$deb" >"$work/lintian.log" 2>&1 || true
  cat "$work/lintian.log"
  if grep -q '^E:' "$work/lintian.log"; then fail "lintian reports errors"; fi
  echo "lintian: no errors"
else
  [ "${RECDECK_CI:-0}" = "1" ] && fail "lintian is required in CI"
  echo "SKIP: lintian not installed"
fi
echo "check_deb: ok"

#!/usr/bin/env bash
# Every tracked C++ file is formatted as .clang-format says. The style is pinned to
# clang-format 14 (Debian 12's): other versions format some constructs differently, so
# with another version, or none, the check reports a skip (exit 77) — except in CI
# (RECDECK_CI=1), where a missing clang-format 14 is a failure.
# Fix a failure with: tests/style/check_format.sh --fix
set -uo pipefail
src="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$src"

tool=""
for candidate in clang-format-14 clang-format; do
  if command -v "$candidate" >/dev/null 2>&1 && "$candidate" --version | grep -q "version 14\."; then
    tool="$candidate"
    break
  fi
done
if [ -z "$tool" ]; then
  if [ "${RECDECK_CI:-0}" = "1" ]; then
    echo "check_format: clang-format 14 is required in CI (apt-get install clang-format)" >&2
    exit 1
  fi
  echo "check_format: SKIPPED — clang-format 14 not found (the style is pinned to it)" >&2
  exit 77
fi

if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t files < <(git -C "$src" ls-files '*.cpp' '*.h')
else
  mapfile -t files < <(find app core ui tests -name '*.cpp' -o -name '*.h' | sort)
fi
if [ "${1:-}" = "--fix" ]; then
  "$tool" -i "${files[@]}"
  exit $?
fi
if ! "$tool" --dry-run -Werror "${files[@]}" 2> /tmp/recdeck-format.$$; then
  grep "error:" /tmp/recdeck-format.$$ | cut -d: -f1 | sort -u | sed 's/^/not formatted: /' >&2
  head -40 /tmp/recdeck-format.$$ >&2
  rm -f /tmp/recdeck-format.$$
  echo "check_format: run tests/style/check_format.sh --fix" >&2
  exit 1
fi
rm -f /tmp/recdeck-format.$$
echo "check_format: ${#files[@]} files formatted as .clang-format says ($tool)"

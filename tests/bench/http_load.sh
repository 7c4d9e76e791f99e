#!/usr/bin/env bash
# Side-by-side HTTP load: recdeckd serve and the seed's reference service (FastAPI +
# Redis, ../shared/anchors/seed_fastapi), on this machine, in this run, with wrk.
# Both answer cached POST /recommendations for one user; both use the same redis-server.
# recdeckd's GET /health is measured too: the ceiling of its HTTP layer on this machine,
# against which the cached path is compared.
#
#   tests/bench/http_load.sh [path/to/recdeckd] [seconds]
#
# Needs: wrk, redis-server, /usr/bin/python3 with fastapi, uvicorn and redis
# (apt-get install wrk redis-server python3-fastapi python3-uvicorn python3-redis).
# Prints requests/s and p50/p99 latency of each run, the cached/health ratio of recdeckd
# and recdeckd/seed. Never fails on a figure. wrk shares the cores with the servers.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
recdeckd="${1:-$root/build/dev/app/recdeckd}"
seconds="${2:-10}"
seed="${RECDECK_SEED_SERVICE:-$root/../shared/anchors/seed_fastapi}"

for tool in wrk redis-server; do
  command -v "$tool" >/dev/null || { echo "http_load: $tool not found (apt-get install $tool)" >&2; exit 2; }
done
[ -x "$recdeckd" ] || { echo "http_load: $recdeckd is not executable (build first)" >&2; exit 2; }
[ -f "$seed/app.py" ] || { echo "http_load: seed service not found at $seed (set RECDECK_SEED_SERVICE)" >&2; exit 2; }
/usr/bin/python3 -c 'import fastapi, uvicorn, redis' 2>/dev/null || {
  echo "http_load: /usr/bin/python3 needs fastapi, uvicorn and redis (apt-get install python3-fastapi python3-uvicorn python3-redis)" >&2; exit 2; }

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
work="$(mktemp -d)"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

redis_port="$(free_port)"
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" >"$work/redis.log" 2>&1 &
pids+=($!)
seed_port="$(free_port)"
(cd "$seed" && exec env REDIS_PORT="$redis_port" /usr/bin/python3 -m uvicorn app:app --host 127.0.0.1 --port "$seed_port" --log-level warning) >"$work/seed.log" 2>&1 &
pids+=($!)
deck_port="$(free_port)"
"$recdeckd" serve --port "$deck_port" --redis "redis://127.0.0.1:$redis_port/0" --data "$work/recdeckd" >"$work/recdeckd.log" 2>&1 &
pids+=($!)

wait_for() {  # url
  for _ in $(seq 1 600); do
    if curl -s -o /dev/null -X POST "$1"; then return 0; fi
    sleep 0.2
  done
  echo "http_load: $1 did not answer" >&2; cat "$work"/*.log >&2; exit 1
}
wait_for "http://127.0.0.1:$seed_port/recommendations?user_id=user_1&n=10"
wait_for "http://127.0.0.1:$deck_port/recommendations?user_id=user_0001&n=10"

cat >"$work/seed.lua" <<'LUA'
wrk.method = "POST"
wrk.path = "/recommendations?user_id=user_1&n=10"
LUA
cat >"$work/deck.lua" <<'LUA'
wrk.method = "POST"
wrk.path = "/recommendations?user_id=user_0001&n=10"
LUA
cat >"$work/health.lua" <<'LUA'
wrk.method = "GET"
wrk.path = "/health"
LUA

run() {  # name port script -> "rps p50 p99"
  wrk -t2 -c32 -d"${seconds}s" --latency -s "$3" "http://127.0.0.1:$2" >"$work/$1.wrk"
  local rps p50 p99
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/$1.wrk")
  p50=$(awk '$1=="50%" {print $2}' "$work/$1.wrk")
  p99=$(awk '$1=="99%" {print $2}' "$work/$1.wrk")
  if grep -q "Non-2xx" "$work/$1.wrk"; then echo "http_load: $1: $(grep Non-2xx "$work/$1.wrk")" >&2; fi
  echo "$rps $p50 $p99"
}

echo "wrk -t2 -c32 -d${seconds}s, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
read -r seed_rps seed_p50 seed_p99 < <(run seed "$seed_port" "$work/seed.lua")
read -r health_rps health_p50 health_p99 < <(run health "$deck_port" "$work/health.lua")
read -r deck_rps deck_p50 deck_p99 < <(run deck "$deck_port" "$work/deck.lua")
printf '%-28s %-36s %12s %10s %10s\n' service request requests/s p50 p99
printf '%-28s %-36s %12s %10s %10s\n' "seed (FastAPI + Redis)" "POST /recommendations (cached)" "$seed_rps" "$seed_p50" "$seed_p99"
printf '%-28s %-36s %12s %10s %10s\n' "recdeckd serve (--redis)" "GET /health" "$health_rps" "$health_p50" "$health_p99"
printf '%-28s %-36s %12s %10s %10s\n' "recdeckd serve (--redis)" "POST /recommendations (cached)" "$deck_rps" "$deck_p50" "$deck_p99"
awk -v a="$deck_rps" -v b="$health_rps" 'BEGIN { if (b > 0) printf "recdeckd cached / health: %.0f%%\n", 100 * a / b }'
awk -v a="$deck_rps" -v b="$seed_rps" 'BEGIN { if (b > 0) printf "recdeckd / seed, cached: %.1fx\n", a / b }'

#!/usr/bin/env bash
# Races our scoring host (samples/CreditScoring.Api: API key checking, prediction events to SQLite and the drift
# monitor on) against ../shared/peers/api_fastapi.py (the reference project's architecture: FastAPI + uvicorn serving
# the same model exported to XGBoost JSON, API key checked too), both on loopback, each driven by wrk with the same
# request body, connections and duration, interleaved (ours, peer, ours, peer, ... ROUNDS times). Prints requests per
# second, p50/p99 latency, errors (socket errors and non-2xx answers), our host's resident memory at the start and end
# of its load (and its peak), and the prediction events written and dropped.
#
#   bash benchmarks/peer-race/api.sh [DATA.csv TARGET]      (default: give-me-some-credit.csv SeriousDlqin2yrs)
#   DURATION=60 CONNECTIONS=32 WRK_THREADS=1 ROUNDS=1 WARMUP=5 bash benchmarks/peer-race/api.sh
#
# Needs Debian's wrk, python3-fastapi, python3-uvicorn and python3-xgboost. Traffic goes to 127.0.0.1 only.
set -euo pipefail
source "$(dirname "$0")/common.sh"
data=${1:-$shared/data/give-me-some-credit.csv}
target=${2:-SeriousDlqin2yrs}
duration=${DURATION:-60}
connections=${CONNECTIONS:-32}
wrk_threads=${WRK_THREADS:-1}
rounds=${ROUNDS:-1}
warmup=${WARMUP:-5}
key="race-key-$(date +%s)"
for tool in wrk /usr/bin/python3; do command -v "$tool" >/dev/null || { echo "$tool is missing (apt-get install wrk python3-fastapi python3-uvicorn python3-xgboost)" >&2; exit 1; }; done

echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
$bench race api-model "$data" "$target" --out "$work"
dotnet build -c Release "$root/samples/CreditScoring.Api" -v q -nologo >/dev/null
threshold=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["threshold"])' "$work/meta.json")
free_port() { /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

ours_port=$(free_port)
ASPNETCORE_ENVIRONMENT=Production DOTNET_gcServer=0 dotnet "$root/samples/CreditScoring.Api/bin/Release/net10.0/CreditScoring.Api.dll" \
  --urls "http://127.0.0.1:$ours_port" --Logging:LogLevel:Default=Warning \
  --CreditScoring:ModelPath="$work/pd.json" \
  --CreditScoring:ApiKeys:Keys:0:Name=race --CreditScoring:ApiKeys:Keys:0:Roles:0=score \
  --CreditScoring:ApiKeys:Keys:0:Sha256="$(printf %s "$key" | sha256sum | cut -d' ' -f1)" \
  --CreditScoring:ApiKeys:RequestsPerSecond=10000000 --CreditScoring:ApiKeys:Burst=10000000 \
  --CreditScoring:Events:Store="$work/events.db" >"$work/ours.log" 2>&1 &
ours_pid=$!
peer_port=$(free_port)
/usr/bin/python3 "$shared/peers/api_fastapi.py" --model "$work/pd.xgb.json" --meta "$work/meta.json" --threshold "$threshold" \
  --port "$peer_port" --api-key "$key" >"$work/peer.log" 2>&1 &
peer_pid=$!
trap 'kill $ours_pid $peer_pid 2>/dev/null; rm -rf "$work"' EXIT

ours_url="http://127.0.0.1:$ours_port/v1/score"
peer_url="http://127.0.0.1:$peer_port/score"
for url in "http://127.0.0.1:$ours_port/health/ready" "http://127.0.0.1:$peer_port/health"; do
  for _ in $(seq 1 120); do curl -fsS "$url" >/dev/null 2>&1 && break; sleep 0.5; done
  curl -fsS "$url" >/dev/null || { echo "a host did not start: $url" >&2; cat "$work/ours.log" "$work/peer.log" >&2; exit 1; }
done

# Both hosts answer the race's request with our probability, to 1e-6 (XGBoost sums its float32 leaves).
/usr/bin/python3 - "$work" "$ours_url" "$peer_url" "$key" <<'PY'
import json, sys, urllib.request
work, ours, peer, key = sys.argv[1:]
body = open(f"{work}/body.json", "rb").read()
expected = json.load(open(f"{work}/expected.json"))["probability"]
for name, url in (("ours", ours), ("peer", peer)):
    answer = json.load(urllib.request.urlopen(urllib.request.Request(url, body, {"Content-Type": "application/json", "X-Api-Key": key})))
    assert abs(answer["probability"] - expected) <= 1e-6, (name, answer, expected)
    print(f"{name}: probability {answer['probability']:.9f} (ours {expected:.9f}), decision {answer['decision']}")
PY

cat >"$work/post.lua" <<LUA
wrk.method = "POST"
wrk.body = io.open("$work/body.json"):read("*a")
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Api-Key"] = "$key"
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %.3f %d %.1f %.1f\n", summary.requests, summary.duration / 1e6,
    e.connect + e.read + e.write + e.status + e.timeout, latency:percentile(50), latency:percentile(99)))
end
LUA

rss() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
load() { # url seconds -> "requests seconds errors p50_us p99_us"
  wrk -t"$wrk_threads" -c"$connections" -d"${2}s" --timeout 10s -s "$work/post.lua" "$1" | awk '/^RESULT/ {print $2, $3, $4, $5, $6}'
}

# Warm both up (JIT, pools, caches) before anything is measured.
load "$ours_url" "$warmup" >/dev/null
load "$peer_url" "$warmup" >/dev/null

results="$work/results.txt"
: >"$results"
for round in $(seq 1 "$rounds"); do
  start_rss=$(rss "$ours_pid")
  ( peak=0; while kill -0 "$ours_pid" 2>/dev/null; do r=$(rss "$ours_pid"); [ "$r" -gt "$peak" ] && peak=$r; echo "$peak" >"$work/peak"; sleep 1; done ) &
  sampler=$!
  ours=$(load "$ours_url" "$duration")
  kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null || true
  end_rss=$(rss "$ours_pid")
  peer=$(load "$peer_url" "$duration")
  echo "$round ours $ours $start_rss $end_rss $(cat "$work/peak")" >>"$results"
  echo "$round peer $peer" >>"$results"
done
sleep 2 # the event writer empties its queue
monitoring=$(curl -fsS "http://127.0.0.1:$ours_port/health/ready" || true)
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

/usr/bin/python3 - "$results" "$connections" "$duration" "$wrk_threads" "$monitoring" <<'PY'
import json, statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
connections, duration, threads = sys.argv[2:5]
ours = [r for r in rows if r[1] == "ours"]
peer = [r for r in rows if r[1] == "peer"]
def rps(r): return int(r[2]) / float(r[3])
print(f"wrk: {connections} connections, {threads} thread(s), {duration} s per run, {len(ours)} round(s), interleaved; the same body and API key for both")
print("| host | requests/s | p50 (ms) | p99 (ms) | errors | memory start -> end (peak), MiB |")
print("| --- | ---: | ---: | ---: | ---: | --- |")
for r in ours:
    print(f"| ours (keys, events, monitor), round {r[0]} | {rps(r):,.0f} | {float(r[5]) / 1000:.2f} | {float(r[6]) / 1000:.2f} | {r[4]} | {int(r[7]) / 1024:.0f} -> {int(r[8]) / 1024:.0f} ({int(r[9]) / 1024:.0f}) |")
for r in peer:
    print(f"| FastAPI + XGBoost peer, round {r[0]} | {rps(r):,.0f} | {float(r[5]) / 1000:.2f} | {float(r[6]) / 1000:.2f} | {r[4]} | |")
ratio = statistics.median(rps(r) for r in ours) / statistics.median(rps(r) for r in peer)
print(f"throughput ours / peer: {ratio:.1f}x (median of rounds); ours p99 {max(float(r[6]) for r in ours) / 1000:.2f} ms (worst round)")
try:
    checks = json.loads(sys.argv[5])["checks"]
    print("event store:", checks["event-store"]["description"])
except Exception:
    pass
PY

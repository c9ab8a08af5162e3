#!/usr/bin/env bash
# Races our batch job (creditscoring-batch score --input postgres://... --output postgres://...) against
# ../shared/peers/batch_pg.py (a Python team's job: pandas chunks through a server-side cursor, XGBoost inplace_predict,
# COPY out as CSV) on the same PostgreSQL table of give-me-some-credit rows, repeated to ROWS rows, with the same model
# (ours exported to XGBoost JSON for the peer), interleaved (ours, peer, ours, peer, ... ROUNDS times). Prints rows per
# second (each job's own figure, start-up excluded, and the wall time of each command), where the time goes (read, score,
# write), the peak resident memory of each at 1,000,000 rows and at ROWS rows, and the largest difference between our
# probabilities and the peer's over every row.
#
#   bash benchmarks/peer-race/batch.sh                  (ROWS=10000000 ROUNDS=2)
#   ROWS=1000000 ROUNDS=1 PARTITIONS=16 bash benchmarks/peer-race/batch.sh
#
# Refuses when the load average at the start is above 1, unless FORCE=1. Needs Debian's postgresql, python3-pandas,
# python3-psycopg2 and python3-xgboost. Starts its own PostgreSQL cluster on a
# free loopback port in a scratch folder (as user postgres when run as root), removed at the end.
set -euo pipefail
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
source "$(dirname "$0")/common.sh"
rows=${ROWS:-10000000}
rounds=${ROUNDS:-2}
partitions=${PARTITIONS:-16}
data=$shared/data/give-me-some-credit.csv
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$pg_bin/initdb" ] || { echo "PostgreSQL is missing (apt-get install postgresql)" >&2; exit 1; }
/usr/bin/python3 -c 'import pandas, psycopg2, xgboost' 2>/dev/null || { echo "the peer needs python3-pandas python3-psycopg2 python3-xgboost" >&2; exit 1; }

as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
chmod 755 "$work"; mkdir -p "$work/pg"; [ "$(id -u)" = 0 ] && chown postgres "$work/pg"
as_postgres "$pg_bin/initdb" -D "$work/pg/data" -U postgres -A trust -E UTF8 --locale=C >/dev/null
as_postgres "$pg_bin/pg_ctl" -D "$work/pg/data" -l "$work/pg/log" -w -o "-p $port -k $work/pg -c listen_addresses=127.0.0.1" start >/dev/null
trap 'as_postgres "$pg_bin/pg_ctl" -D "$work/pg/data" -m fast stop >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
psql() { PGOPTIONS="-c client_min_messages=warning" command psql -h 127.0.0.1 -p "$port" -U postgres -d bench -qAt "$@"; }
command psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -qc "CREATE DATABASE bench"
dsn="host=127.0.0.1 port=$port dbname=bench user=postgres"
uri="postgres://postgres@127.0.0.1:$port/bench"

race_header "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}'), Python $(/usr/bin/python3 -c 'import sys, pandas, xgboost; print(sys.version.split()[0], "pandas", pandas.__version__, "xgboost", xgboost.__version__)')"
$bench race api-model "$data" SeriousDlqin2yrs --out "$work" | sed 's/^/  /'
threshold=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["threshold"])' "$work/meta.json")
dotnet build -c Release "$root/samples/CreditScoring.Batch" -v q -nologo >/dev/null
cli="dotnet $root/samples/CreditScoring.Batch/bin/Release/net10.0/creditscoring-batch.dll"
echo "setup: $(/usr/bin/python3 "$shared/peers/batch_pg.py" setup --dsn "$dsn" --csv "$data" --table applicants --rows "$rows" --drop SeriousDlqin2yrs)"

# One run of each: prints "rows_per_s read score write seconds wall peak_kib" on one line.
ours() { # $1: the source's ?table= or ?query=
  psql -c "DROP TABLE IF EXISTS scores_ours"
  /usr/bin/time -o "$work/time.txt" -f 'TIME %e %M' $cli score --model "$work/pd.json" --input "$uri?$1" --output "$uri?table=scores_ours" --partitions "$partitions" >"$work/ours.out" 2>"$work/ours.err"
  /usr/bin/python3 - "$work/ours.out" "$work/time.txt" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
m = re.search(r"This worker: \d+ partitions, ([\d,]+) rows in ([\d.]+) s \(([\d,]+) rows/s; reading ([\d.]+) s, scoring ([\d.]+) s, writing ([\d.]+) s", text)
if not m: sys.exit("our job printed no summary:\n" + text)
t = re.search(r"TIME ([\d.]+) (\d+)", open(sys.argv[2]).read())
print(m[3].replace(",", ""), m[4], m[5], m[6], m[2], t[1], t[2])
PY
}
peer() {
  /usr/bin/time -o "$work/time.txt" -f 'TIME %e %M' /usr/bin/python3 "$shared/peers/batch_pg.py" score --dsn "$dsn" --table applicants --model "$work/pd.xgb.json" --meta "$work/meta.json" --out-table scores_peer --threshold "$threshold" --threads "$(nproc)" >"$work/peer.out" 2>/dev/null
  /usr/bin/python3 - "$work/peer.out" "$work/time.txt" <<'PY'
import json, re, sys
j = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
t = re.search(r"TIME ([\d.]+) (\d+)", open(sys.argv[2]).read())
print(j["rows_per_s"], j["read_s"], j["score_s"], j["write_s"], j["seconds"], t[1], t[2])
PY
}

echo "load before the rounds (after the setup): $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-7s %-5s %12s %8s %8s %8s %9s %9s %10s\n' round job rows/s read_s score_s write_s job_s wall_s peak_MiB
ratios=()
for r in $(seq 1 "$rounds"); do
  read -r o_rate o_read o_score o_write o_secs o_wall o_peak <<<"$(ours table=applicants)"
  printf '%-7s %-5s %12s %8s %8s %8s %9s %9s %10s\n' "$r" ours "$o_rate" "$o_read" "$o_score" "$o_write" "$o_secs" "$o_wall" $((o_peak / 1024))
  read -r p_rate p_read p_score p_write p_secs p_wall p_peak <<<"$(peer)"
  printf '%-7s %-5s %12s %8s %8s %8s %9s %9s %10s\n' "$r" peer "$p_rate" "$p_read" "$p_score" "$p_write" "$p_secs" "$p_wall" $((p_peak / 1024))
  ratios+=("$(/usr/bin/python3 -c "print(f'{$o_rate / $p_rate:.2f}')")")
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "ours / peer rows per second, by round: ${ratios[*]} (target: at least 5)"

# The same scores: every id in both, probabilities within 1e-6 (the peer's XGBoost sums float32 leaves).
echo "scores: $(psql -c "SELECT count(*) || ' rows in both, ' || (SELECT count(*) FROM scores_ours) || ' ours, ' || (SELECT count(*) FROM scores_peer) || ' peer; largest difference ' || to_char(max(abs(o.probability - p.probability)), '9.99EEEE') || ', decisions differing ' || sum(CASE WHEN o.decision = p.decision THEN 0 ELSE 1 END) FROM scores_ours o JOIN scores_peer p USING (id)")"

# Memory flat in the number of rows: our peak at 1,000,000 rows against the peak above at ROWS rows.
if [ "$rows" -gt 1000000 ]; then
  read -r s_rate _ _ _ _ _ s_peak <<<"$(ours "query=SELECT%20*%20FROM%20applicants%20WHERE%20id%20%3C%3D%201000000")"
  echo "our peak resident memory: $((s_peak / 1024)) MiB at 1,000,000 rows ($s_rate rows/s), $((o_peak / 1024)) MiB at $rows rows"
fi

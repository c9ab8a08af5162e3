#!/usr/bin/env bash
# Issue 6's figures, interleaved: the drift report on give-me-some-credit.csv split in halves (as ../shared/peers/drift.py
# splits it), untouched and with MonthlyIncome x 1.2 in the current half, against drift.py's time for the same columns,
# REPEATS rounds (default 5) of ours then the peer, with the medians, their spread and the ratios; then the report on a
# generated 300,000 x 120 table.
#
#   bash benchmarks/peer-race/drift.sh
#
# Needs Debian's python3-scipy and python3-pandas. Refuses when the load average at the start is above 1, unless FORCE=1.
set -euo pipefail
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
source "$(dirname "$0")/common.sh"
gmsc=$shared/data/give-me-some-credit.csv
rounds=${REPEATS:-5}
summarize="/usr/bin/python3 $root/benchmarks/peer-race/summarize.py"

race_header "$(/usr/bin/python3 -c 'import scipy, pandas, numpy; print("scipy", scipy.__version__, "pandas", pandas.__version__, "numpy", numpy.__version__)')"

echo "give-me-some-credit halves, untouched:"
ours_once() { $bench race drift "$gmsc" SeriousDlqin2yrs 2>/dev/null; }
peer_once() { /usr/bin/python3 "$shared/peers/drift.py" "$gmsc" SeriousDlqin2yrs 2>/dev/null; }
interleave "$rounds" ours_once peer_once
$summarize "$work/ours.jsonl" "$work/peer.jsonl" "full report (ours) / every column's statistics (drift.py)|report_s|drift_all_columns_s" "every drift.py statistic (ours) / drift.py|statistics_s|drift_all_columns_s"
untouched=$(head -n 1 "$work/ours.jsonl")

echo
echo "give-me-some-credit halves, MonthlyIncome x 1.2 in the current half:"
ours_once() { $bench race drift "$gmsc" SeriousDlqin2yrs --perturb MonthlyIncome --factor 1.2 2>/dev/null; }
peer_once() { /usr/bin/python3 "$shared/peers/drift.py" "$gmsc" SeriousDlqin2yrs --perturb MonthlyIncome --factor 1.2 2>/dev/null; }
interleave "$rounds" ours_once peer_once
$summarize "$work/ours.jsonl" "$work/peer.jsonl" "full report (ours) / every column's statistics (drift.py)|report_s|drift_all_columns_s"

wide=$($bench race drift-wide 300000 120 2>/dev/null | tail -n 1)
/usr/bin/python3 - "$untouched" "$(head -n 1 "$work/ours.jsonl")" "$(head -n 1 "$work/peer.jsonl")" "$wide" <<'PY'
import json, sys
o, op, pp, w = (json.loads(a) for a in sys.argv[1:])
print(f"halves: {o['n_ref']} / {o['n_cur']} rows, {o['columns_n']} columns")
m, pm = op["columns"]["MonthlyIncome"], pp["columns"]["MonthlyIncome"]
print(f"MonthlyIncome x 1.2: PSI ours {m['psi']:.5f} / drift.py {pm['psi']:.5f}; normed Wasserstein ours {m['statistic']:.5f} / drift.py {pm['wasserstein_norm']:.5f}; drifted: {m['drifted']}")
print(f"untouched: {o['summary']}  perturbed: {op['summary']}")
print(f"generated {w['rows']:,} x {w['columns']}: full report {w['report_s']:.3f} s ({w['summary']})")
PY
race_footer

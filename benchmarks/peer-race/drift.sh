#!/usr/bin/env bash
# Issue 6's figures in one run: the drift report on give-me-some-credit.csv split in halves (as ../shared/peers/drift.py
# splits it), untouched and with MonthlyIncome x 1.2 in the current half, against drift.py's time for the same columns;
# and the report on a generated 300,000 x 120 table.
#
#   bash benchmarks/peer-race/drift.sh
set -euo pipefail
source "$(dirname "$0")/common.sh"
gmsc=$shared/data/give-me-some-credit.csv

peer=$(/usr/bin/python3 "$shared/peers/drift.py" "$gmsc" SeriousDlqin2yrs 2>/dev/null | tail -n 1)
ours=$($bench race drift "$gmsc" SeriousDlqin2yrs 2>/dev/null | tail -n 1)
peer_p=$(/usr/bin/python3 "$shared/peers/drift.py" "$gmsc" SeriousDlqin2yrs --perturb MonthlyIncome --factor 1.2 2>/dev/null | tail -n 1)
ours_p=$($bench race drift "$gmsc" SeriousDlqin2yrs --perturb MonthlyIncome --factor 1.2 2>/dev/null | tail -n 1)
wide=$($bench race drift-wide 300000 120 2>/dev/null | tail -n 1)

/usr/bin/python3 - "$peer" "$ours" "$peer_p" "$ours_p" "$wide" <<'PY'
import json, sys
p, o, pp, op, w = (json.loads(a) for a in sys.argv[1:])
print("| give-me-some-credit halves (%d / %d, %d columns) | ours: full report (s) | ours: every drift.py statistic (s) | drift.py (s) | report ratio |" % (o["n_ref"], o["n_cur"], o["columns_n"]))
print("| --- | ---: | ---: | ---: | ---: |")
for tag, a, b in (("untouched", o, p), ("MonthlyIncome x 1.2", op, pp)):
    print(f"| {tag} | {a['report_s']:.4f} | {a['statistics_s']:.4f} | {b['drift_all_columns_s']:.4f} | {a['report_s'] / b['drift_all_columns_s']:.2f}x |")
m, pm = op["columns"]["MonthlyIncome"], pp["columns"]["MonthlyIncome"]
print(f"MonthlyIncome x 1.2: PSI ours {m['psi']:.5f} / drift.py {pm['psi']:.5f}; normed Wasserstein ours {m['statistic']:.5f} / drift.py {pm['wasserstein_norm']:.5f}; drifted: {m['drifted']}")
print(f"untouched: {o['summary']}  perturbed: {op['summary']}")
print(f"generated {w['rows']:,} x {w['columns']}: full report {w['report_s']:.3f} s ({w['summary']})")
PY

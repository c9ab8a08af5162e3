#!/usr/bin/env bash
# Issue 14, class 9: a logistic fit on many features. Generates ROWS x FEATURES (default 4,454 x 10,000: the bundled
# data's rows, the issue's column count) of numbers, a few informative, and races CreditScoring.Sdk's logistic regression
# (Solver = Auto: L-BFGS past 500 features) against scikit-learn's lbfgs (../shared/peers/logreg.py), back to back, 2
# threads each. Newton's method on the same data is timed too when NEWTON=1 (it needs the features^2 Hessian: about an
# hour at 10,000 features on 2 cores, which is why Auto switches).
#
#   bash benchmarks/peer-race/logreg-wide.sh [ROWS] [FEATURES]
set -euo pipefail
source "$(dirname "$0")/common.sh"
rows=${1:-4454}
features=${2:-10000}
repeats=${REPEATS:-1}
data="$work/wide.csv"

/usr/bin/python3 - "$data" "$rows" "$features" <<'PY'
import sys
import numpy as np
path, n, m = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = np.random.default_rng(14)
x = rng.uniform(-1, 1, size=(n, m))
w = np.zeros(m)
w[:10] = [0.8, -0.6] * 5
p = 1 / (1 + np.exp(-(x @ w - 1.0)))
y = (rng.uniform(size=n) < p).astype(int)
with open(path, "w") as f:
    f.write("y," + ",".join(f"x{j}" for j in range(m)) + "\n")
    for i in range(n):
        f.write(str(y[i]) + "," + ",".join(f"{v:.6f}" for v in x[i]) + "\n")
PY

echo "generated $rows x $features ($(du -h "$data" | cut -f1)); $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"
ours=$($bench race logreg "$data" y --repeats "$repeats" | tail -n 1)
peer=$(/usr/bin/python3 "$shared/peers/logreg.py" "$data" y --repeats "$repeats" --threads 2 2>/dev/null | tail -n 1)
newton=""
if [ "${NEWTON:-0}" = 1 ]; then
  newton=$($bench race logreg "$data" y --repeats 1 --solver newton | tail -n 1)
fi

/usr/bin/python3 - "$ours" "$peer" "$newton" <<'PY'
import json, sys
o, p = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(f"| fit ({o['n_train']} rows) | CreditScoring.Sdk (s) | scikit-learn {p['versions']['sklearn']} lbfgs (s) | ratio ours/peer |")
print("| --- | ---: | ---: | ---: |")
print(f"| pipeline fit | {o['cs_pipeline_train_s']:.4g} | {p['lr_pipeline_train_s']:.4g} | {o['cs_pipeline_train_s'] / p['lr_pipeline_train_s']:.2f} |")
print(f"| solver only | {o['cs_fit_only_s']:.4g} | {p['lr_fit_only_s']:.4g} | {o['cs_fit_only_s'] / p['lr_fit_only_s']:.2f} |")
print(f"test AUC: ours {o['cs_auc']:.6f} ({o['cs_newton_iter']} iterations, to max gradient/weight 1e-10); peer lbfgs {p['lr_auc']:.6f} ({p['lr_n_iter']} iterations, tol 1e-4), peer exact {p['lr_tight_auc']:.6f}")
if sys.argv[3]:
    n = json.loads(sys.argv[3])
    print(f"ours with Solver = Newton: solver {n['cs_fit_only_s']:.4g} s, test AUC {n['cs_auc']:.6f} ({n['cs_newton_iter']} iterations)")
PY

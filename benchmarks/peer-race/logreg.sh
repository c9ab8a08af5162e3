#!/usr/bin/env bash
# Races CreditScoring.Sdk's logistic regression against ../shared/peers/logreg.py (scikit-learn lbfgs),
# back to back in one run, 2 threads each, median of REPEATS runs, and prints the ratios.
#
#   bash benchmarks/peer-race/logreg.sh [DATA.csv TARGET]     (default: give-me-some-credit.csv SeriousDlqin2yrs)
#
# Needs Debian's python3-sklearn (see ../shared/peers/README.md). The peer runs first and saves its test
# rows; we train and test on exactly the same rows, so AUC and log-loss are comparable to the last digit.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
shared=${SHARED:-$root/../shared}
data=${1:-$shared/data/give-me-some-credit.csv}
target=${2:-SeriousDlqin2yrs}
repeats=${REPEATS:-5}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

dotnet build -c Release "$root/benchmarks/CreditScoring.Benchmarks" -v q -nologo >/dev/null
peer=$(/usr/bin/python3 "$shared/peers/logreg.py" "$data" "$target" --repeats "$repeats" --threads 2 --save-coef "$work/logreg.json" 2>/dev/null | tail -n 1)
ours=$(dotnet "$root/benchmarks/CreditScoring.Benchmarks/bin/Release/net10.0/CreditScoring.Benchmarks.dll" race logreg "$data" "$target" --repeats "$repeats" --test-rows "$work/logreg.test_pred.csv" | tail -n 1)

/usr/bin/python3 - "$ours" "$peer" <<'PY'
import json, sys
o, p = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(f"dataset {o['dataset']}: {o['n_train']} train / {o['n_test']} test rows ({o['split']}), 2 threads, median of {o['repeats']}")
print(f"| operation | CreditScoring.Sdk (s) | scikit-learn {p['versions']['sklearn']} (s) | ratio ours/peer |")
print("| --- | ---: | ---: | ---: |")
for label, ok, pk in [("pipeline fit (impute + scale + one-hot + solver)", "cs_pipeline_train_s", "lr_pipeline_train_s"),
                      ("solver only (prepared matrix)", "cs_fit_only_s", "lr_fit_only_s"),
                      ("batch predict (test rows)", "cs_predict_batch_s", "lr_predict_batch_s")]:
    print(f"| {label} | {o[ok]:.4g} | {p[pk]:.4g} | {o[ok] / p[pk]:.2f} |")
print(f"test AUC: ours {o['cs_auc']:.8f} (Newton, {o['cs_newton_iter']} iterations); peer lbfgs {p['lr_auc']:.8f} ({p['lr_n_iter']} iterations), peer exact Newton {p['lr_tight_auc']:.8f}")
print(f"test log-loss: ours {o['cs_logloss']:.8f}; peer lbfgs {p['lr_logloss']:.8f}")
PY

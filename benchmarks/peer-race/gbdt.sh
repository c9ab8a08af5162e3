#!/usr/bin/env bash
# Races CreditScoring.Sdk's gradient boosting against ../shared/peers/gbdt.py (XGBoost hist lossguide and
# scikit-learn HistGradientBoosting), back to back in one run: 31 leaves, learning rate 0.05, 300 rounds,
# 255 bins, 2 threads, the peer's stratified 80/20 split (seed 42), median of REPEATS runs; prints ratios,
# then checks our model exported to XGBoost JSON in XGBoost itself (benchmarks/interop/xgb_check.py).
#
#   bash benchmarks/peer-race/gbdt.sh [DATA.csv TARGET [--drop COL]...]
#   (default: give-me-some-credit.csv SeriousDlqin2yrs; Home Credit: home-credit-sample.csv TARGET --drop SK_ID_CURR)
#
# Needs Debian's python3-xgboost and python3-sklearn (see ../shared/peers/README.md).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
shared=${SHARED:-$root/../shared}
data=${1:-$shared/data/give-me-some-credit.csv}
target=${2:-SeriousDlqin2yrs}
shift $(( $# >= 2 ? 2 : $# ))
repeats=${REPEATS:-3}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

dotnet build -c Release "$root/benchmarks/CreditScoring.Benchmarks" -v q -nologo >/dev/null
peer=$(/usr/bin/python3 "$shared/peers/gbdt.py" "$data" "$target" "$@" --repeats "$repeats" --threads 2 --save-model "$work/xgb.json" 2>/dev/null | tail -n 1)
ours=$(dotnet "$root/benchmarks/CreditScoring.Benchmarks/bin/Release/net10.0/CreditScoring.Benchmarks.dll" race gbdt "$data" "$target" "$@" --repeats "$repeats" --test-rows "$work/xgb.test_pred.csv" --export "$work/export" | tail -n 1)

/usr/bin/python3 - "$ours" "$peer" <<'PY'
import json, sys
o, p = json.loads(sys.argv[1]), json.loads(sys.argv[2])
v = p["versions"]
print(f"dataset {o['dataset']}: {o['n_train']} train / {o['n_test']} test rows ({o['split']}), 2 threads, median of {o['repeats']}")
print(f"| operation | CreditScoring.Sdk | XGBoost {v['xgboost']} | sklearn {v['sklearn']} HistGB | ours / XGBoost |")
print("| --- | ---: | ---: | ---: | ---: |")
print(f"| train 300 rounds (s) | {o['cs_train_s']:.4g} | {p['xgb_train_s']:.4g} | {p.get('hgb_train_s', float('nan')):.4g} | {o['cs_train_s'] / p['xgb_train_s']:.2f} |")
n = o['n_test']
print(f"| batch predict, us/row (1 thread ours, 2 threads XGBoost) | {o['cs_predict_matrix_s'] / n * 1e6:.3g} | {p['xgb_predict_batch_s'] / n * 1e6:.3g} | {p.get('hgb_predict_batch_s', float('nan')) / n * 1e6:.3g} | {o['cs_predict_matrix_s'] / p['xgb_predict_batch_s']:.2f} |")
print(f"| single row p50 (us) | {o['cs_row_latency_us_median']:.3g} | {p['xgb_row_latency_us_median']:.3g} | | {o['cs_row_latency_us_median'] / p['xgb_row_latency_us_median']:.2f} |")
print(f"| test AUC | {o['cs_auc']:.6f} | {p['xgb_auc']:.6f} | {p.get('hgb_auc', float('nan')):.6f} | |")
print(f"| test log-loss | {o['cs_logloss']:.6f} | {p['xgb_logloss']:.6f} | {p.get('hgb_logloss', float('nan')):.6f} | |")
print(f"trees {o['cs_trees']}, mean leaves {o['cs_mean_leaves']:.1f}, mean leaf depth {o['cs_mean_leaf_depth']:.2f}")
PY
if grep -q '"cs_xgb_exportable":true' <<<"$ours"; then
  /usr/bin/python3 "$root/benchmarks/interop/xgb_check.py" "$work/export"
else
  echo "XGBoost export check skipped: the model has categorical splits, which XGBoost JSON export does not carry."
fi

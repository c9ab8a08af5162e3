#!/usr/bin/env bash
# Races CreditScoring.Sdk's gradient boosting against ../shared/peers/gbdt.py (XGBoost hist lossguide; scikit-learn
# HistGradientBoosting once, for the table): 31 leaves, learning rate 0.05, 300 rounds, 255 bins, 2 threads, the peer's
# stratified 80/20 split (seed 42). Interleaved: REPEATS rounds (default 5) of ours then XGBoost, each round the median
# of INNER fits in one process (default 1); prints the medians over the rounds with their spread and the ratios, then
# checks our model exported to XGBoost JSON in XGBoost itself (benchmarks/interop/xgb_check.py).
#
#   bash benchmarks/peer-race/gbdt.sh [DATA.csv TARGET [--drop COL]...]
#   (default: give-me-some-credit.csv SeriousDlqin2yrs; Home Credit: home-credit-sample.csv TARGET --drop SK_ID_CURR)
#
# Needs Debian's python3-xgboost and python3-sklearn (see ../shared/peers/README.md). OMP_WAIT_POLICY is passed through
# as set and printed (XGBoost spins its OpenMP threads unless it is PASSIVE). Refuses when the load average at the
# start is above 1, unless FORCE=1.
set -euo pipefail
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
source "$(dirname "$0")/common.sh"
data=${1:-$shared/data/give-me-some-credit.csv}
target=${2:-SeriousDlqin2yrs}
shift $(( $# >= 2 ? 2 : $# ))
rounds=${REPEATS:-5}
inner=${INNER:-1}

race_header "$(/usr/bin/python3 -c 'import xgboost, sklearn; print("xgboost", xgboost.__version__, "scikit-learn", sklearn.__version__)'); OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-unset}"
# Once: the peer saves its model and test rows (and times HistGradientBoosting, for the table).
first=$(/usr/bin/python3 "$shared/peers/gbdt.py" "$data" "$target" "$@" --repeats 1 --threads 2 --save-model "$work/xgb.json" 2>/dev/null | tail -n 1)
ours_once() { $bench race gbdt "$data" "$target" "$@" --repeats "$inner" --test-rows "$work/xgb.test_pred.csv" --export "$work/export"; }
peer_once() { /usr/bin/python3 "$shared/peers/gbdt.py" "$data" "$target" "$@" --repeats "$inner" --threads 2 --skip-hgb 2>/dev/null; }
interleave_args() { # interleave, passing the data set's extra arguments (--drop ...) through
  : >"$work/ours.jsonl"; : >"$work/peer.jsonl"
  for _ in $(seq 1 "$rounds"); do
    ours_once "$@" | tail -n 1 >>"$work/ours.jsonl"
    peer_once "$@" | tail -n 1 >>"$work/peer.jsonl"
  done
}
interleave_args "$@"

/usr/bin/python3 - "$(head -n 1 "$work/ours.jsonl")" "$(head -n 1 "$work/peer.jsonl")" "$first" <<'PY'
import json, sys
o, p, f = (json.loads(a) for a in sys.argv[1:])
print(f"dataset {o['dataset']}: {o['n_train']} train / {o['n_test']} test rows ({o['split']}), 2 threads, rounds of {o['repeats']}")
print(f"scikit-learn HistGradientBoosting (one fit, before the rounds): train {f.get('hgb_train_s', float('nan')):.4g} s, test AUC {f.get('hgb_auc', float('nan')):.6f}")
PY
/usr/bin/python3 "$root/benchmarks/peer-race/summarize.py" "$work/ours.jsonl" "$work/peer.jsonl" \
  "train 300 rounds, 2 threads (XGBoost)|cs_train_s|xgb_train_s" \
  "batch predict, test rows (1 thread ours, 2 threads XGBoost)|cs_predict_matrix_s|xgb_predict_batch_s"
/usr/bin/python3 - "$(head -n 1 "$work/ours.jsonl")" "$(head -n 1 "$work/peer.jsonl")" <<'PY'
import json, sys
o, p = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(f"single row p50: ours {o['cs_row_latency_us_median']:.3g} us, XGBoost {p['xgb_row_latency_us_median']:.3g} us")
print(f"test AUC: ours {o['cs_auc']:.6f}, XGBoost {p['xgb_auc']:.6f}; test log-loss: ours {o['cs_logloss']:.6f}, XGBoost {p['xgb_logloss']:.6f}")
print(f"trees {o['cs_trees']}, mean leaves {o['cs_mean_leaves']:.1f}, mean leaf depth {o['cs_mean_leaf_depth']:.2f}")
PY
if grep -q '"cs_xgb_exportable":true' "$work/ours.jsonl"; then
  /usr/bin/python3 "$root/benchmarks/interop/xgb_check.py" "$work/export"
else
  echo "XGBoost export check skipped: the model has categorical splits, which XGBoost JSON export does not carry."
fi
race_footer

#!/usr/bin/env bash
# The GBDT race of the ML.NET/ONNX issue: our gradient boosting, ML.NET's LightGBM trainer (LightGbmBinaryTrainer set
# to LightGBM's own defaults where ML.NET's differ, see benchmarks/CreditScoring.Benchmarks/LightGbmRace.cs) and
# XGBoost (../shared/peers/gbdt.py, hist lossguide), all with 31 leaves, learning rate 0.05, 300 rounds, 255 bins,
# on the same stratified 80/20 split (XGBoost's, seed 42), at 1 and at 2 threads, interleaved: each repetition runs
# ours and ML.NET's (one process, each after a 5-round warm-up) and then XGBoost, REPEATS times; prints the medians and
# the spread, the ratios, the test AUCs, and scoring per row (ours against LightGBM's own predictor, one thread).
#
#   bash benchmarks/peer-race/lightgbm.sh                       (give-me-some-credit, then the Home Credit sample)
#   REPEATS=5 THREADS="1 2" bash benchmarks/peer-race/lightgbm.sh
#
# OMP_WAIT_POLICY is passed through as set (LightGBM and XGBoost spin their OpenMP threads unless it is PASSIVE); the
# script prints it. Needs Debian's python3-xgboost and python3-sklearn. Refuses to report ratios when the 1-minute load
# average at the start is above 1, unless FORCE=1.
set -euo pipefail
# The load before anything here runs: common.sh builds the benchmarks, which would count against the machine.
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
load=${load_before%% *}
source "$(dirname "$0")/common.sh"
repeats=${REPEATS:-5}
thread_counts=${THREADS:-"1 2"}
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; .NET $(dotnet --version); $(/usr/bin/python3 -c 'import xgboost, sklearn; print("xgboost", xgboost.__version__, "sklearn", sklearn.__version__)'); ML.NET 6.0.0 (LightGBM 4.6.0); OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-unset}"
echo "load before: $load_before"
if [ "${FORCE:-0}" != 1 ] && /usr/bin/python3 -c "import sys; sys.exit(0 if float('$load') > 1 else 1)"; then
  echo "the load average is $load (> 1): the ratios would not mean much; run on a quiet machine or set FORCE=1" >&2
  exit 1
fi

race() { # $1 data file, $2 target, rest: --drop COL...
  local data=$1 target=$2; shift 2
  /usr/bin/python3 "$shared/peers/gbdt.py" "$data" "$target" "$@" --repeats 1 --threads 1 --skip-hgb --save-model "$work/split.json" >/dev/null 2>&1
  for threads in $thread_counts; do
    : >"$work/ours.jsonl"; : >"$work/xgb.jsonl"
    for _ in $(seq 1 "$repeats"); do
      $bench race lightgbm "$data" "$target" --threads "$threads" --test-rows "$work/split.test_pred.csv" "$@" | tail -n 1 >>"$work/ours.jsonl"
      /usr/bin/python3 "$shared/peers/gbdt.py" "$data" "$target" "$@" --repeats 1 --threads "$threads" --skip-hgb 2>/dev/null | tail -n 1 >>"$work/xgb.jsonl"
    done
    /usr/bin/python3 - "$work/ours.jsonl" "$work/xgb.jsonl" <<'PY'
import json, statistics, sys
o = [json.loads(l) for l in open(sys.argv[1])]
x = [json.loads(l) for l in open(sys.argv[2])]
def m(rows, key): v = sorted(r[key] for r in rows); return statistics.median(v), v[0], v[-1]
ct, mt, xt = m(o, "cs_train_s"), m(o, "mlnet_train_s"), m(x, "xgb_train_s")
cp, lp = m(o, "cs_predict_us_row"), m(o, "lgbm_predict_us_row")
h = o[0]
print(f"{h['dataset']}: {h['n_train']} train / {h['n_test']} test rows, {h['features']} features, {h['threads']} thread(s), {len(o)} interleaved repetitions")
print("| | ours | ML.NET LightGBM | XGBoost | ours / LightGBM | ours / XGBoost |")
print("| --- | ---: | ---: | ---: | ---: | ---: |")
print(f"| train, median s (min-max) | {ct[0]:.3f} ({ct[1]:.3f}-{ct[2]:.3f}) | {mt[0]:.3f} ({mt[1]:.3f}-{mt[2]:.3f}) | {xt[0]:.3f} ({xt[1]:.3f}-{xt[2]:.3f}) | {ct[0] / mt[0]:.2f} | {ct[0] / xt[0]:.2f} |")
print(f"| test AUC | {o[0]['cs_auc']:.4f} | {o[0]['mlnet_auc']:.4f} | {x[0]['xgb_auc']:.4f} | {o[0]['cs_auc'] - o[0]['mlnet_auc']:+.4f} | |")
print(f"| scoring, us per row, 1 thread (LightGBM: its own predictor) | {cp[0]:.3f} | {lp[0]:.3f} | | {cp[0] / lp[0]:.2f} | |")
PY
  done
}

race "$shared/data/give-me-some-credit.csv" SeriousDlqin2yrs
race "$shared/data/home-credit-sample.csv" TARGET --drop SK_ID_CURR
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

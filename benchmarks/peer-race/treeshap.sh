#!/usr/bin/env bash
# Races our exact path-dependent TreeSHAP against XGBoost's pred_contribs (../shared/peers/treeshap.py) on the SAME
# trees: our gbdt race model (give-me-some-credit, 300 rounds, 31 leaves, trained on gbdt.py's training rows) exported
# to XGBoost JSON and explained by XGBoost, on the first 10,000 rows of gbdt.py's test split, 2 threads. Ours and the
# peer alternate REPEATS times (interleaved); prints the medians, the ratios and the largest difference between the two
# explanations of the first 100 rows.
#
#   bash benchmarks/peer-race/treeshap.sh [DATA.csv TARGET]
#
# Needs Debian's python3-xgboost (see ../shared/peers/README.md).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
shared=${SHARED:-$root/../shared}
data=${1:-$shared/data/give-me-some-credit.csv}
target=${2:-SeriousDlqin2yrs}
repeats=${REPEATS:-3}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
dotnet build -c Release "$root/benchmarks/CreditScoring.Benchmarks" -v q -nologo >/dev/null
# gbdt.py only fixes the split (its saved test rows); its timings are not used here.
/usr/bin/python3 "$shared/peers/gbdt.py" "$data" "$target" --repeats 1 --threads 2 --save-model "$work/xgb.json" >/dev/null 2>&1
for i in $(seq 1 "$repeats"); do
  dotnet "$root/benchmarks/CreditScoring.Benchmarks/bin/Release/net10.0/CreditScoring.Benchmarks.dll" race treeshap "$data" "$target" \
    --test-rows "$work/xgb.test_pred.csv" --export "$work/export" --rows 10000 --repeats 3 | tail -n 1 >>"$work/ours.jsonl"
  /usr/bin/python3 "$shared/peers/treeshap.py" "$data" "$target" --model "$work/export/ours.xgb.json" --threads 2 --rows 10000 --repeats 3 \
    --save-contribs "$work/xgb_contribs.csv" --n-save 100 2>/dev/null | tail -n 1 >>"$work/peer.jsonl"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

/usr/bin/python3 - "$work" <<'PY'
import json, statistics, sys, os
import numpy as np, pandas as pd
w = sys.argv[1]
ours = [json.loads(l) for l in open(os.path.join(w, "ours.jsonl"))]
peer = [json.loads(l) for l in open(os.path.join(w, "peer.jsonl"))]
def med(rows, key): return statistics.median(r[key] for r in rows)
def spread(rows, key): return f"{min(r[key] for r in rows):.4g}-{max(r[key] for r in rows):.4g}"
o0, p0 = ours[0], peer[0]
print(f"dataset {o0['dataset']}: {o0['n_train']} train rows, {o0['cs_trees']} trees, mean leaf depth {o0['cs_mean_leaf_depth']:.2f} (max {o0['cs_max_leaf_depth']}), "
      f"{o0['cs_leaves_tabulated']} leaves tabulated, {o0['cs_leaves_on_the_fly']} on the fly, {o0['shap_rows']} rows explained, {len(ours)} interleaved runs; XGBoost {p0['versions']['xgboost']}")
print("| TreeSHAP, same trees | CreditScoring.Sdk (median, range) | XGBoost pred_contribs (median, range) | ours / XGBoost |")
print("| --- | ---: | ---: | ---: |")
b_o, b_p = med(ours, "cs_shap_batch_us_per_row"), med(peer, "shap_batch_us_per_row")
print(f"| batch of {o0['shap_rows']}, 2 threads, us/row | {b_o:.4g} ({spread(ours, 'cs_shap_batch_us_per_row')}) | {b_p:.4g} ({spread(peer, 'shap_batch_us_per_row')}) | {b_o / b_p:.3f} |")
r_o, r_p = med(ours, "cs_shap_row_us_median"), med(peer, "shap_row_us_median")
print(f"| one row, us (median of 100 rows) | {r_o:.4g} ({spread(ours, 'cs_shap_row_us_median')}) | {r_p:.4g} ({spread(peer, 'shap_row_us_median')}) | {r_o / r_p:.3f} |")
print(f"ours: {med(ours, 'cs_shap_row_bytes'):.0f} bytes allocated per row explained; model-level explainer (inputs, reasons, standing) on the batch: {med(ours, 'cs_explainer_batch_s'):.3f} s")
a = pd.read_csv(os.path.join(w, "export", "ours.contribs.csv"))
b = pd.read_csv(os.path.join(w, "xgb_contribs.csv"))
cols = [c for c in a.columns if c != "bias"]
diff = np.max(np.abs(a[cols].to_numpy() - b[cols].to_numpy()))
print(f"largest |ours - XGBoost| contribution over the first 100 rows: {diff:.3g}; bias {np.max(np.abs(a['bias'].to_numpy() - b['bias'].to_numpy())):.3g}")
PY

"""Loads a CreditScoring.Sdk model exported to XGBoost JSON into Debian's python3-xgboost and compares
its predictions with ours on the same rows.

    /usr/bin/python3 benchmarks/interop/xgb_check.py DIR

DIR holds what `CreditScoring.Benchmarks race gbdt ... --export DIR` writes: ours.xgb.json (the model),
ours.test.csv (the test rows' features, empty = missing, and our margin). Prints the largest absolute
difference of margins and of probabilities, and exits non-zero when probabilities differ by more than
1e-6 (XGBoost scores in float32; we score in float64).
"""
import sys

import numpy as np
import pandas as pd
import xgboost as xgb

d = sys.argv[1]
rows = pd.read_csv(f"{d}/ours.test.csv")
ours = rows.pop("margin").to_numpy()
booster = xgb.Booster(model_file=f"{d}/ours.xgb.json")
theirs = booster.inplace_predict(rows.to_numpy(dtype=np.float64), predict_type="margin").astype(np.float64)
sig = lambda m: 1 / (1 + np.exp(-m))
dm = np.max(np.abs(theirs - ours))
dp = np.max(np.abs(sig(theirs) - sig(ours)))
print(f"xgboost {xgb.__version__} on {len(ours)} rows, {booster.num_boosted_rounds()} trees: "
      f"max |margin diff| {dm:.3g}, max |probability diff| {dp:.3g}")
sys.exit(0 if dp <= 1e-6 else 1)

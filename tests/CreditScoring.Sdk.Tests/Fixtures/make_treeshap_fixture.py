"""XGBoost's own TreeSHAP (pred_contribs) on our GBDT, the reference TreeShapXGBoostTests compares against.

    dotnet run eng/fixtures/TreeShapFixture.cs -- tests/CreditScoring.Sdk.Tests/Fixtures
    /usr/bin/python3 tests/CreditScoring.Sdk.Tests/Fixtures/make_treeshap_fixture.py

The first command trains our gradient-boosted trees on the MIT credit data (samples/data, seed 42, one-hot
categories, 40 trees of 15 leaves), exports them to XGBoost JSON (treeshap_gbdt.xgb.json, covers as sum_hessian)
and writes the feature rows of the test split (treeshap_rows.csv). This script loads that JSON into XGBoost
(Debian's python3-xgboost) and writes, per row, every feature's contribution, the bias and XGBoost's margin
(treeshap_xgb_contribs.csv). No Kaggle data goes into the fixture.
"""
import os

import numpy as np
import pandas as pd
import xgboost as xgb

HERE = os.path.dirname(os.path.abspath(__file__))
rows = pd.read_csv(os.path.join(HERE, "treeshap_rows.csv"))
booster = xgb.Booster(model_file=os.path.join(HERE, "treeshap_gbdt.xgb.json"))
dm = xgb.DMatrix(rows.to_numpy(dtype=np.float64), missing=np.nan, feature_names=list(rows.columns))
contribs = booster.predict(dm, pred_contribs=True).astype(np.float64)
margin = booster.predict(dm, output_margin=True).astype(np.float64)
out = pd.DataFrame(contribs[:, :-1], columns=rows.columns)
out["bias"] = contribs[:, -1]
out["margin"] = margin
out.to_csv(os.path.join(HERE, "treeshap_xgb_contribs.csv"), index=False, float_format="%.9g")
print(f"xgboost {xgb.__version__}: {len(rows)} rows, max |sum - margin| = {np.max(np.abs(contribs.sum(1) - margin)):.3g}")

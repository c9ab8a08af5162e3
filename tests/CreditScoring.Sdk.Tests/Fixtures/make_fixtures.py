"""Regenerates the reference numbers the C# tests compare against (scikit-learn / scipy).

    /usr/bin/python3 tests/CreditScoring.Sdk.Tests/Fixtures/make_fixtures.py ../shared

Needs Debian's python3-sklearn/scipy/pandas (see ../shared/peers/README.md). Uses only the MIT
data in samples/data/ and seeded synthetic data: no Kaggle data goes into these fixtures.

Writes, next to this script:
  logreg_credit.json / logreg_credit.test_pred.csv  ../shared/peers/logreg.py --save-coef on
                                                    modeldata-credit-data.csv (exact-Newton "tight")
  metrics.json      sklearn/scipy metrics on (a) the logreg test probabilities and (b) synthetic
                    scores with heavy ties and sample weights
  logreg_l1.json    L1-penalised logistic regression (sklearn saga, tol 1e-12) on the standardised
                    numeric columns of modeldata-credit-data.csv
  xgb_credit.json / .meta.json / .test_pred.csv
                    ../shared/peers/gbdt.py --rounds 60 --save-model on modeldata-credit-data.csv
                    (XGBoost 1.7.4 hist, 31 leaves, eta 0.05; categories as ordinal codes)
"""
import json
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import sklearn
import scipy
from scipy.stats import ks_2samp
from sklearn.calibration import calibration_curve
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (brier_score_loss, confusion_matrix, f1_score, log_loss,
                             precision_recall_curve, precision_score, recall_score,
                             roc_auc_score, roc_curve)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
SHARED = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "..", "shared"))
DATA = os.path.join(ROOT, "samples", "data", "modeldata-credit-data.csv")


def f(x):
    return [float(v) for v in x]


def metric_block(y, s, w=None, threshold=0.5):
    fpr, tpr, thr = roc_curve(y, s, sample_weight=w)
    prec, rec, pthr = precision_recall_curve(y, s, sample_weight=w)
    pred = (s >= threshold).astype(int)
    tn, fp, fn, tp = confusion_matrix(y, pred, sample_weight=w, labels=[0, 1]).ravel()
    out = {
        "threshold": threshold,
        "auc": roc_auc_score(y, s, sample_weight=w),
        "roc_fpr": f(fpr), "roc_tpr": f(tpr), "roc_thresholds": f(thr[1:]),
        "pr_precision": f(prec), "pr_recall": f(rec), "pr_thresholds": f(pthr),
        "confusion": {"tp": float(tp), "fp": float(fp), "tn": float(tn), "fn": float(fn)},
        "precision": precision_score(y, pred, sample_weight=w, zero_division=0),
        "recall": recall_score(y, pred, sample_weight=w, zero_division=0),
        "f1": f1_score(y, pred, sample_weight=w, zero_division=0),
    }
    if w is None:
        out["ks"] = ks_2samp(s[y == 1], s[y == 0]).statistic
        if s.min() >= 0 and s.max() <= 1:
            out["brier"] = brier_score_loss(y, s)
            out["log_loss"] = log_loss(y, s)
            for strategy in ("uniform", "quantile"):
                pt, pp = calibration_curve(y, s, n_bins=10, strategy=strategy)
                out["calibration_" + strategy] = {"observed": f(pt), "predicted": f(pp)}
    else:
        out["brier"] = brier_score_loss(y, s, sample_weight=w)
        out["log_loss"] = log_loss(y, s, sample_weight=w)
    return out


def main():
    peers = os.path.join(SHARED, "peers")
    subprocess.run(["/usr/bin/python3", os.path.join(peers, "logreg.py"), DATA, "default", "--repeats", "1",
                    "--save-coef", os.path.join(HERE, "logreg_credit.json")], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["/usr/bin/python3", os.path.join(peers, "gbdt.py"), DATA, "default", "--repeats", "1", "--skip-hgb",
                    "--rounds", "60", "--save-model", os.path.join(HERE, "xgb_credit.json")], check=True, stdout=subprocess.DEVNULL)

    pred = pd.read_csv(os.path.join(HERE, "logreg_credit.test_pred.csv"))
    y = pred["y"].to_numpy().astype(int)
    s = pred["prob_tight"].to_numpy()
    rng = np.random.default_rng(42)
    n = 2000
    y2 = (rng.random(n) < 0.15).astype(int)
    s2 = np.round(np.clip(0.15 + 0.2 * y2 + rng.normal(0, 0.15, n), 0, 1), 2)   # heavy ties
    w2 = rng.choice([0.0, 0.5, 1.0, 2.0, 3.5], size=n)
    metrics = {
        "versions": {"sklearn": sklearn.__version__, "scipy": scipy.__version__, "numpy": np.__version__},
        "credit_test": dict(metric_block(y, s), rows=[int(r) for r in pred["row"]], y=[int(v) for v in y], scores=f(s)),
        "ties": dict(metric_block(y2, s2, threshold=0.3), y=[int(v) for v in y2], scores=f(s2)),
        "ties_weighted": dict(metric_block(y2, s2, w2, threshold=0.3), weights=f(w2)),
    }
    with open(os.path.join(HERE, "metrics.json"), "w") as fh:
        json.dump(metrics, fh, indent=1)

    df = pd.read_csv(DATA)
    nums = ["Seniority", "Time", "Age", "Expenses", "Income", "Assets", "Debt", "Amount", "Price"]
    X = df[nums].to_numpy(dtype=float)
    X = np.where(np.isnan(X), np.nanmedian(X, axis=0), X)
    Z = (X - X.mean(axis=0)) / X.std(axis=0)
    yy = df["default"].to_numpy().astype(int)
    l1 = {}
    for C in (0.01, 0.002):
        lr = LogisticRegression(penalty="l1", C=C, solver="saga", tol=1e-12, max_iter=200000).fit(Z, yy)
        l1[str(C)] = {"l1_regularization": 1 / C, "intercept": float(lr.intercept_[0]),
                      "coef": dict(zip(nums, f(lr.coef_[0]))), "n_iter": int(lr.n_iter_[0])}
    with open(os.path.join(HERE, "logreg_l1.json"), "w") as fh:
        json.dump({"data": "modeldata-credit-data.csv, numeric columns, median-imputed and standardised on all rows",
                   "objective": "sum(logloss) + (1/C)*||w||_1, intercept unpenalised",
                   "fits": l1}, fh, indent=1)


if __name__ == "__main__":
    main()

"""Reference numbers for resampling, calibration and decision thresholds (imbalanced-learn,
scikit-learn, ../shared/peers/threshold.py), on seeded synthetic data only.

    /usr/bin/python3 tests/CreditScoring.Sdk.Tests/Fixtures/make_imbalance_fixtures.py ../shared

Writes, next to this script:
  imbalance_synth.csv      800 rows: x0..x3 continuous (no ties), c in {a,b,c}, y (~12 % positive)
  imbalance_counts.json    class counts after each imbalanced-learn sampler / strategy
  imbalance_oof.csv        6,000 synthetic out-of-fold rows (y, prob, loan) for threshold tests
  imbalance_threshold.json threshold.py --oof imbalance_oof.csv --fn-cost 10 --fp-cost 1 (and 5/1)
  imbalance_calibration.json  sklearn Platt (_sigmoid_calibration) and isotonic fits on the OOF rows
"""
import json
import os
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
SHARED = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "..", "shared"))


def synth():
    rng = np.random.default_rng(7)
    n = 800
    x = rng.normal(size=(n, 4)) * [1.0, 2.0, 0.5, 3.0] + [0, 1, 2, 3]
    c = rng.choice(["a", "b", "c"], size=n, p=[0.5, 0.3, 0.2])
    logit = -2.6 + 1.1 * x[:, 0] - 0.4 * x[:, 1] + 0.8 * (c == "c")
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    df = pd.DataFrame({"x0": x[:, 0], "x1": x[:, 1], "x2": x[:, 2], "x3": x[:, 3], "c": c, "y": y})
    df.to_csv(os.path.join(HERE, "imbalance_synth.csv"), index=False, float_format="%.17g")
    return df


def counts(df):
    from imblearn.over_sampling import ADASYN, SMOTE, SMOTENC, BorderlineSMOTE, RandomOverSampler
    from imblearn.under_sampling import RandomUnderSampler
    X = df[["x0", "x1", "x2", "x3"]].to_numpy()
    y = df["y"].to_numpy()
    codes = pd.Categorical(df["c"], categories=["a", "b", "c"]).codes.astype(float)
    Xc = np.column_stack([X, codes])
    runs = {
        "smote_auto": (SMOTE(random_state=42), X),
        "smote_ratio_0.5": (SMOTE(sampling_strategy=0.5, random_state=42), X),
        "smote_counts_1_300": (SMOTE(sampling_strategy={1: 300}, random_state=42), X),
        "borderline1_auto": (BorderlineSMOTE(random_state=42), X),
        "adasyn_auto": (ADASYN(random_state=42), X),
        "smotenc_auto": (SMOTENC(categorical_features=[4], random_state=42), Xc),
        "over_ratio_0.4": (RandomOverSampler(sampling_strategy=0.4, random_state=42), X),
        "under_auto": (RandomUnderSampler(random_state=42), X),
        "under_ratio_0.5": (RandomUnderSampler(sampling_strategy=0.5, random_state=42), X),
    }
    out = {"before": np.bincount(y).tolist()}
    for k, (s, data) in runs.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _, yr = s.fit_resample(data, y)
        out[k] = np.bincount(yr).tolist()
    import imblearn
    out["versions"] = {"imblearn": imblearn.__version__}
    with open(os.path.join(HERE, "imbalance_counts.json"), "w") as fh:
        json.dump(out, fh, indent=1)


def oof():
    rng = np.random.default_rng(11)
    n = 6000
    y = (rng.random(n) < 0.08).astype(int)
    # scores: separable-ish, rounded to 4 decimals so that ties occur
    z = rng.normal(size=n) + 1.4 * y
    prob = np.round(1 / (1 + np.exp(-(z * 1.2 - 3.2))), 4)
    loan = np.round(rng.uniform(1000, 20000, size=n), 0)
    path = os.path.join(HERE, "imbalance_oof.csv")
    pd.DataFrame({"y": y, "prob": prob, "loan": loan}).to_csv(path, index=False, float_format="%.4f")
    res = {}
    for fn, fp in ((10, 1), (5, 1)):
        r = subprocess.run(["/usr/bin/python3", os.path.join(SHARED, "peers", "threshold.py"), "--oof", path,
                            "--fn-cost", str(fn), "--fp-cost", str(fp), "--repeats", "1"],
                           capture_output=True, text=True, check=True)
        res["fn%d_fp%d" % (fn, fp)] = json.loads(r.stdout.strip().splitlines()[-1])
    with open(os.path.join(HERE, "imbalance_threshold.json"), "w") as fh:
        json.dump(res, fh, indent=1)
    return y, prob


def calibration(y, prob):
    from sklearn.calibration import _sigmoid_calibration
    from sklearn.isotonic import IsotonicRegression
    margin = np.log(np.clip(prob, 1e-12, 1 - 1e-12) / (1 - np.clip(prob, 1e-12, 1 - 1e-12)))
    a, b = _sigmoid_calibration(margin, y)
    iso = IsotonicRegression(out_of_bounds="clip", y_min=0, y_max=1).fit(prob, y)
    grid = np.linspace(0, 1, 41)
    out = {"platt_a": float(a), "platt_b": float(b),
           "isotonic_grid": grid.tolist(), "isotonic_values": iso.predict(grid).tolist()}
    with open(os.path.join(HERE, "imbalance_calibration.json"), "w") as fh:
        json.dump(out, fh, indent=1)


if __name__ == "__main__":
    counts(synth())
    calibration(*oof())

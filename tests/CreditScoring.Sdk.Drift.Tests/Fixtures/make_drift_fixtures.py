"""Reference drift statistics from ../shared/peers/drift.py (its own numeric_stats / categorical_stats,
imported, at full precision) and SciPy, on MIT data and seeded synthetic data only.

    /usr/bin/python3 tests/CreditScoring.Sdk.Drift.Tests/Fixtures/make_drift_fixtures.py ../shared

Writes, next to this script:
  drift_samples.json   the synthetic samples (numbers as shortest round-trip text) and, per case, drift.py's
                       statistics (psi, psi_ew, ks_stat, ks_p, ks_method, wasserstein_norm, js) plus
                       scipy's wasserstein_distance, ks_2samp in "exact" and "asymp" modes where they apply
  drift_credit.json    drift.py on samples/data/modeldata-credit-data.csv: first half vs second half (as
                       drift.py splits), numeric and categorical columns, and with Income x 1.2
  drift_ztest.json     two-proportion z-tests (pooled), p = 2 * norm.sf(|z|)
"""
import json
import os
import sys
import warnings

import numpy as np
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
SHARED = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "..", "shared"))
sys.path.insert(0, os.path.join(SHARED, "peers"))
import drift  # noqa: E402
from scipy.stats import ks_2samp, norm, wasserstein_distance  # noqa: E402


def clean(d):
    out = {}
    for k, v in d.items():
        if isinstance(v, (np.floating, float)):
            out[k] = None if np.isnan(v) else float(v)
        elif isinstance(v, (np.integer,)):
            out[k] = int(v)
        else:
            out[k] = v
    return out


def ks_modes(r, c):
    res = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for mode in ("exact", "asymp"):
            if mode == "exact" and max(len(r), len(c)) > 13000:
                continue
            k = ks_2samp(r, c, method=mode)
            res["ks_" + mode] = [float(k.statistic), float(k.pvalue)]
    return res


def samples():
    rng = np.random.default_rng(2026)
    cases = []

    def add(name, r, c):
        st = clean(drift.numeric_stats(r, c))
        rr, cc = r[~np.isnan(r)], c[~np.isnan(c)]
        st.update(ks_modes(rr, cc))
        st["wasserstein"] = float(wasserstein_distance(rr, cc))
        cases.append({"name": name, "reference": [repr(float(x)) for x in r], "current": [repr(float(x)) for x in c], "stats": st})

    def r5(x):  # short decimal text that parses to the same double everywhere
        return np.round(x, 5)

    add("normal-300-500-shift", r5(rng.normal(0, 1, 300)), r5(rng.normal(0.3, 1, 500)))
    add("normal-400-400-same", r5(rng.normal(0, 1, 400)), r5(rng.normal(0, 1, 400)))
    add("normal-250-600-small-shift", r5(rng.normal(0, 1, 250)), r5(rng.normal(0.05, 1.1, 600)))
    add("discrete-with-missing", np.where(rng.random(700) < 0.1, np.nan, rng.integers(0, 6, 700).astype(float)),
        np.where(rng.random(900) < 0.2, np.nan, rng.integers(0, 7, 900).astype(float)))
    add("asymp-12000-15000-shift", r5(rng.normal(0, 1, 12000)), r5(rng.normal(0.04, 1, 15000)))     # 2 x smirnov
    add("asymp-11000-10500-tiny", r5(rng.normal(0, 1, 11000)), r5(rng.normal(0.01, 1, 10500)))      # Pelz-Good
    base = r5(rng.normal(0, 1, 12000))
    near = base.copy()
    near[:3] += 10.0
    add("asymp-12000-12000-nearly-identical", base, near)                                          # Durbin matrix, large n
    add("asymp-60-20000-shift", r5(rng.normal(0, 1, 60)), r5(rng.normal(0.5, 1, 20000)))            # n <= 140, 2 x smirnov
    add("asymp-100-15000-same", r5(rng.normal(0, 1, 100)), r5(rng.normal(0, 1, 15000)))             # n <= 140, Durbin
    add("asymp-80-15000-moderate", r5(rng.normal(0, 1, 80)), r5(rng.normal(0.22, 1, 15000)))        # n <= 140, Pomeranz
    add("asymp-130-12000-strong", r5(rng.normal(0, 1, 130)), r5(rng.normal(1.6, 1, 12000)))         # x >= 0.5
    add("asymp-15000-11000-lognormal", r5(rng.lognormal(0, 1, 15000)), r5(rng.lognormal(0.2, 1, 11000)))
    add("constant-reference", np.full(200, 3.0), r5(rng.normal(3, 1, 300)))
    with open(os.path.join(HERE, "drift_samples.json"), "w") as fh:
        json.dump(cases, fh)


def credit():
    df = pd.read_csv(os.path.join(ROOT, "samples", "data", "modeldata-credit-data.csv"))
    X = df.drop(columns=["default"])
    h = len(X) // 2
    ref, cur = X.iloc[:h].reset_index(drop=True), X.iloc[h:].reset_index(drop=True)
    out = {"n_ref": h, "n_cur": len(X) - h, "columns": {}, "perturbed_income": None}
    for c in X.columns:
        if pd.api.types.is_numeric_dtype(X[c]):
            st = clean(drift.numeric_stats(ref[c].to_numpy(np.float64), cur[c].to_numpy(np.float64)))
            rr, cc = ref[c].dropna().to_numpy(np.float64), cur[c].dropna().to_numpy(np.float64)
            st["wasserstein"] = float(wasserstein_distance(rr, cc))
        else:
            st = clean(drift.categorical_stats(ref[c], cur[c]))
        out["columns"][c] = st
    inc = cur["Income"].to_numpy(np.float64) * 1.2
    out["perturbed_income"] = clean(drift.numeric_stats(ref["Income"].to_numpy(np.float64), inc))
    with open(os.path.join(HERE, "drift_credit.json"), "w") as fh:
        json.dump(out, fh, indent=1)


def ztest():
    rows = []
    for x1, n1, x2, n2 in ((30, 400, 45, 420), (500, 10000, 560, 10000), (7, 90, 7, 95), (0, 50, 3, 60), (1200, 15000, 900, 15000)):
        p = (x1 + x2) / (n1 + n2)
        z = (x1 / n1 - x2 / n2) / np.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))
        rows.append({"x1": x1, "n1": n1, "x2": x2, "n2": n2, "z": float(z), "p": float(2 * norm.sf(abs(z)))})
    with open(os.path.join(HERE, "drift_ztest.json"), "w") as fh:
        json.dump(rows, fh, indent=1)


if __name__ == "__main__":
    samples()
    credit()
    ztest()

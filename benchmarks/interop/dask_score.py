"""Scores partitioned files with a CreditScoring.Sdk model exported to XGBoost JSON on a Dask distributed cluster of
local worker processes, and checks every probability against our batch job's.

    /usr/bin/python3 benchmarks/interop/dask_score.py DIR [WORKERS]

DIR holds pd.xgb.json (the model, from `CreditScoring.Benchmarks race api-model`), meta.json (its feature order),
parts/part-*.csv (the applicants, an `id` column and the features, one file per partition) and ours.csv (our batch job's
output over the same files: id, probability, ...). Each Dask task loads the booster once per worker process and scores
its partition with Booster.inplace_predict; the scores are joined to ours by id. Prints the rows, partitions, workers and
the largest absolute difference, and exits non-zero when an id is missing on either side or a probability differs by
more than 1e-6 (XGBoost sums float32 leaves; we sum in float64).
"""
import json
import sys
import time

import numpy as np
import pandas as pd
import xgboost as xgb
import dask
import dask.dataframe as dd
from dask.distributed import Client, LocalCluster, get_worker


def score(frame, model, features):
    worker = get_worker()
    booster = getattr(worker, "_credit_booster", None)
    if booster is None:  # one load per worker process
        booster = xgb.Booster(model_file=model)
        booster.set_param({"nthread": 1})
        worker._credit_booster = booster
    x = frame[features].to_numpy(dtype=np.float32, na_value=np.nan)
    return pd.DataFrame({"id": frame["id"].to_numpy(), "probability": booster.inplace_predict(x).astype(np.float64)})


def main():
    d = sys.argv[1]
    workers = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    features = json.load(open(f"{d}/meta.json"))["features"]
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, Client(cluster):
        start = time.perf_counter()
        parts = dd.read_csv(f"{d}/parts/part-*.csv", dtype={f: "float64" for f in features} | {"id": "int64"})
        meta = pd.DataFrame({"id": pd.Series(dtype="int64"), "probability": pd.Series(dtype="float64")})
        theirs = parts.map_partitions(score, f"{d}/pd.xgb.json", features, meta=meta).compute()
        seconds = time.perf_counter() - start
        partitions = parts.npartitions
    ours = pd.read_csv(f"{d}/ours.csv", usecols=["id", "probability"])
    both = ours.merge(theirs, on="id", how="outer", suffixes=("_ours", "_dask"), indicator=True)
    missing = int((both["_merge"] != "both").sum())
    diff = float(np.max(np.abs(both["probability_ours"] - both["probability_dask"])))
    print(f"dask {dask.__version__}, xgboost {xgb.__version__}: {len(theirs):,} rows in {partitions} partitions on {workers} "
          f"worker processes in {seconds:.1f} s; {len(ours):,} rows of ours; ids on one side only: {missing}; "
          f"largest |probability difference| {diff:.3g}")
    sys.exit(0 if missing == 0 and len(theirs) == len(ours) and diff <= 1e-6 else 1)


if __name__ == "__main__":
    main()

#!/usr/bin/env bash
# Our model on an existing distributed engine: trains the race model on give-me-some-credit (race api-model), exports it
# to XGBoost JSON, cuts the rows (with an id) into PARTS CSV files, scores them with our batch job (CSV in, CSV out),
# then on a Dask distributed cluster of WORKERS local worker processes with Debian's python3-distributed and
# python3-xgboost (dask_score.py), and checks that every score equals ours to 1e-6.
#
#   bash benchmarks/interop/dask.sh            (PARTS=8 WORKERS=2)
set -euo pipefail
source "$(dirname "$0")/../peer-race/common.sh"
parts=${PARTS:-8}
workers=${WORKERS:-2}
/usr/bin/python3 -c 'import dask.distributed, xgboost, pandas' 2>/dev/null || { echo "needs python3-distributed python3-xgboost python3-pandas" >&2; exit 1; }
$bench race api-model "$shared/data/give-me-some-credit.csv" SeriousDlqin2yrs --out "$work" | sed 's/^/  /'
mkdir -p "$work/parts"
/usr/bin/python3 - "$shared/data/give-me-some-credit.csv" "$work" "$parts" <<'PY'
import json, sys
import numpy as np
import pandas as pd
data, out, parts = sys.argv[1], sys.argv[2], int(sys.argv[3])
features = json.load(open(f"{out}/meta.json"))["features"]
frame = pd.read_csv(data)[features]
frame.insert(0, "id", np.arange(1, len(frame) + 1))
frame.to_csv(f"{out}/all.csv", index=False)
for k, part in enumerate(np.array_split(frame, parts)):
    part.to_csv(f"{out}/parts/part-{k:03d}.csv", index=False)
print(f"  {len(frame):,} rows in {parts} files")
PY
dotnet build -c Release "$root/samples/CreditScoring.Batch" -v q -nologo >/dev/null
dotnet "$root/samples/CreditScoring.Batch/bin/Release/net10.0/creditscoring-batch.dll" score --model "$work/pd.json" --input "$work/all.csv" --output "$work/ours.csv" --partitions "$parts" 2>/dev/null | sed 's/^/  ours: /'
/usr/bin/python3 "$(dirname "$0")/dask_score.py" "$work" "$workers"

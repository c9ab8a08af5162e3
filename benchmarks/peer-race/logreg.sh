#!/usr/bin/env bash
# Races CreditScoring.Sdk's logistic regression against ../shared/peers/logreg.py (scikit-learn lbfgs), 2 threads each,
# interleaved: REPEATS rounds (default 5) of ours then the peer, each round the median of INNER runs (default 3) in
# one process (ours after one warm-up fit); prints the medians over the rounds with their spread and the ratios.
#
#   bash benchmarks/peer-race/logreg.sh [DATA.csv TARGET]     (default: give-me-some-credit.csv SeriousDlqin2yrs)
#
# Needs Debian's python3-sklearn (see ../shared/peers/README.md). The peer runs first and saves its test rows; we
# train and test on exactly the same rows, so AUC and log-loss are comparable to the last digit. Refuses when the
# load average at the start is above 1, unless FORCE=1.
set -euo pipefail
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
source "$(dirname "$0")/common.sh"
data=${1:-$shared/data/give-me-some-credit.csv}
target=${2:-SeriousDlqin2yrs}
rounds=${REPEATS:-5}
inner=${INNER:-3}

race_header "$(/usr/bin/python3 -c 'import sklearn, numpy; print("scikit-learn", sklearn.__version__, "numpy", numpy.__version__)')"
/usr/bin/python3 "$shared/peers/logreg.py" "$data" "$target" --repeats 1 --threads 2 --save-coef "$work/logreg.json" >/dev/null 2>&1
ours_once() { $bench race logreg "$data" "$target" --repeats "$inner" --test-rows "$work/logreg.test_pred.csv"; }
peer_once() { /usr/bin/python3 "$shared/peers/logreg.py" "$data" "$target" --repeats "$inner" --threads 2 2>/dev/null; }
interleave "$rounds" ours_once peer_once

head -n 1 "$work/ours.jsonl" | /usr/bin/python3 -c "import json, sys; o = json.load(sys.stdin); print(f\"dataset {o['dataset']}: {o['n_train']} train / {o['n_test']} test rows ({o['split']}), 2 threads, rounds of {o['repeats']}\")"
/usr/bin/python3 "$root/benchmarks/peer-race/summarize.py" "$work/ours.jsonl" "$work/peer.jsonl" \
  "pipeline fit (impute + scale + one-hot + solver)|cs_pipeline_train_s|lr_pipeline_train_s" \
  "solver only (prepared matrix)|cs_fit_only_s|lr_fit_only_s" \
  "batch predict (test rows)|cs_predict_batch_s|lr_predict_batch_s"
/usr/bin/python3 - "$(head -n 1 "$work/ours.jsonl")" "$(head -n 1 "$work/peer.jsonl")" <<'PY'
import json, sys
o, p = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(f"test AUC: ours {o['cs_auc']:.8f} (Newton, {o['cs_newton_iter']} iterations); peer lbfgs {p['lr_auc']:.8f} ({p['lr_n_iter']} iterations), peer exact Newton {p['lr_tight_auc']:.8f}")
print(f"test log-loss: ours {o['cs_logloss']:.8f}; peer lbfgs {p['lr_logloss']:.8f}")
PY
race_footer

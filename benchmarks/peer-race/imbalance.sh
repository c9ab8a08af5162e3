#!/usr/bin/env bash
# Issue 5's figures, interleaved (REPEATS rounds, default 5, of ours then the peer; each round the median of INNER
# runs in one process, default 3), each beside the peer from the same rounds:
#  1. SMOTE and Borderline-SMOTE-1 on give-me-some-credit.csv, SMOTE-NC on home-credit-sample.csv: our fit_resample time
#     against ../shared/peers/smote.py (imbalanced-learn, k=5, m=10, 2 threads), with the class counts after.
#  2. The cost-optimal threshold (cost 10*FN + FP) on threshold.py's own saved XGBoost out-of-fold probabilities of
#     give-me-some-credit.csv (computed once): its exact numpy sweep and ours, which must reach the same minimum cost.
#
#   bash benchmarks/peer-race/imbalance.sh
#
# Needs Debian's python3-imblearn, python3-sklearn and python3-xgboost. Refuses when the load average at the start is
# above 1, unless FORCE=1.
set -euo pipefail
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
source "$(dirname "$0")/common.sh"
gmsc=$shared/data/give-me-some-credit.csv
hc=$shared/data/home-credit-sample.csv
rounds=${REPEATS:-5}
inner=${INNER:-3}
summarize="/usr/bin/python3 $root/benchmarks/peer-race/summarize.py"

race_header "$(/usr/bin/python3 -c 'import imblearn, sklearn, numpy; print("imbalanced-learn", imblearn.__version__, "scikit-learn", sklearn.__version__, "numpy", numpy.__version__)')"

echo "SMOTE and Borderline-SMOTE-1, give-me-some-credit.csv (2 threads):"
ours_once() { $bench race smote "$gmsc" SeriousDlqin2yrs --repeats "$inner" 2>/dev/null; }
peer_once() { /usr/bin/python3 "$shared/peers/smote.py" "$gmsc" SeriousDlqin2yrs --threads 2 --repeats "$inner" --skip-smotenc 2>/dev/null; }
interleave "$rounds" ours_once peer_once
$summarize "$work/ours.jsonl" "$work/peer.jsonl" "SMOTE fit_resample|smote_fit_resample_s|smote_fit_resample_s" "Borderline-SMOTE-1 fit_resample|borderline_fit_resample_s|borderline_fit_resample_s"
/usr/bin/python3 -c "import json, sys; o, p = (json.loads(l) for l in sys.argv[1:]); print('rows after, ours / imblearn: smote', o['smote_class_counts_after'], '/', p['smote_class_counts_after'], '; borderline', o['borderline_class_counts_after'], '/', p['borderline_class_counts_after'])" "$(head -n 1 "$work/ours.jsonl")" "$(head -n 1 "$work/peer.jsonl")"

echo
echo "SMOTE-NC, home-credit-sample.csv (2 threads):"
ours_once() { $bench race smote "$hc" TARGET --drop SK_ID_CURR --repeats "$inner" 2>/dev/null; }
peer_once() { /usr/bin/python3 "$shared/peers/smote.py" "$hc" TARGET --drop SK_ID_CURR --threads 2 --repeats "$inner" 2>/dev/null; }
interleave "$rounds" ours_once peer_once
$summarize "$work/ours.jsonl" "$work/peer.jsonl" "SMOTE-NC fit_resample|smotenc_fit_resample_s|smotenc_fit_resample_s"
/usr/bin/python3 -c "import json, sys; o, p = (json.loads(l) for l in sys.argv[1:]); print('rows after, ours / imblearn:', o['smotenc_class_counts_after'], '/', p['smotenc_class_counts_after'])" "$(head -n 1 "$work/ours.jsonl")" "$(head -n 1 "$work/peer.jsonl")"

echo
echo "Cost-optimal threshold, cost 10*FN + FP, on threshold.py's XGBoost 5-fold out-of-fold probabilities of give-me-some-credit.csv:"
/usr/bin/python3 "$shared/peers/threshold.py" "$gmsc" SeriousDlqin2yrs --threads 2 --repeats 1 --save-oof "$work/oof.csv" >/dev/null 2>&1
ours_once() { $bench race threshold "$work/oof.csv" --fn-cost 10 --fp-cost 1; }
peer_once() { /usr/bin/python3 "$shared/peers/threshold.py" --oof "$work/oof.csv" --fn-cost 10 --fp-cost 1 --repeats 5 2>/dev/null; }
interleave "$rounds" ours_once peer_once
$summarize "$work/ours.jsonl" "$work/peer.jsonl" "exact sweep (sort + cumulative scan), median of 5 a round|sweep_s|sweep_s"
/usr/bin/python3 - "$(head -n 1 "$work/ours.jsonl")" "$(head -n 1 "$work/peer.jsonl")" <<'PY'
import json, sys
ot, pt = json.loads(sys.argv[1]), json.loads(sys.argv[2])
c = pt["cost_optimal"]
print(f"{pt['n']} rows, AUC {pt['auc']:.4f}")
print("| | threshold | cost | F1-optimal threshold | its cost |")
print("| --- | ---: | ---: | ---: | ---: |")
print(f"| threshold.py (numpy) | {c['threshold']:.6g} | {c['cost']} | {pt['f1_optimal']['threshold']:.6g} | {pt['f1_optimal']['cost']} |")
print(f"| CreditScoring.Sdk | {ot['cost_threshold']:.6g} | {ot['cost']:.0f} | {ot['f1_threshold']:.6g} | {ot['f1_cost']:.0f} |")
print(f"ours: cost-optimal approves {ot['cost_approval_rate']:.1%} with bad rate {ot['cost_bad_rate']:.2%} (business score {ot['cost_business_score']:.3f}, 95% bootstrap CI of the threshold {ot['cost_ci'][0]:.4f}-{ot['cost_ci'][1]:.4f}); "
      f"F1-optimal approves {ot['f1_approval_rate']:.1%} with bad rate {ot['f1_bad_rate']:.2%}")
print("same minimum cost:", "yes" if abs(ot["cost"] - c["cost"]) < 1e-9 else "NO")
PY
race_footer

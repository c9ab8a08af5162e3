#!/usr/bin/env bash
# Issue 5's figures in one run, each beside the peer from the same run:
#  1. SMOTE and Borderline-SMOTE-1 on give-me-some-credit.csv, SMOTE-NC on home-credit-sample.csv: our fit_resample time
#     against ../shared/peers/smote.py (imbalanced-learn, k=5, m=10, 2 threads, median of 5), with the class counts after.
#  2. The cost-optimal threshold (cost 10*FN + FP) on threshold.py's own saved XGBoost out-of-fold probabilities of
#     give-me-some-credit.csv: its exact sweep and ours must reach the same minimum cost.
#
#   bash benchmarks/peer-race/imbalance.sh
set -euo pipefail
source "$(dirname "$0")/common.sh"
gmsc=$shared/data/give-me-some-credit.csv
hc=$shared/data/home-credit-sample.csv

ours_g=$($bench race smote "$gmsc" SeriousDlqin2yrs 2>/dev/null | tail -n 1)
peer_g=$(/usr/bin/python3 "$shared/peers/smote.py" "$gmsc" SeriousDlqin2yrs --threads 2 2>/dev/null | tail -n 1)
ours_h=$($bench race smote "$hc" TARGET --drop SK_ID_CURR 2>/dev/null | tail -n 1)
peer_h=$(/usr/bin/python3 "$shared/peers/smote.py" "$hc" TARGET --drop SK_ID_CURR --threads 2 2>/dev/null | tail -n 1)
peer_t=$(/usr/bin/python3 "$shared/peers/threshold.py" "$gmsc" SeriousDlqin2yrs --threads 2 --save-oof "$work/oof.csv" 2>/dev/null | tail -n 1)
ours_t=$($bench race threshold "$work/oof.csv" --fn-cost 10 --fp-cost 1 | tail -n 1)

/usr/bin/python3 - "$ours_g" "$peer_g" "$ours_h" "$peer_h" "$ours_t" "$peer_t" <<'PY'
import json, sys
og, pg, oh, ph, ot, pt = (json.loads(a) for a in sys.argv[1:])
print("| data | sampler | rows after (ours / imblearn) | ours (s) | imblearn %s (s) | ratio |" % pg["versions"]["imblearn"])
print("| --- | --- | --- | ---: | ---: | ---: |")
for o, p, tags in ((og, pg, ("smote", "borderline")), (oh, ph, ("smotenc",))):
    for t in tags:
        a, b = o[t + "_fit_resample_s"], p[t + "_fit_resample_s"]
        print(f"| {o['dataset']} | {t} | {o[t + '_class_counts_after']} / {p[t + '_class_counts_after']} | {a:.4f} | {b:.4f} | {a / b:.2f}x |")
print()
c = pt["cost_optimal"]
print(f"give-me-some-credit.csv, threshold.py's XGBoost 5-fold OOF probabilities ({pt['n']} rows, AUC {pt['auc']:.4f}), cost 10*FN + FP:")
print("| | threshold | cost | F1-optimal threshold | its cost | sweep (s) |")
print("| --- | ---: | ---: | ---: | ---: | ---: |")
print(f"| threshold.py (numpy) | {c['threshold']:.6g} | {c['cost']} | {pt['f1_optimal']['threshold']:.6g} | {pt['f1_optimal']['cost']} | {pt['sweep_s']:.4f} |")
print(f"| CreditScoring.Sdk | {ot['cost_threshold']:.6g} | {ot['cost']:.0f} | {ot['f1_threshold']:.6g} | {ot['f1_cost']:.0f} | {ot['sweep_s']:.4f} |")
print(f"ours: cost-optimal approves {ot['cost_approval_rate']:.1%} with bad rate {ot['cost_bad_rate']:.2%} (business score {ot['cost_business_score']:.3f}, 95% bootstrap CI of the threshold {ot['cost_ci'][0]:.4f}-{ot['cost_ci'][1]:.4f}); "
      f"F1-optimal approves {ot['f1_approval_rate']:.1%} with bad rate {ot['f1_bad_rate']:.2%}")
print("same minimum cost:", "yes" if abs(ot["cost"] - c["cost"]) < 1e-9 else "NO")
PY

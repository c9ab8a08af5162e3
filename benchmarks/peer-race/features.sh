#!/usr/bin/env bash
# Issue 4's figures in one run:
#  1. give-me-some-credit.csv: ../shared/peers/logreg.py (scikit-learn logistic regression on raw, median-imputed,
#     standardised features) saves its stratified 80/20 test rows; our WoE scorecard trains and tests on exactly
#     those rows, with 96/98 declared special values of the three past-due counts, with monotonic bins
#     (the default) and with at most one turning point (Trend=AutoWithTurn).
#  2. home-credit-sample.csv + bureau + previous_application: 5-fold CV AUC of logistic regression and gradient
#     boosting on the raw application table and with benchmarks/features/home-credit.json, and the time to fit
#     and transform that pipeline on the whole table.
#
#   bash benchmarks/peer-race/features.sh
set -euo pipefail
source "$(dirname "$0")/common.sh"
gmsc=$shared/data/give-me-some-credit.csv
special=(--special 'NumberOfTime30-59DaysPastDueNotWorse=96|98' --special 'NumberOfTimes90DaysLate=96|98' --special 'NumberOfTime60-89DaysPastDueNotWorse=96|98')

peer=$(/usr/bin/python3 "$shared/peers/logreg.py" "$gmsc" SeriousDlqin2yrs --repeats 1 --threads 2 --save-coef "$work/logreg.json" 2>/dev/null | tail -n 1)
mono=$($bench race scorecard "$gmsc" SeriousDlqin2yrs --test-rows "$work/logreg.test_pred.csv" "${special[@]}" 2>/dev/null | tail -n 1)
turn=$(CS_TREND=AutoWithTurn $bench race scorecard "$gmsc" SeriousDlqin2yrs --test-rows "$work/logreg.test_pred.csv" "${special[@]}" 2>/dev/null | tail -n 1)
hc=$($bench race features-hc "$shared/data" "$root/benchmarks/features/home-credit.json" | tail -n 1)

/usr/bin/python3 - "$peer" "$mono" "$turn" "$hc" <<'PY'
import json, sys
p, m, t, h = (json.loads(a) for a in sys.argv[1:])
print(f"give-me-some-credit.csv, the peer's test rows ({m['n_train']} train / {m['n_test']} test):")
print("| model | test AUC | fit (s) |")
print("| --- | ---: | ---: |")
print(f"| scikit-learn {p['versions']['sklearn']} logistic regression, raw imputed features | {p['lr_auc']:.4f} | {p['lr_pipeline_train_s']:.3f} |")
print(f"| CreditScoring.Sdk WoE scorecard, monotonic bins ({m['characteristics']} characteristics, {m['attributes']} attributes) | {m['cs_scorecard_auc']:.4f} | {m['cs_scorecard_fit_s']:.3f} |")
print(f"| CreditScoring.Sdk WoE scorecard, at most one turning point ({t['attributes']} attributes) | {t['cs_scorecard_auc']:.4f} | {t['cs_scorecard_fit_s']:.3f} |")
print()
print(f"home-credit-sample.csv + bureau + previous_application ({h['rows']} rows; {h['raw_inputs']} inputs -> {h['pipeline_features']} features), 5-fold stratified CV AUC (seed 42):")
print("| learner | raw application table | with the pipeline | lift |")
print("| --- | ---: | ---: | ---: |")
for l in ("logistic", "gbdt"):
    r, q = h[f"{l}_raw_cv_auc_mean"], h[f"{l}_pipeline_cv_auc_mean"]
    print(f"| {l} | {r:.4f} ± {h[f'{l}_raw_cv_auc_std']:.4f} | {q:.4f} ± {h[f'{l}_pipeline_cv_auc_std']:.4f} | {q - r:+.4f} |")
print(f"pipeline fit + transform of the whole table: {h['pipeline_fit_transform_s']:.3f} s (median of 5)")
PY

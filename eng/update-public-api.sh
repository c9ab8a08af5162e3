#!/usr/bin/env bash
# Brings PublicAPI.Unshipped.txt of a project in line with its public surface after a deliberate API change:
# builds it, adds the symbols the analyzer reports as undeclared (RS0016) and drops those it reports as gone
# (RS0017). Review the diff of PublicAPI.*.txt before committing: that diff is the API change.
#
#   bash eng/update-public-api.sh src/CreditScoring.Sdk
set -euo pipefail
project=${1:?usage: eng/update-public-api.sh PROJECT_DIR}
for _ in 1 2 3; do
  log=$(mktemp)
  dotnet build "$project" -c Release -v q -nologo --no-incremental >"$log" 2>&1 || true
  if ! grep -qE "RS001[67]" "$log"; then rm -f "$log"; break; fi
  /usr/bin/python3 - "$project/PublicAPI.Unshipped.txt" "$log" <<'PY'
import re, sys
path = sys.argv[1]
lines = open(path, encoding="utf-8").read().splitlines()
log = open(sys.argv[2], encoding="utf-8").read()
added = set(re.findall(r"RS0016: Symbol '(.*?)' is not part of the declared public API", log))
removed = set(re.findall(r"RS0017: Symbol '(.*?)' is part of the declared API", log))
# existing lines keep their place (a small diff to review); new ones are appended in order
kept = [l for l in lines if l not in removed]
new = sorted(added - set(kept))
open(path, "w", encoding="utf-8").write("\n".join(kept + new) + "\n")
print(f"{path}: +{len(added)} -{len(removed)}")
PY
  rm -f "$log"
done

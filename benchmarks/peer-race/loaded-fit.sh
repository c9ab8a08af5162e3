#!/usr/bin/env bash
# Issue 15, training under load: the gbdt race's fit of give-me-some-credit on 1 and 2 threads (interleaved, median of
# REPEATS), first on a quiet machine, then while a CPU-bound process runs on one core. A fit's team of threads must not
# collapse when it does not get its cores: loaded, 2 threads should take no longer than 1.
#
#   bash benchmarks/peer-race/loaded-fit.sh [DATA.csv TARGET]
set -euo pipefail
source "$(dirname "$0")/common.sh"
data=${1:-$shared/data/give-me-some-credit.csv}
target=${2:-SeriousDlqin2yrs}
repeats=${REPEATS:-5}

echo "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores, .NET $(dotnet --version); load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "quiet:"
$bench race fit "$data" "$target" --threads 1,2 --repeats "$repeats"
/usr/bin/python3 -c 'while True: pass' &
load=$!
trap 'kill $load 2>/dev/null; rm -rf "$work"' EXIT
sleep 1
echo "with a CPU-bound process on one core:"
$bench race fit "$data" "$target" --threads 1,2 --repeats "$repeats"

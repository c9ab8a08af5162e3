# Sourced by the peer-race scripts: the repository root, ../shared, a scratch directory removed on exit, the benchmark
# program built in Release ($bench runs it), and what every race prints and checks:
#   race_header "PEER VERSIONS"   the processor, cores, .NET and peer versions and the load average before the race
#                                 (sampled before this file builds anything); refuses when the 1-minute load is above 1,
#                                 unless FORCE=1, as the ratios of a busy machine do not reproduce
#   interleave N OURS PEER        runs the functions OURS and PEER alternately N times (ours, peer, ours, peer, ...),
#                                 appending the last line of each (one JSON object) to $work/ours.jsonl and $work/peer.jsonl
#   race_footer                   the load average after
load_before=${load_before:-$(cut -d' ' -f1-3 /proc/loadavg)}
root=$(cd "$(dirname "${BASH_SOURCE[1]}")/../.." && pwd)
shared=${SHARED:-$root/../shared}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dotnet build -c Release "$root/benchmarks/CreditScoring.Benchmarks" -v q -nologo >/dev/null
bench="dotnet $root/benchmarks/CreditScoring.Benchmarks/bin/Release/net10.0/CreditScoring.Benchmarks.dll"

race_header() {
  echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; .NET $(dotnet --version); $1"
  echo "load before: $load_before"
  local load=${load_before%% *}
  if [ "${FORCE:-0}" != 1 ] && /usr/bin/python3 -c "import sys; sys.exit(0 if float('$load') > 1 else 1)"; then
    echo "the load average is $load (> 1): the ratios would not mean much; run on a quiet machine or set FORCE=1" >&2
    exit 1
  fi
}

interleave() {
  local rounds=$1 ours=$2 peer=$3
  : >"$work/ours.jsonl"
  : >"$work/peer.jsonl"
  for _ in $(seq 1 "$rounds"); do
    "$ours" | tail -n 1 >>"$work/ours.jsonl"
    "$peer" | tail -n 1 >>"$work/peer.jsonl"
  done
}

race_footer() {
  echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
}

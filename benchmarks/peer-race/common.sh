# Sourced by the peer-race scripts: the repository root, ../shared, a scratch directory removed on exit, and
# the benchmark program built in Release ($bench runs it).
root=$(cd "$(dirname "${BASH_SOURCE[1]}")/../.." && pwd)
shared=${SHARED:-$root/../shared}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dotnet build -c Release "$root/benchmarks/CreditScoring.Benchmarks" -v q -nologo >/dev/null
bench="dotnet $root/benchmarks/CreditScoring.Benchmarks/bin/Release/net10.0/CreditScoring.Benchmarks.dll"

using BenchmarkDotNet.Running;
using CreditScoring.Benchmarks;

// dotnet run -c Release --project benchmarks/CreditScoring.Benchmarks -- --filter '*'      (BenchmarkDotNet suites)
// dotnet run -c Release --project benchmarks/CreditScoring.Benchmarks -- race logreg DATA TARGET   (peer race, see benchmarks/peer-race)
// dotnet run -c Release --project benchmarks/CreditScoring.Benchmarks -- race features-hc DATA_DIR PIPELINE.json   (issue 4, see benchmarks/peer-race/features.sh)
// dotnet run -c Release --project benchmarks/CreditScoring.Benchmarks -- race scorecard DATA TARGET [--test-rows F] [--special COL=V1|V2]
// dotnet run -c Release --project benchmarks/CreditScoring.Benchmarks -- race memory [ROWS] [FEATURES]   (peak memory of a 300-round fit)
if (args.Length > 1 && args[0] == "race" && args[1] == "memory")
{
    return MemoryRace.Run(args[2..]);
}

if (args.Length > 1 && args[0] == "race" && args[1] == "features-hc")
{
    return FeatureRace.HomeCredit(args[2..]);
}

if (args.Length > 1 && args[0] == "race" && args[1] == "scorecard")
{
    return FeatureRace.Scorecard(args[2..]);
}

if (args.Length > 0 && args[0] == "race")
{
    return PeerRace.Run(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(BenchmarkData).Assembly).Run(args);
return 0;

using BenchmarkDotNet.Running;
using CreditScoring.Benchmarks;

// dotnet run -c Release --project benchmarks/CreditScoring.Benchmarks -- --filter '*'      (BenchmarkDotNet suites)
// dotnet run -c Release --project benchmarks/CreditScoring.Benchmarks -- race logreg DATA TARGET   (peer race, see benchmarks/peer-race)
// dotnet run -c Release --project benchmarks/CreditScoring.Benchmarks -- race features-hc DATA_DIR PIPELINE.json   (issue 4, see benchmarks/peer-race/features.sh)
// dotnet run -c Release --project benchmarks/CreditScoring.Benchmarks -- race scorecard DATA TARGET [--test-rows F] [--special COL=V1|V2]
// dotnet run -c Release --project benchmarks/CreditScoring.Benchmarks -- race memory [ROWS] [FEATURES]   (peak memory of a 300-round fit)
// dotnet run -c Release --project benchmarks/CreditScoring.Benchmarks -- race smote DATA TARGET [--drop COL]   (issue 5, see benchmarks/peer-race/imbalance.sh)
// dotnet run -c Release --project benchmarks/CreditScoring.Benchmarks -- race threshold OOF.csv [--fn-cost 10 --fp-cost 1]
// dotnet run -c Release --project benchmarks/CreditScoring.Benchmarks -- race drift DATA TARGET [--perturb COL --factor 1.2]   (issue 6, see benchmarks/peer-race/drift.sh)
// dotnet run -c Release --project benchmarks/CreditScoring.Benchmarks -- race drift-wide [ROWS] [COLUMNS]
// dotnet run -c Release --project benchmarks/CreditScoring.Benchmarks -- race treeshap DATA TARGET --test-rows F --export DIR   (issue 16, see benchmarks/peer-race/treeshap.sh)
// dotnet run -c Release --project benchmarks/CreditScoring.Benchmarks -- race tracking [--repeats 5]   (issue 17: the embedded store's logging and search)
// dotnet run -c Release --project benchmarks/CreditScoring.Benchmarks -- race reasons MODEL DATA [--reasons 4]   (issue 16: scores with reason codes for a table)
// dotnet run -c Release --project benchmarks/CreditScoring.Benchmarks -- race fit DATA TARGET [--threads 1,2] [--repeats 5]   (issue 15, see benchmarks/peer-race/loaded-fit.sh)
// dotnet run -c Release --project benchmarks/CreditScoring.Benchmarks -- race api-model DATA TARGET --out DIR   (issue 18, see benchmarks/peer-race/api.sh)
// dotnet run -c Release --project benchmarks/CreditScoring.Benchmarks -- race lightgbm DATA TARGET --threads N [--test-rows FILE]   (issue 20, see benchmarks/peer-race/lightgbm.sh)
if (args.Length > 1 && args[0] == "race" && args[1] == "lightgbm")
{
    return LightGbmRace.Run(args[1..]);
}

if (args.Length > 1 && args[0] == "race" && args[1] == "api-model")
{
    return ApiRace.Model(args[2..]);
}

if (args.Length > 1 && args[0] == "race" && args[1] == "tracking")
{
    return TrackingRace.Run(args[2..]);
}

if (args.Length > 1 && args[0] == "race" && args[1] == "reasons")
{
    return ReasonsRace.Run(args[2..]);
}

if (args.Length > 1 && args[0] == "race" && args[1] == "treeshap")
{
    return ExplainRace.TreeShap(args[2..]);
}

if (args.Length > 1 && args[0] == "race" && args[1] == "fit")
{
    return LoadRace.Fit(args[2..]);
}

if (args.Length > 1 && args[0] == "race" && args[1] == "drift")
{
    return DriftRace.Halves(args[2..]);
}

if (args.Length > 1 && args[0] == "race" && args[1] == "drift-wide")
{
    return DriftRace.Wide(args[2..]);
}

if (args.Length > 1 && args[0] == "race" && args[1] == "smote")
{
    return ImbalanceRace.Smote(args[2..]);
}

if (args.Length > 1 && args[0] == "race" && args[1] == "threshold")
{
    return ImbalanceRace.Threshold(args[2..]);
}

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

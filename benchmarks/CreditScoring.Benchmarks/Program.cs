using BenchmarkDotNet.Running;
using CreditScoring.Benchmarks;

// dotnet run -c Release --project benchmarks/CreditScoring.Benchmarks -- --filter '*'      (BenchmarkDotNet suites)
// dotnet run -c Release --project benchmarks/CreditScoring.Benchmarks -- race logreg DATA TARGET   (peer race, see benchmarks/peer-race)
if (args.Length > 0 && args[0] == "race")
{
    return PeerRace.Run(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(BenchmarkData).Assembly).Run(args);
return 0;

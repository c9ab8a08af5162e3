namespace CreditScoring.Batch;

/// <summary>Entry point of the batch tool.</summary>
internal static class Program
{
    private static int Main(string[] args) => BatchCli.Run(args, Console.Out, Console.Error);
}

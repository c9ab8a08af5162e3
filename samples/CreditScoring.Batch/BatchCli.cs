using System.CommandLine;
using System.Globalization;
using CreditScoring.Batch.Commands;
using CreditScoring.Sdk;
using CreditScoring.Sdk.MLNet.LightGbm;
using Microsoft.Extensions.Options;

namespace CreditScoring.Batch;

/// <summary>
/// The command line: <c>train</c>, <c>evaluate</c>, <c>score</c>, <c>explain</c>, <c>drift</c>, <c>export</c>, <c>keygen</c>, <c>runs</c>, <c>models</c>, <c>jobs</c> and <c>quickstart</c>
/// (also what runs with no arguments), one file each in <c>Commands/</c>. Every command has <c>--help</c>. A user error
/// ends with exit code 1 and one line on stderr that starts with <c>error:</c>; a usage error with exit code 2.
/// </summary>
internal static class BatchCli
{
    public const int UserError = 1;
    public const int UsageError = 2;

    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        // --learner lightgbm: LightGBM itself (CreditScoring.Sdk.MLNet), beside the SDK's own learners.
        LightGbmLearner.Register();
        var root = BuildCommands(output, error);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            error.WriteLine($"error: {string.Join(" ", parse.Errors.Select(e => e.Message))} (run with --help for usage)");
            return UsageError;
        }

        return parse.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
    }

    private static RootCommand BuildCommands(TextWriter output, TextWriter error)
    {
        var shared = new SharedOptions(output, error);
        var root = new RootCommand("CreditScoring.Sdk batch tool: train, evaluate and score probability-of-default models on CSV files, and run batch scoring jobs between databases and files. With no arguments it runs the quickstart.")
        {
            TrainCommand.Create(shared),
            EvaluateCommand.Create(shared),
            ScoreCommand.Create(shared),
            ExplainCommand.Create(shared),
            DriftCommand.Create(shared),
            ExportCommand.Create(shared),
            KeyGenCommand.Create(shared),
            ModelsCommand.Create(shared),
            RunsCommand.Create(shared),
            JobsCommand.Create(shared),
            QuickstartCommand.Create(shared),
        };
        root.SetAction(_ => Guarded(error, () => QuickstartCommand.Run(output, error, QuickstartCommand.DefaultOutputDirectory)));
        return root;
    }

    /// <summary>Runs a command, turning a user error into exit code 1 and one <c>error:</c> line.</summary>
    public static int Guarded(TextWriter error, Func<int> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (IsOutOfMemory(e))
        {
            error.WriteLine("error: out of memory: the process could not allocate what the command needs. Use fewer rows or columns (drop ids and free text, group rare categories), or a machine with more memory.");
            return UserError;
        }
        catch (Exception e) when (e is CliException or CreditScoringException or OptionsValidationException or IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException or FormatException)
        {
            var message = Plain(e).ReplaceLineEndings(" ");
            error.WriteLine("error: " + (message.EndsWith('.') || message.EndsWith(".)", StringComparison.Ordinal) ? message : message + "."));
            return UserError;
        }
    }

    /// <summary>An exception's message without .NET's parameter decoration ("(Parameter 'x') Actual value was 2."), which means nothing at a command line.</summary>
    private static string Plain(Exception e)
    {
        if (e is not ArgumentException { ParamName: { } name } argument)
        {
            return e.Message;
        }

        var message = argument.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal);
        return argument is ArgumentOutOfRangeException { ActualValue: { } actual }
            ? message.Replace(Environment.NewLine + $"Actual value was {actual}.", "", StringComparison.Ordinal).TrimEnd('.') + string.Create(CultureInfo.InvariantCulture, $" (got {actual}).")
            : message;
    }

    private static bool IsOutOfMemory(Exception e) => e switch
    {
        OutOfMemoryException or InsufficientMemoryException => true,
        AggregateException a => a.Flatten().InnerExceptions.Any(IsOutOfMemory),
        _ => e.InnerException is { } inner && IsOutOfMemory(inner),
    };
}

/// <summary>A user error the CLI reports as one line on stderr.</summary>
internal sealed class CliException(string message) : Exception(message);

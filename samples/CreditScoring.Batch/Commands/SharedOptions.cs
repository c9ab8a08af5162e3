using System.CommandLine;
using CreditScoring.Sdk;

namespace CreditScoring.Batch.Commands;

/// <summary>The options several commands take, created once so that each reads the same way everywhere.</summary>
internal sealed class SharedOptions(TextWriter output, TextWriter error)
{
    /// <summary>Where results go.</summary>
    public TextWriter Output { get; } = output;

    /// <summary>Where progress, notes and errors go.</summary>
    public TextWriter Error { get; } = error;

    public Option<int> Seed { get; } = new("--seed") { Description = "Seed of the split and of every random choice in training.", DefaultValueFactory = _ => CreditScoringContext.DefaultSeed };

    public Option<string?> PositiveLabel { get; } = new("--positive-label") { Description = "When the target holds text labels: the label that means default (mapped to 1), e.g. bad." };

    public Option<string?> NegativeLabel { get; } = new("--negative-label") { Description = "When the target holds text labels: the label that means no default (mapped to 0), e.g. good." };

    public Option<string?> Report { get; } = new("--report") { Description = "Write a JSON report (metrics on the test rows, baseline, calibration, gains, curves) to this file." };

    public Option<string?> VerifyKey { get; } = new("--verify-key") { Description = "Load the model only if it is signed by this key (an ECDSA public or private key in PEM, or the base64 of an HMAC key): an unsigned model, one signed by another key, or one changed after signing is refused." };

    public Option<string?> Store { get; } = new("--store") { Description = "The tracking store and model registry: a SQLite file, sqlite:///PATH, postgresql://USER:PASSWORD@HOST:PORT/DATABASE or an Npgsql connection string. Default: $CREDITSCORING_TRACKING_URI, else mlruns.db." };

    public Option<string?> Track { get; } = new("--track") { Description = "Log the command to a tracking store: parameters, metrics, inputs, the model and the report (--track alone: $CREDITSCORING_TRACKING_URI, else mlruns.db; or --track STORE as --store).", Arity = ArgumentArity.ZeroOrOne };

    public Option<string?> RunDescription { get; } = new("--run-description") { Description = "With --track: what the run is for, in words (MLflow's run description)." };

    public Option<string> Experiment { get; } = new("--experiment") { Description = "The experiment to log to or list (created on first use).", DefaultValueFactory = _ => "Default" };

    /// <summary>The CSV reading options (types, missing tokens, bad rows, delimiter).</summary>
    public ReadOptionSet Reading { get; } = new();

    /// <summary>A new <c>--related</c> option (an option belongs to one command).</summary>
    public static Option<string[]> Related() => new("--related") { Description = "A related table the feature pipeline aggregates, NAME=FILE.csv (repeatable), e.g. --related bureau=bureau.csv.", AllowMultipleArgumentsPerToken = false };
}

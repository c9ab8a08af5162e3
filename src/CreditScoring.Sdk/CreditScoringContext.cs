using CreditScoring.Sdk.Tracking;
using CreditScoring.Sdk.Training;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CreditScoring.Sdk;

/// <summary>
/// The entry point of the SDK, as ML.NET's <c>MLContext</c>: holds the seed of every random choice,
/// the clock and the logger factory, and creates pipelines.
/// </summary>
public sealed class CreditScoringContext
{
    /// <summary>The seed used when none is given.</summary>
    public const int DefaultSeed = 42;

    /// <summary>Creates a context.</summary>
    /// <param name="seed">The seed of every random choice (splits, bagging, resampling). Same data and seed give the same model, bit for bit.</param>
    /// <param name="timeProvider">The clock for timestamps and durations; default <see cref="TimeProvider.System"/>.</param>
    /// <param name="loggerFactory">Where training logs go; default none.</param>
    /// <param name="maxDegreeOfParallelism">The most threads training may use; -1 (the default) for all processors. Models never depend on it.</param>
    /// <param name="tracker">Where every fit of this context's pipelines is logged, or <see langword="null"/> (the default) for none.</param>
    public CreditScoringContext(int seed = DefaultSeed, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null, int maxDegreeOfParallelism = -1, ExperimentTracker? tracker = null)
    {
        Tracker = tracker;
        if (maxDegreeOfParallelism == 0 || maxDegreeOfParallelism < -1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxDegreeOfParallelism), maxDegreeOfParallelism, "Use -1 for all processors or a positive thread count.");
        }

        MaxDegreeOfParallelism = maxDegreeOfParallelism;
        Seed = seed;
        TimeProvider = timeProvider ?? TimeProvider.System;
        LoggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
    }

    /// <summary>The seed.</summary>
    public int Seed { get; }

    /// <summary>The clock.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>The logger factory.</summary>
    public ILoggerFactory LoggerFactory { get; }

    /// <summary>The most threads training may use; -1 for all processors.</summary>
    public int MaxDegreeOfParallelism { get; }

    /// <summary>Where every fit of this context's pipelines is logged, or <see langword="null"/> for none.</summary>
    public ExperimentTracker? Tracker { get; }

    /// <summary>Starts a pipeline: <c>context.CreatePipeline().Train(t =&gt; t.LogisticRegression()).Build()</c>.</summary>
    /// <returns>A single-use builder.</returns>
    public CreditPipelineBuilder CreatePipeline() => new(this);
}


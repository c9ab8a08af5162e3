using System.Diagnostics.Metrics;
using System.Globalization;
using System.Security.Cryptography;
using CreditScoring.Sdk.Features;
using CreditScoring.Sdk.Hosting;
using CreditScoring.Sdk.Scoring;
using CreditScoring.Sdk.Tracking;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CreditScoring.Sdk.AspNetCore;

/// <summary>What a reload did.</summary>
/// <param name="Changed">Whether a new model now serves.</param>
/// <param name="Served">The model serving after the reload.</param>
/// <param name="Error">Why the new model was refused (the old one keeps serving), or <see langword="null"/>.</param>
public sealed record ReloadResult(bool Changed, ServedModel Served, string? Error)
{
    /// <summary>The challenger scoring beside the champion after the reload, or <see langword="null"/> when none is configured or none has loaded.</summary>
    public ServedModel? Challenger { get; init; }

    /// <summary>Why a new challenger was refused (the old one, if any, keeps scoring), or <see langword="null"/>.</summary>
    public string? ChallengerError { get; init; }
}

/// <summary>
/// The model the host serves, and its reloading: from the registry (<see cref="ServingOptions.ModelUri"/>, such as
/// <c>models:/pd-model@champion</c>, its file verified against the SHA-256 recorded at registration) or from a file
/// (<see cref="CreditScoringOptions.ModelPath"/>, verified against the signature key when one is configured). A reload
/// (every <see cref="ServingOptions.ReloadInterval"/>, or <c>POST /v1/model/reload</c>) looks whether the alias moved or
/// the file changed; a new model is loaded and checked beside the serving one, then swapped in one reference write, so a
/// request in flight finishes with the model it started with and none waits beyond one load. A new model that fails to
/// load or to score is refused: the old one keeps serving, and the failure is logged and counted
/// (<c>creditscoring.model.reload_failures</c>).
/// </summary>
public sealed partial class ServedModelSource : IDisposable
{
    private readonly CreditScoringOptions _scoring;
    private readonly ServingOptions _serving;
    private readonly CreditScoringMetrics _metrics;
    private readonly IModelRegistry? _registry;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Counter<long> _reloads;
    private readonly Counter<long> _failures;
    private readonly Slot _champion = new();
    private readonly Slot _challenger = new();

    /// <summary>Creates the source (the first model loads on first use).</summary>
    /// <param name="scoring">The scorer's settings and, for a file, its path and signature key.</param>
    /// <param name="serving">The registry URI and the reload interval.</param>
    /// <param name="metrics">The scoring metrics.</param>
    /// <param name="services">The services: the <see cref="IModelRegistry"/> of a registry model, the logger.</param>
    public ServedModelSource(IOptions<CreditScoringOptions> scoring, IOptions<ServingOptions> serving, CreditScoringMetrics metrics, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        _scoring = scoring.Value;
        _serving = serving.Value;
        _metrics = metrics;
        _registry = services.GetService<IModelRegistry>();
        _logger = services.GetService<ILoggerFactory>()?.CreateLogger("CreditScoring.Sdk.AspNetCore.Serving") ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        var meter = services.GetService<IMeterFactory>()?.Create(CreditScoringMetrics.MeterName) ?? new Meter(CreditScoringMetrics.MeterName);
        _reloads = meter.CreateCounter<long>("creditscoring.model.reloads", description: "Models swapped in by a reload.");
        _failures = meter.CreateCounter<long>("creditscoring.model.reload_failures", description: "New models refused by a reload (the old one kept serving).");
        if (_serving.ModelUri is null && string.IsNullOrEmpty(_scoring.ModelPath))
        {
            throw new InvalidOperationException("No model to serve: set CreditScoring:ModelPath (a file) or CreditScoring:Serving:ModelUri (models:/NAME@ALIAS, with AddExperimentTracking for the registry).");
        }

        if (_serving.ModelUri is not null && _registry is null)
        {
            throw new InvalidOperationException($"CreditScoring:Serving:ModelUri is {_serving.ModelUri}, but no registry is registered; call AddExperimentTracking(location).");
        }

        if (_serving.ChallengerUri is not null && _serving.ChallengerPath is not null)
        {
            throw new InvalidOperationException("Set one of CreditScoring:Serving:ChallengerUri and CreditScoring:Serving:ChallengerPath, not both.");
        }

        if (_serving.ChallengerUri is not null && _registry is null)
        {
            throw new InvalidOperationException($"CreditScoring:Serving:ChallengerUri is {_serving.ChallengerUri}, but no registry is registered; call AddExperimentTracking(location).");
        }
    }

    /// <summary>Releases the reload gate.</summary>
    public void Dispose() => _gate.Dispose();

    /// <summary>The model serving now (loaded on first use; a first load that fails throws).</summary>
    public ServedModel Current => Volatile.Read(ref _champion.Model) ?? FirstLoad();

    /// <summary>
    /// The challenger (<see cref="ServingOptions.ChallengerUri"/> or <see cref="ServingOptions.ChallengerPath"/>) scoring
    /// beside the champion now, or <see langword="null"/> when none is configured or none has loaded (read it after
    /// <see cref="Current"/>, which loads both).
    /// </summary>
    public ServedModel? Challenger => Volatile.Read(ref _challenger.Model);

    /// <summary>Looks whether the alias moved or the file changed, and swaps in the new model when it loads and scores.</summary>
    /// <param name="cancellationToken">Cancels the look.</param>
    /// <returns>What happened.</returns>
    public async Task<ReloadResult> ReloadAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var champion = await ReloadOneAsync(_serving.ModelUri, _scoring.ModelPath, _champion, "champion", cancellationToken).ConfigureAwait(false);
            if (_serving.ChallengerUri is null && _serving.ChallengerPath is null)
            {
                return champion;
            }

            // A challenger that cannot load is refused and logged; the champion serves on alone (or with the old challenger).
            var challenger = await ReloadOneAsync(_serving.ChallengerUri, _serving.ChallengerPath, _challenger, "challenger", cancellationToken, firstMayFail: true).ConfigureAwait(false);
            return champion with { Challenger = Volatile.Read(ref _challenger.Model), ChallengerError = challenger.Error };
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Reloads one slot (the champion's or the challenger's): swaps in a new model that loads and scores, refuses one that does not.</summary>
    private async Task<ReloadResult> ReloadOneAsync(string? uri, string? path, Slot slot, string role, CancellationToken cancellationToken, bool firstMayFail = false)
    {
        var serving = Volatile.Read(ref slot.Model);
        try
        {
            var next = await LoadIfChangedAsync(uri, path, serving, cancellationToken).ConfigureAwait(false);
            if (next is null)
            {
                return new ReloadResult(false, serving!, null);
            }

            Volatile.Write(ref slot.Model, next);
            _reloads.Add(1, new KeyValuePair<string, object?>("model.version", next.Version), new KeyValuePair<string, object?>("role", role));
            if (serving is not null)
            {
                LogSwapped(_logger, role, next.Name, serving.Version, next.Version);
            }

            return new ReloadResult(true, next, null);
        }
        catch (Exception e) when ((serving is not null || firstMayFail) && e is CreditScoringException or IOException or UnauthorizedAccessException or System.Text.Json.JsonException)
        {
            _failures.Add(1, new KeyValuePair<string, object?>("model.version", serving?.Version), new KeyValuePair<string, object?>("role", role));
            LogRefused(_logger, role, serving?.Name ?? uri ?? path ?? "", serving?.Version ?? "none", e.Message);
            return new ReloadResult(false, serving!, e.Message);
        }
    }

    private ServedModel FirstLoad()
    {
        var result = Task.Run(() => ReloadAsync()).GetAwaiter().GetResult();
        return result.Served;
    }

    /// <summary>The new model when the source changed (loaded, checked by scoring its own profile's medians), else <see langword="null"/>.</summary>
    private async Task<ServedModel?> LoadIfChangedAsync(string? modelUri, string? modelPath, ServedModel? serving, CancellationToken cancellationToken)
    {
        CreditModel model;
        string name, version;
        if (modelUri is { } uri)
        {
            var resolved = await ModelUri.Parse(uri).ResolveAsync(_registry!, cancellationToken).ConfigureAwait(false);
            (name, version) = (resolved.Name, resolved.Version.ToString(CultureInfo.InvariantCulture));
            if (serving is not null && serving.Name == name && serving.Version == version)
            {
                return null;
            }

            model = await CreditModel.LoadAsync(new ModelUri(name, resolved.Version, null).ToString(), _registry!, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var path = modelPath!;
            var bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
            (name, version) = (Path.GetFileNameWithoutExtension(path), Convert.ToHexStringLower(SHA256.HashData(bytes))[..12]);
            if (serving is not null && serving.Version == version)
            {
                return null;
            }

            model = _scoring.LoadModel(bytes);
        }

        var scoring = _scoring.ToScorerOptions();
        var scorer = _metrics.Instrument(model.CreateScorer(scoring), version);
        SmokeTest(model, scorer);
        return new ServedModel(model, scorer, name, version, _scoring.UnknownCategory == UnknownCategoryHandling.Throw, scoring);
    }

    /// <summary>A model that loads but cannot score is refused too: it scores an applicant of its own training medians.</summary>
    private static void SmokeTest(CreditModel model, ICreditScorer scorer)
    {
        var applicant = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var column in model.Input.Columns)
        {
            applicant[column.Name] = null; // missing everywhere: every model scores it
        }

        var score = scorer.Score(applicant);
        if (!(score.Probability is >= 0 and <= 1))
        {
            throw new ModelFormatException($"The new model scores an applicant with every input missing at {score.Probability}, not a probability.");
        }
    }

    /// <summary>Where one role's model is kept, swapped in one reference write.</summary>
    private sealed class Slot
    {
        public ServedModel? Model;
    }

    [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "Serving {Role} {Name} version {Version}, replacing version {Previous}.")]
    private static partial void LogSwapped(ILogger logger, string role, string name, string previous, string version);

    [LoggerMessage(EventId = 302, Level = LogLevel.Error, Message = "A new {Role} model for {Name} was refused; version {Version} keeps serving: {Reason}")]
    private static partial void LogRefused(ILogger logger, string role, string name, string version, string reason);
}

/// <summary>Reloads the served model every <see cref="ServingOptions.ReloadInterval"/>.</summary>
internal sealed class ModelReloader(ServedModelSource source, IOptions<ServingOptions> options, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.ReloadInterval;
        if (interval <= TimeSpan.Zero)
        {
            return;
        }

        using var timer = new PeriodicTimer(interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            await source.ReloadAsync(stoppingToken).ConfigureAwait(false);
        }
    }
}

using System.Globalization;
using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Decisions;
using CreditScoring.Sdk.Evaluation;
using CreditScoring.Sdk.Scoring;
using CreditScoring.Sdk.Scoring.Serialization;
using CreditScoring.Sdk.Tracking;

namespace CreditScoring.Sdk.Training;

/// <summary>
/// What autologging shares (fits, cross-validations, searches): a run around the work, FINISHED when it returns and FAILED
/// with its error when it throws; parameters and metrics in MLflow's batch sizes; the headline figures and the business
/// cost of each threshold objective under the same names everywhere. The work is synchronous; the store's calls are waited for.
/// </summary>
internal static class Autolog
{
    /// <summary>The objectives whose threshold and cost every tracked evaluation with costs logs (and the recipe's own, when it is another).</summary>
    private static readonly ThresholdObjective[] Objectives = [ThresholdObjective.MinimumCost, ThresholdObjective.MaximumF1, ThresholdObjective.MaximumYouden];

    /// <summary>
    /// Runs <paramref name="work"/> in a new run (a child of <paramref name="parentRunId"/> when given), started at
    /// <paramref name="startTime"/> (a fold's or a trial's own start, logged once it is done) or now. The run's own
    /// bookkeeping is not cancelled: a cancelled work throws, and its run is marked FAILED with the cancellation.
    /// </summary>
    public static T InRun<T>(ExperimentTracker tracker, string runName, string? parentRunId, TimeProvider time, Func<string, T> work, long? startTime = null)
    {
        var tags = new List<RunTag> { new("creditscoring.sdk_version", ModelFile.SdkVersion) }; // the tracker adds the source and git commit
        var run = Wait(tracker.StartRunAsync(new NewRun { RunName = runName, Tags = tags, ParentRunId = parentRunId, StartTime = startTime ?? Now(time) }, CancellationToken.None));
        var runId = run.Info.RunId;
        T result;
        try
        {
            result = work(runId);
        }
        catch (Exception e)
        {
            var message = e.Message.Length > TrackingRules.MaxTagValueLength ? e.Message[..TrackingRules.MaxTagValueLength] : e.Message;
            try
            {
                Wait(tracker.Store.LogBatchAsync(runId, [], [], [new RunTag("creditscoring.error", message)], CancellationToken.None));
                Wait(tracker.Store.UpdateRunAsync(runId, RunStatus.Failed, Now(time), cancellationToken: CancellationToken.None));
            }
            catch (Exception logging) when (logging is TrackingException or IOException)
            {
                // The work's own error is the one to report; the run stays RUNNING and can be marked FAILED later.
                throw new AggregateException($"The {runName} failed ({e.Message}), and marking its run {runId} FAILED failed too ({logging.Message}).", e, logging);
            }

            throw;
        }

        Wait(tracker.Store.UpdateRunAsync(runId, RunStatus.Finished, Now(time), cancellationToken: CancellationToken.None));
        return result;
    }

    /// <summary>Logs parameters (batches of 100), metrics (batches of 1,000) and tags (batches of 100).</summary>
    public static void Log(ITrackingStore store, string runId, IReadOnlyList<Metric> metrics, IReadOnlyList<Param> parameters, IReadOnlyList<RunTag> tags, CancellationToken cancellationToken)
    {
        var (m, p, t) = (0, 0, 0);
        do
        {
            var metricBatch = Take(metrics, ref m, TrackingRules.MaxMetricsPerBatch);
            var paramBatch = Take(parameters, ref p, TrackingRules.MaxParamsTagsPerBatch);
            var tagBatch = Take(tags, ref t, TrackingRules.MaxParamsTagsPerBatch);
            Wait(store.LogBatchAsync(runId, metricBatch, paramBatch, tagBatch, cancellationToken));
        }
        while (m < metrics.Count || p < parameters.Count || t < tags.Count);
    }

    /// <summary>The learner, seed and data fingerprint, then the learner's options by name.</summary>
    public static List<Param> LearnerParameters(ModelMetadata meta, string dataFingerprint)
    {
        var parameters = new List<Param> { new("learner", meta.Learner), new("seed", meta.Seed.ToString(CultureInfo.InvariantCulture)), new("data_fingerprint", dataFingerprint) };
        parameters.AddRange(meta.LearnerParameters.Where(p => p.Key is not ("learner" or "seed" or "data_fingerprint")).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => new Param(p.Key, p.Value)));
        return parameters;
    }

    /// <summary><c>PREFIX_auc</c>, <c>_gini</c>, <c>_ks</c>, <c>_brier</c>, <c>_log_loss</c>: the headline figures, as <c>model.Evaluate</c> computes them, without its curves.</summary>
    public static IEnumerable<Metric> Headline(string prefix, ReadOnlySpan<double> probabilities, CreditData data, long now)
    {
        var (auc, ks, brier, logLoss) = ClassificationEvaluator.Headline(probabilities, data.Labels, data.Weights);
        return [new($"{prefix}_auc", auc, now), new($"{prefix}_gini", (2 * auc) - 1, now), new($"{prefix}_ks", ks.Statistic, now), new($"{prefix}_brier", brier, now), new($"{prefix}_log_loss", logLoss, now)];
    }

    /// <summary>
    /// With costs: <c>PREFIX_cost</c> and <c>PREFIX_business_score</c> at <paramref name="threshold"/>, and for each
    /// threshold objective (<c>cost</c>, <c>f1</c>, <c>youden</c> and the recipe's own) the threshold it chooses on these
    /// rows and the cost there: <c>PREFIX_threshold_OBJECTIVE</c>, <c>PREFIX_cost_OBJECTIVE</c>. Nothing without costs.
    /// </summary>
    public static IEnumerable<Metric> BusinessCosts(string prefix, double[] probabilities, CreditData data, CostMatrix? costs, ThresholdObjective? objective, double threshold, long now)
    {
        if (costs is null)
        {
            return [];
        }

        var analysis = ThresholdAnalysis.Analyze(probabilities, data.Labels, costs.Resolve(data), data.Weights);
        var at = analysis.At(threshold);
        var metrics = new List<Metric> { new($"{prefix}_cost", at.Cost, now), new($"{prefix}_business_score", at.BusinessScore, now) };
        foreach (var o in objective is null || Objectives.Any(x => x.Name == objective.Name) ? Objectives : [.. Objectives, objective])
        {
            var choice = analysis.Choose(o);
            var name = o.Name.Replace("<=", "_le_", StringComparison.Ordinal).Replace(">=", "_ge_", StringComparison.Ordinal);
            metrics.Add(new Metric($"{prefix}_threshold_{name}", Math.Min(choice.Threshold, 1.0), now));
            metrics.Add(new Metric($"{prefix}_cost_{name}", choice.Cost, now));
        }

        return metrics;
    }

    public static long Now(TimeProvider time) => time.GetUtcNow().ToUnixTimeMilliseconds();

    public static void Wait(Task task) => task.GetAwaiter().GetResult();

    public static T Wait<T>(Task<T> task) => task.GetAwaiter().GetResult();

    private static IReadOnlyList<T> Take<T>(IReadOnlyList<T> items, ref int at, int size)
    {
        var count = Math.Min(size, items.Count - at);
        var batch = count <= 0 ? [] : items.Skip(at).Take(count).ToArray();
        at += Math.Max(count, 0);
        return batch;
    }
}

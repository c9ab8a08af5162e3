using System.Globalization;

namespace CreditScoring.Sdk.Resampling;

/// <summary>
/// How many rows of each class a resampler leaves, with imbalanced-learn's <c>sampling_strategy</c>
/// semantics for two classes: <see cref="Auto"/> (<c>"auto"</c>), a minority/majority <see cref="Ratio"/>
/// (a float) or target <see cref="Counts"/> per class (a dict). Counts are rounded down as imbalanced-learn's
/// <c>int(...)</c> does.
/// </summary>
public sealed class SamplingStrategy
{
    private SamplingStrategy(string kind, double ratio, int negatives, int positives)
    {
        Kind = kind;
        RatioValue = ratio;
        TargetNegatives = negatives;
        TargetPositives = positives;
    }

    /// <summary>
    /// <c>"auto"</c>: an over-sampler grows the minority class to the majority's count; an under-sampler
    /// shrinks the majority class to the minority's count.
    /// </summary>
    public static SamplingStrategy Auto { get; } = new("auto", double.NaN, -1, -1);

    /// <summary>What the strategy is: <c>auto</c>, <c>ratio</c> or <c>counts</c>.</summary>
    public string Kind { get; }

    /// <summary>For <c>ratio</c>, the minority/majority ratio after resampling; otherwise NaN.</summary>
    public double RatioValue { get; }

    /// <summary>For <c>counts</c>, the rows of class 0 after resampling (−1: unchanged); otherwise −1.</summary>
    public int TargetNegatives { get; }

    /// <summary>For <c>counts</c>, the rows of class 1 after resampling (−1: unchanged); otherwise −1.</summary>
    public int TargetPositives { get; }

    /// <summary>
    /// A minority/majority ratio after resampling (imbalanced-learn's float strategy): an over-sampler grows the
    /// minority to <c>int(ratio × majority)</c> rows; an under-sampler shrinks the majority to <c>int(minority / ratio)</c>.
    /// </summary>
    /// <param name="minorityToMajority">In (0, 1].</param>
    /// <returns>The strategy.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The ratio is not in (0, 1].</exception>
    public static SamplingStrategy Ratio(double minorityToMajority)
    {
        if (!(minorityToMajority > 0 && minorityToMajority <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(minorityToMajority), minorityToMajority, "The sampling ratio is the minority/majority ratio after resampling and must be in (0, 1].");
        }

        return new SamplingStrategy("ratio", minorityToMajority, -1, -1);
    }

    /// <summary>
    /// Target rows per class (imbalanced-learn's dict strategy): an over-sampler may only grow a class, an
    /// under-sampler may only shrink one; a class left at its current count is not touched.
    /// </summary>
    /// <param name="negatives">Rows of class 0 (non-default) after resampling.</param>
    /// <param name="positives">Rows of class 1 (default) after resampling.</param>
    /// <returns>The strategy.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A count is negative.</exception>
    public static SamplingStrategy Counts(int negatives, int positives)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(negatives);
        ArgumentOutOfRangeException.ThrowIfNegative(positives);
        return new SamplingStrategy("counts", double.NaN, negatives, positives);
    }

    /// <summary>
    /// Parses <c>auto</c>, a ratio such as <c>0.5</c>, or counts <c>0:1000,1:500</c> (as the CLI accepts them).
    /// </summary>
    /// <param name="text">The text.</param>
    /// <returns>The strategy.</returns>
    /// <exception cref="ConfigurationException">The text is none of these.</exception>
    public static SamplingStrategy Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var t = text.Trim();
        if (t.Equals("auto", StringComparison.OrdinalIgnoreCase))
        {
            return Auto;
        }

        if (double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var ratio))
        {
            return ratio > 0 && ratio <= 1 ? Ratio(ratio) : throw new ConfigurationException($"Sampling strategy '{text}': a ratio must be in (0, 1].");
        }

        int? neg = null, pos = null;
        foreach (var part in t.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = part.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || !int.TryParse(part[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var count))
            {
                throw new ConfigurationException($"Sampling strategy '{text}' is not 'auto', a ratio in (0, 1] or counts such as '0:1000,1:500' (bad part '{part}').");
            }

            switch (part[..colon].Trim())
            {
                case "0": neg = count; break;
                case "1": pos = count; break;
                default: throw new ConfigurationException($"Sampling strategy '{text}': the class in '{part}' must be 0 or 1.");
            }
        }

        // A class left out keeps its rows, as a class missing from imbalanced-learn's dict.
        return neg is null && pos is null
            ? throw new ConfigurationException($"Sampling strategy '{text}' is not 'auto', a ratio in (0, 1] or counts such as '0:1000,1:500'.")
            : new SamplingStrategy("counts", double.NaN, neg ?? -1, pos ?? -1);
    }

    /// <summary>
    /// The rows each class should have after resampling, as imbalanced-learn's <c>check_sampling_strategy</c>:
    /// index 0 for class 0, index 1 for class 1.
    /// </summary>
    /// <param name="negatives">Rows of class 0 now.</param>
    /// <param name="positives">Rows of class 1 now.</param>
    /// <param name="overSampling"><see langword="true"/> for an over-sampler, <see langword="false"/> for an under-sampler.</param>
    /// <returns>The target counts.</returns>
    /// <exception cref="TrainingDataException">The strategy would make an over-sampler remove rows or an under-sampler add rows.</exception>
    public (int Negatives, int Positives) Targets(int negatives, int positives, bool overSampling)
    {
        var minorityIsPositive = positives <= negatives;
        var minority = Math.Min(negatives, positives);
        var majority = Math.Max(negatives, positives);
        int newMinority = minority, newMajority = majority;
        switch (Kind)
        {
            case "auto":
                if (overSampling)
                {
                    newMinority = majority;
                }
                else
                {
                    newMajority = minority;
                }

                break;
            case "ratio":
                if (overSampling)
                {
                    newMinority = (int)(majority * RatioValue);
                    if (newMinority < minority)
                    {
                        throw new TrainingDataException($"Sampling ratio {RatioValue.ToString(CultureInfo.InvariantCulture)} would remove minority rows ({minority} now, {newMinority} wanted) while over-sampling; the ratio must be at least the current {((double)minority / majority).ToString("0.####", CultureInfo.InvariantCulture)}.");
                    }
                }
                else
                {
                    newMajority = (int)(minority / RatioValue);
                    if (newMajority > majority)
                    {
                        throw new TrainingDataException($"Sampling ratio {RatioValue.ToString(CultureInfo.InvariantCulture)} would add majority rows ({majority} now, {newMajority} wanted) while under-sampling; the ratio must be at least the current {((double)minority / majority).ToString("0.####", CultureInfo.InvariantCulture)}.");
                    }
                }

                break;
            default:
                var wantNeg = TargetNegatives < 0 ? negatives : TargetNegatives;
                var wantPos = TargetPositives < 0 ? positives : TargetPositives;
                Check(0, negatives, wantNeg, overSampling);
                Check(1, positives, wantPos, overSampling);
                return (wantNeg, wantPos);
        }

        return minorityIsPositive ? (newMajority, newMinority) : (newMinority, newMajority);
    }

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        "auto" => "auto",
        "ratio" => RatioValue.ToString("R", CultureInfo.InvariantCulture),
        _ => string.Join(",", new[] { TargetNegatives >= 0 ? $"0:{TargetNegatives}" : null, TargetPositives >= 0 ? $"1:{TargetPositives}" : null }.Where(s => s is not null)),
    };

    private static void Check(int label, int now, int wanted, bool overSampling)
    {
        if (overSampling && wanted < now)
        {
            throw new TrainingDataException($"Sampling counts ask for {wanted} rows of class {label}, which has {now}; an over-sampler only adds rows.");
        }

        if (!overSampling && wanted > now)
        {
            throw new TrainingDataException($"Sampling counts ask for {wanted} rows of class {label}, which has {now}; an under-sampler only removes rows.");
        }
    }
}

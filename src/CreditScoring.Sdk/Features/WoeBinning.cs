using CreditScoring.Sdk.Internal;
using System.Globalization;
using System.Text;

namespace CreditScoring.Sdk.Features;

/// <summary>The trend the event (default) rate must follow across the bins of a numeric feature.</summary>
public enum MonotonicTrend
{
    /// <summary>Ascending or descending, whichever gives the larger Information Value (the default).</summary>
    Auto,

    /// <summary>The default rate never falls as the value grows.</summary>
    Ascending,

    /// <summary>The default rate never rises as the value grows.</summary>
    Descending,

    /// <summary>No constraint.</summary>
    None,

    /// <summary>The default rate rises, then falls (one turning point, placed where the Information Value is largest).</summary>
    Peak,

    /// <summary>The default rate falls, then rises (one turning point, placed where the Information Value is largest).</summary>
    Valley,

    /// <summary>Whichever of ascending, descending, peak and valley gives the largest Information Value: for characteristics with a U-shaped risk, at the price of one turning point.</summary>
    AutoWithTurn,
}

/// <summary>Options of Weight-of-Evidence binning.</summary>
public sealed class WoeBinningOptions
{
    /// <summary>The most bins of values (missing and special bins not counted). Default 8.</summary>
    public int MaximumBinCount { get; set; } = 8;

    /// <summary>The smallest share of the (weighted) training rows a bin of values may hold. Default 0.02.</summary>
    public double MinimumBinShare { get; set; } = 0.02;

    /// <summary>Quantile pre-bins the optimisation starts from. Default 20.</summary>
    public int PrebinCount { get; set; } = 20;

    /// <summary>The trend of the default rate over numeric bins. Default <see cref="MonotonicTrend.Auto"/>; categories are ordered by their default rate, so they are monotonic by construction.</summary>
    public MonotonicTrend Trend { get; set; } = MonotonicTrend.Auto;

    /// <summary>Values of a numeric feature that each get a bin of their own (e.g. 96 and 98 in past-due counts). Default none.</summary>
    public IList<double> SpecialValues { get; set; } = [];

    internal void Validate()
    {
        if (MaximumBinCount < 1 || PrebinCount < MaximumBinCount || !(MinimumBinShare >= 0 && MinimumBinShare < 0.5))
        {
            throw new ArgumentException(
                $"WoE binning needs MaximumBinCount >= 1 (got {MaximumBinCount}), PrebinCount >= MaximumBinCount (got {PrebinCount}) and MinimumBinShare in [0, 0.5) (got {MinimumBinShare}).");
        }

        if (SpecialValues.Any(v => double.IsNaN(v) || double.IsInfinity(v)))
        {
            throw new ArgumentException("WoE binning special values must be finite numbers (missing values always have their own bin).");
        }
    }

    internal WoeBinningOptions Clone()
    {
        var copy = new WoeBinningOptions();
        CopyTo(copy);
        return copy;
    }

    internal void CopyTo(WoeBinningOptions target)
    {
        target.MaximumBinCount = MaximumBinCount;
        target.MinimumBinShare = MinimumBinShare;
        target.PrebinCount = PrebinCount;
        target.Trend = Trend;
        target.SpecialValues = [.. SpecialValues];
    }
}

/// <summary>What a bin holds.</summary>
public enum WoeBinKind
{
    /// <summary>A range [lower, upper) of a numeric feature.</summary>
    Range,

    /// <summary>A group of categories.</summary>
    Categories,

    /// <summary>Missing values.</summary>
    Missing,

    /// <summary>One special value.</summary>
    Special,
}

/// <summary>One bin of a <see cref="WoeBinning"/>, with its training statistics.</summary>
public sealed record WoeBin
{
    /// <summary>e.g. <c>[0.5, 2)</c>, <c>{rent, other}</c>, <c>missing</c>, <c>= 98</c>.</summary>
    public required string Label { get; init; }

    /// <summary>What the bin holds.</summary>
    public required WoeBinKind Kind { get; init; }

    /// <summary>Training rows (weighted).</summary>
    public required double Count { get; init; }

    /// <summary>Defaults among them (weighted).</summary>
    public required double Events { get; init; }

    /// <summary>Non-defaults among them (weighted).</summary>
    public required double NonEvents { get; init; }

    /// <summary>Events / Count.</summary>
    public required double EventRate { get; init; }

    /// <summary>ln(share of all non-defaults in the bin / share of all defaults in the bin).</summary>
    public required double WeightOfEvidence { get; init; }

    /// <summary>(share of non-defaults − share of defaults) · WoE.</summary>
    public required double InformationValue { get; init; }
}

/// <summary>
/// The fitted Weight-of-Evidence binning of one feature.
/// <para>
/// Sign convention (Siddiqi, <i>Credit Risk Scorecards</i>, 2006): WoE = ln(%non-defaults / %defaults),
/// so a positive WoE marks a bin safer than average and a negative one a riskier bin. A bin with no
/// defaults or no non-defaults gets 0.5 added to both counts before the shares are taken. Information
/// Value IV = Σ (%non-defaults − %defaults) · WoE (&lt; 0.02 useless, 0.02–0.1 weak, 0.1–0.3 medium, &gt; 0.3 strong).
/// </para>
/// <para>
/// At scoring time a missing value takes the missing bin's WoE, and a value that has no bin (missing
/// when training had none, a category not seen in training) takes WoE 0, the population average.
/// </para>
/// </summary>
public sealed class WoeBinning
{
    private readonly double[] _edges;      // numeric: upper edges of range bins 0..k-2
    private readonly int _firstRangeBin;   // index of the first range bin
    private readonly double[] _specials;   // numeric: special values
    private readonly int[] _specialBins;   // their bins
    private readonly int[] _categoryBins;  // categorical: code -> bin, or -1
    private readonly int _missingBin;
    private readonly double[] _woe;
    private readonly bool _hasRanges;

    internal WoeBinning(string feature, bool categorical, WoeBin[] bins, double[] edges, int firstRangeBin, double[] specials, int[] specialBins, int[] categoryBins, int missingBin)
    {
        Feature = feature;
        IsCategorical = categorical;
        Bins = bins;
        _edges = edges;
        _firstRangeBin = firstRangeBin;
        _specials = specials;
        _specialBins = specialBins;
        _categoryBins = categoryBins;
        _missingBin = missingBin;
        _woe = bins.Select(b => b.WeightOfEvidence).ToArray();
        _hasRanges = bins.Any(b => b.Kind == WoeBinKind.Range);
        InformationValue = bins.Sum(b => b.InformationValue);
        var rangeBins = categorical ? 0 : edges.Length + 1;
        if (specials.Length != specialBins.Length
            || (!categorical && firstRangeBin + rangeBins > bins.Length)
            || specialBins.Concat(categoryBins).Append(missingBin).Any(b => b < -1 || b >= bins.Length))
        {
            throw new ArgumentException($"the WoE binning of '{feature}' is inconsistent");
        }
    }

    /// <summary>The feature's name.</summary>
    public string Feature { get; }

    /// <summary>Whether the feature is categorical (bins group category codes).</summary>
    public bool IsCategorical { get; }

    /// <summary>The bins: range or category bins in order, then special bins, then the missing bin.</summary>
    public IReadOnlyList<WoeBin> Bins { get; }

    /// <summary>The feature's Information Value (sum over bins).</summary>
    public double InformationValue { get; }

    /// <summary>The upper edges of the range bins of a numeric feature (bin k holds edges[k−1] ≤ x &lt; edges[k]).</summary>
    public IReadOnlyList<double> Edges => _edges;

    /// <summary>The bin of a value (a number, or a category code for a categorical feature), or −1 when it has none.</summary>
    /// <param name="value">The value; NaN is missing.</param>
    /// <returns>The bin index, or −1.</returns>
    public int BinOf(double value)
    {
        if (double.IsNaN(value))
        {
            return _missingBin;
        }

        if (IsCategorical)
        {
            return value >= 0 && value < _categoryBins.Length ? _categoryBins[(int)value] : -1;
        }

        for (var k = 0; k < _specials.Length; k++)
        {
            if (_specials[k] == value)
            {
                return _specialBins[k];
            }
        }

        if (!_hasRanges)
        {
            return -1; // training had no ordinary values (all missing or special)
        }

        // Upper bound of the value among the edges: bin k holds edges[k-1] <= x < edges[k].
        int lo = 0, hi = _edges.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (value < _edges[mid])
            {
                hi = mid;
            }
            else
            {
                lo = mid + 1;
            }
        }

        return _firstRangeBin + lo;
    }

    /// <summary>
    /// The lookup tables behind <see cref="BinOf"/>, for exports that rebuild it elsewhere (ONNX): the range edges, the first
    /// range bin (−1 when no training value was ordinary), the special values and their bins, the category bins by code,
    /// the missing bin, and each bin's WoE. A bin of −1 has no WoE (0).
    /// </summary>
    internal (double[] Edges, int FirstRangeBin, double[] Specials, int[] SpecialBins, int[] CategoryBins, int MissingBin, double[] Woe) Tables =>
        (_edges, _hasRanges ? _firstRangeBin : -1, _specials, _specialBins, _categoryBins, _missingBin, _woe);

    /// <summary>The WoE of a value's bin (0 when it has none).</summary>
    /// <param name="value">The value; NaN is missing.</param>
    /// <returns>The Weight of Evidence.</returns>
    public double WeightOfEvidence(double value)
    {
        var bin = BinOf(value);
        return bin >= 0 ? _woe[bin] : 0.0;
    }

    /// <summary>The binning table as CSV: <c>feature,bin,kind,count,events,nonEvents,eventRate,woe,iv</c>, one line per bin and a total line.</summary>
    /// <returns>The CSV text (invariant culture).</returns>
    public string ToCsv()
    {
        var sb = new StringBuilder("feature,bin,kind,count,events,nonEvents,eventRate,woe,iv\n");
        AppendCsv(sb);
        return sb.ToString();
    }

    internal void AppendCsv(StringBuilder sb)
    {
        static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        foreach (var b in Bins)
        {
            sb.Append(Internal.InvariantText.CsvField(Feature)).Append(',').Append(Internal.InvariantText.CsvField(b.Label)).Append(',').Append(b.Kind.ToString().ToLowerInvariant()).Append(',')
              .Append(F(b.Count)).Append(',').Append(F(b.Events)).Append(',').Append(F(b.NonEvents)).Append(',')
              .Append(F(b.EventRate)).Append(',').Append(F(b.WeightOfEvidence)).Append(',').Append(F(b.InformationValue)).Append('\n');
        }

        var count = Bins.Sum(b => b.Count);
        var events = Bins.Sum(b => b.Events);
        sb.Append(Internal.InvariantText.CsvField(Feature)).Append(",total,total,").Append(F(count)).Append(',').Append(F(events)).Append(',').Append(F(count - events)).Append(',')
          .Append(F(count > 0 ? events / count : 0)).Append(",,").Append(F(InformationValue)).Append('\n');
    }

    internal void Save(StepState state)
    {
        state.Put("binKind", Bins.Select(b => (double)b.Kind).ToArray())
            .Put("binLabel", Bins.Select(b => b.Label).ToArray())
            .Put("binEvents", Bins.Select(b => b.Events).ToArray())
            .Put("binNonEvents", Bins.Select(b => b.NonEvents).ToArray())
            .Put("binWoe", _woe)
            .Put("edges", _edges)
            .Put("firstRangeBin", _firstRangeBin)
            .Put("specials", _specials)
            .Put("specialBins", _specialBins.Select(b => (double)b).ToArray())
            .Put("categoryBins", _categoryBins.Select(b => (double)b).ToArray())
            .Put("missingBin", _missingBin)
            .Put("categorical", IsCategorical ? 1 : 0);
    }

    internal static WoeBinning Load(StepState state, string feature)
    {
        var kinds = state.Array("binKind");
        var labels = state.Texts.TryGetValue("binLabel", out var l) ? l : throw new ArgumentException("a WoE binning lacks its bin labels");
        var events = state.Array("binEvents");
        var nonEvents = state.Array("binNonEvents");
        var woe = state.Array("binWoe");
        if (labels.Length != kinds.Length || events.Length != kinds.Length || nonEvents.Length != kinds.Length || woe.Length != kinds.Length)
        {
            throw new ArgumentException($"the WoE binning of '{feature}' has bin arrays of different lengths");
        }

        var what = $"the WoE binning of '{feature}': ";
        var binKinds = ParameterCheck.Integers(kinds, what + "binKind", 0, Enum.GetValues<WoeBinKind>().Length - 1).Select(k => (WoeBinKind)k).ToArray();
        ParameterCheck.Finite(events, what + "binEvents");
        ParameterCheck.Finite(nonEvents, what + "binNonEvents");
        ParameterCheck.Finite(woe, what + "binWoe");
        var bins = WoeBinner.MakeBins(labels, binKinds, events, nonEvents, woe);
        return new WoeBinning(
            feature,
            ParameterCheck.Integer(state.Number("categorical"), what + "categorical", 0, 1) == 1,
            bins,
            ParameterCheck.FiniteAscending(state.Array("edges"), what + "edges", strictly: true),
            ParameterCheck.Integer(state.Number("firstRangeBin"), what + "firstRangeBin", 0, kinds.Length),
            ParameterCheck.Finite(state.Array("specials"), what + "specials"),
            ParameterCheck.Integers(state.Array("specialBins"), what + "specialBins", -1, kinds.Length - 1),
            ParameterCheck.Integers(state.Array("categoryBins"), what + "categoryBins", -1, kinds.Length - 1),
            ParameterCheck.Integer(state.Number("missingBin"), what + "missingBin", -1, kinds.Length - 1));
    }
}

/// <summary>
/// Fits a <see cref="WoeBinning"/>: quantile pre-bins (categories: one pre-bin per category, ordered
/// by default rate), pool-adjacent-violators merging to the monotonic trend (the maximum-likelihood
/// monotonic fit of the default rate, Barlow et al. 1972), merging of bins below the minimum share into
/// their closer neighbor, then merging the adjacent pair that loses the least Information Value until
/// at most <see cref="WoeBinningOptions.MaximumBinCount"/> bins remain — the monotonic optimal binning
/// heuristic of Mironchyk and Tchistiakov (2017), with missing and special values in bins of their own.
/// </summary>
internal static class WoeBinner
{
    private sealed class Group(double lower, double events, double nonEvents)
    {
        public double Lower = lower;          // numeric: smallest value; categorical: unused
        public double Events = events;
        public double NonEvents = nonEvents;
        public List<int> Categories = [];
        public double Count => Events + NonEvents;
        public double Rate => Count > 0 ? Events / Count : 0;
    }

    public static WoeBinning Fit(string feature, ReadOnlySpan<double> values, ReadOnlySpan<int> labels, ReadOnlySpan<double> weights, IReadOnlyList<string>? categories, WoeBinningOptions options)
    {
        var categorical = categories is not null;
        var specials = categorical ? [] : options.SpecialValues.Distinct().Order().ToArray();
        double missingEvents = 0, missingNon = 0;
        var specialEvents = new double[specials.Length];
        var specialNon = new double[specials.Length];
        var pairs = new List<(double X, double Events, double NonEvents)>(values.Length);
        for (var i = 0; i < values.Length; i++)
        {
            var w = weights.IsEmpty ? 1.0 : weights[i];
            if (w <= 0)
            {
                continue;
            }

            double e = labels[i] == 1 ? w : 0, n = labels[i] == 1 ? 0 : w;
            var x = values[i];
            if (double.IsNaN(x) || (categorical && x < 0))
            {
                missingEvents += e;
                missingNon += n;
                continue;
            }

            var s = Array.IndexOf(specials, x);
            if (s >= 0)
            {
                specialEvents[s] += e;
                specialNon[s] += n;
                continue;
            }

            pairs.Add((x, e, n));
        }

        var totalEvents = missingEvents + specialEvents.Sum() + pairs.Sum(p => p.Events);
        var totalNon = missingNon + specialNon.Sum() + pairs.Sum(p => p.NonEvents);
        if (totalEvents <= 0 || totalNon <= 0)
        {
            throw new TrainingDataException($"WoE binning of '{feature}' needs both defaults and non-defaults in the training rows.");
        }

        var groups = categorical ? CategoryGroups(pairs, categories!.Count) : Prebins(pairs, options.PrebinCount);
        var total = totalEvents + totalNon;
        if (!categorical && groups.Count > 1)
        {
            var prebins = groups;
            List<Group> Shaped(bool ascending) => Optimize(Monotonic(prebins, ascending), options, total, totalEvents, totalNon);
            List<Group> Turning(bool peak)
            {
                // The turning point where the optimized bins keep the most Information Value.
                List<Group>? best = null;
                for (var t = 1; t < prebins.Count; t++)
                {
                    var shaped = Monotonic(prebins[..t], ascending: peak).Concat(Monotonic(prebins[t..], ascending: !peak)).ToList();
                    var candidate = Optimize(shaped, options, total, totalEvents, totalNon);
                    best = best is null ? candidate : Best(best, candidate, totalEvents, totalNon);
                }

                return best ?? Shaped(peak);
            }

            groups = options.Trend switch
            {
                MonotonicTrend.Ascending => Shaped(true),
                MonotonicTrend.Descending => Shaped(false),
                MonotonicTrend.None => Optimize(groups, options, total, totalEvents, totalNon),
                MonotonicTrend.Peak => Turning(true),
                MonotonicTrend.Valley => Turning(false),
                MonotonicTrend.AutoWithTurn => Best(Best(Shaped(true), Shaped(false), totalEvents, totalNon), Best(Turning(true), Turning(false), totalEvents, totalNon), totalEvents, totalNon),
                _ => Best(Shaped(true), Shaped(false), totalEvents, totalNon),
            };
        }
        else if (categorical)
        {
            groups = Optimize(groups, options, total, totalEvents, totalNon);
        }

        var labelsOut = new List<string>();
        var kinds = new List<WoeBinKind>();
        var ev = new List<double>();
        var ne = new List<double>();
        foreach (var (g, k) in groups.Select((g, k) => (g, k)))
        {
            labelsOut.Add(categorical
                ? "{" + string.Join(", ", g.Categories.Select(c => categories![c])) + "}"
                : RangeLabel(k == 0 ? double.NegativeInfinity : g.Lower, k == groups.Count - 1 ? double.PositiveInfinity : groups[k + 1].Lower));
            kinds.Add(categorical ? WoeBinKind.Categories : WoeBinKind.Range);
            ev.Add(g.Events);
            ne.Add(g.NonEvents);
        }

        var specialBins = new int[specials.Length];
        var keptSpecials = new List<double>();
        var keptSpecialBins = new List<int>();
        for (var s = 0; s < specials.Length; s++)
        {
            if (specialEvents[s] + specialNon[s] > 0)
            {
                keptSpecials.Add(specials[s]);
                keptSpecialBins.Add(labelsOut.Count);
                labelsOut.Add("= " + specials[s].ToString("R", CultureInfo.InvariantCulture));
                kinds.Add(WoeBinKind.Special);
                ev.Add(specialEvents[s]);
                ne.Add(specialNon[s]);
            }
        }

        var missingBin = -1;
        if (missingEvents + missingNon > 0)
        {
            missingBin = labelsOut.Count;
            labelsOut.Add("missing");
            kinds.Add(WoeBinKind.Missing);
            ev.Add(missingEvents);
            ne.Add(missingNon);
        }

        var woe = new double[ev.Count];
        for (var b = 0; b < woe.Length; b++)
        {
            woe[b] = Woe(ev[b], ne[b], totalEvents, totalNon);
        }

        var bins = MakeBins([.. labelsOut], [.. kinds], [.. ev], [.. ne], woe);
        var categoryBins = Array.Empty<int>();
        var edges = Array.Empty<double>();
        if (categorical)
        {
            categoryBins = Enumerable.Repeat(-1, categories!.Count).ToArray();
            for (var b = 0; b < groups.Count; b++)
            {
                foreach (var c in groups[b].Categories)
                {
                    categoryBins[c] = b;
                }
            }
        }
        else
        {
            edges = groups.Skip(1).Select(g => g.Lower).ToArray();
        }

        return new WoeBinning(feature, categorical, bins, edges, 0, [.. keptSpecials], [.. keptSpecialBins], categoryBins, missingBin);
    }

    /// <summary>Bins with their derived statistics; the IV of a bin uses the totals over all bins.</summary>
    internal static WoeBin[] MakeBins(string[] labels, WoeBinKind[] kinds, double[] events, double[] nonEvents, double[] woe)
    {
        double totalEvents = events.Sum(), totalNon = nonEvents.Sum();
        var bins = new WoeBin[labels.Length];
        for (var b = 0; b < bins.Length; b++)
        {
            var count = events[b] + nonEvents[b];
            var (pe, pn) = Shares(events[b], nonEvents[b], totalEvents, totalNon);
            bins[b] = new WoeBin { Label = labels[b], Kind = kinds[b], Count = count, Events = events[b], NonEvents = nonEvents[b], EventRate = count > 0 ? events[b] / count : 0, WeightOfEvidence = woe[b], InformationValue = (pn - pe) * woe[b] };
        }

        return bins;
    }

    internal static double Woe(double events, double nonEvents, double totalEvents, double totalNon)
    {
        var (pe, pn) = Shares(events, nonEvents, totalEvents, totalNon);
        return Math.Log(pn / pe);
    }

    private static (double Events, double NonEvents) Shares(double events, double nonEvents, double totalEvents, double totalNon) =>
        events > 0 && nonEvents > 0 ? (events / totalEvents, nonEvents / totalNon) : ((events + 0.5) / totalEvents, (nonEvents + 0.5) / totalNon);

    private static double Iv(List<Group> groups, double totalEvents, double totalNon) =>
        groups.Sum(g =>
        {
            var (pe, pn) = Shares(g.Events, g.NonEvents, totalEvents, totalNon);
            return (pn - pe) * Math.Log(pn / pe);
        });

    private static List<Group> Best(List<Group> a, List<Group> b, double totalEvents, double totalNon) =>
        Iv(b, totalEvents, totalNon) > Iv(a, totalEvents, totalNon) ? b : a;

    private static string RangeLabel(double lower, double upper)
    {
        static string F(double v) => double.IsNegativeInfinity(v) ? "-inf" : double.IsPositiveInfinity(v) ? "inf" : v.ToString("G6", CultureInfo.InvariantCulture);
        return $"[{F(lower)}, {F(upper)})";
    }

    /// <summary>Groups of consecutive distinct values, each holding about 1/<paramref name="prebins"/> of the weight.</summary>
    private static List<Group> Prebins(List<(double X, double Events, double NonEvents)> pairs, int prebins)
    {
        pairs.Sort((a, b) => a.X.CompareTo(b.X));
        var total = pairs.Sum(p => p.Events + p.NonEvents);
        var groups = new List<Group>();
        var cumulative = 0.0;
        var next = 1;
        Group? current = null;
        for (var i = 0; i < pairs.Count; i++)
        {
            var (x, e, n) = pairs[i];
            var newValue = i == 0 || x != pairs[i - 1].X;
            if (current is null || (newValue && cumulative >= next * total / prebins))
            {
                current = new Group(x, 0, 0);
                groups.Add(current);
                while (cumulative >= next * total / prebins)
                {
                    next++;
                }
            }

            current.Events += e;
            current.NonEvents += n;
            cumulative += e + n;
        }

        return groups;
    }

    private static List<Group> CategoryGroups(List<(double X, double Events, double NonEvents)> pairs, int categoryCount)
    {
        var groups = new Group?[categoryCount];
        foreach (var (x, e, n) in pairs)
        {
            var c = (int)x;
            var g = groups[c] ??= new Group(c, 0, 0) { Categories = [c] };
            g.Events += e;
            g.NonEvents += n;
        }

        return groups.OfType<Group>().OrderBy(g => g.Rate).ThenBy(g => g.Lower).ToList();
    }

    /// <summary>Pool adjacent violators: merges neighbors until the default rate follows the trend.</summary>
    private static List<Group> Monotonic(List<Group> groups, bool ascending)
    {
        var stack = new List<Group>();
        foreach (var g0 in groups)
        {
            var g = Copy(g0);
            while (stack.Count > 0 && (ascending ? stack[^1].Rate > g.Rate : stack[^1].Rate < g.Rate))
            {
                var top = stack[^1];
                stack.RemoveAt(stack.Count - 1);
                g = Merge(top, g);
            }

            stack.Add(g);
        }

        return stack;
    }

    private static List<Group> Optimize(List<Group> groups, WoeBinningOptions options, double total, double totalEvents, double totalNon)
    {
        groups = groups.Select(Copy).ToList();

        // Bins below the minimum share join the neighbor whose default rate is closer.
        while (groups.Count > 1)
        {
            var smallest = -1;
            for (var k = 0; k < groups.Count; k++)
            {
                if (groups[k].Count < options.MinimumBinShare * total && (smallest < 0 || groups[k].Count < groups[smallest].Count))
                {
                    smallest = k;
                }
            }

            if (smallest < 0)
            {
                break;
            }

            var other = smallest == 0 ? 1
                : smallest == groups.Count - 1 ? smallest - 1
                : Math.Abs(groups[smallest - 1].Rate - groups[smallest].Rate) <= Math.Abs(groups[smallest + 1].Rate - groups[smallest].Rate) ? smallest - 1 : smallest + 1;
            MergeAt(groups, Math.Min(smallest, other));
        }

        // Then the adjacent pair whose merge loses the least Information Value, down to the cap.
        while (groups.Count > options.MaximumBinCount)
        {
            var best = 0;
            var bestLoss = double.PositiveInfinity;
            for (var k = 0; k + 1 < groups.Count; k++)
            {
                var merged = Merge(groups[k], groups[k + 1]);
                var loss = BinIv(groups[k], totalEvents, totalNon) + BinIv(groups[k + 1], totalEvents, totalNon) - BinIv(merged, totalEvents, totalNon);
                if (loss < bestLoss)
                {
                    bestLoss = loss;
                    best = k;
                }
            }

            MergeAt(groups, best);
        }

        return groups;
    }

    private static double BinIv(Group g, double totalEvents, double totalNon)
    {
        var (pe, pn) = Shares(g.Events, g.NonEvents, totalEvents, totalNon);
        return (pn - pe) * Math.Log(pn / pe);
    }

    private static void MergeAt(List<Group> groups, int k)
    {
        groups[k] = Merge(groups[k], groups[k + 1]);
        groups.RemoveAt(k + 1);
    }

    private static Group Merge(Group a, Group b) => new(Math.Min(a.Lower, b.Lower), a.Events + b.Events, a.NonEvents + b.NonEvents) { Categories = [.. a.Categories, .. b.Categories] };

    private static Group Copy(Group g) => new(g.Lower, g.Events, g.NonEvents) { Categories = [.. g.Categories] };
}

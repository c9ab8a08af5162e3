using CreditScoring.Sdk.Internal;

namespace CreditScoring.Sdk.Data;

/// <summary>A train/test split. Deconstructs as <c>var (train, test) = data.SplitStratified(0.2, context.Seed);</c>.</summary>
/// <param name="Train">The training rows, in their original order.</param>
/// <param name="Test">The test rows, in their original order.</param>
public sealed record DataSplit(CreditData Train, CreditData Test);

/// <summary>One fold of a k-fold partition.</summary>
/// <param name="Index">Zero-based fold number.</param>
/// <param name="Train">The rows of every other fold.</param>
/// <param name="Test">The rows of this fold.</param>
/// <param name="TrainRows">Row indices (into the partitioned table) of <paramref name="Train"/>, ascending.</param>
/// <param name="TestRows">Row indices of <paramref name="Test"/>, ascending.</param>
public sealed record DataFold(int Index, CreditData Train, CreditData Test, IReadOnlyList<int> TrainRows, IReadOnlyList<int> TestRows);

public sealed partial class CreditData
{
    /// <summary>
    /// Splits into train and test so that both keep the default rate: within each class the rows are
    /// shuffled with <paramref name="seed"/> and the first round(n_class × <paramref name="testFraction"/>)
    /// (halves away from zero) go to test. Both parts keep the original row order. The same data and
    /// seed always give the same split (the generator is xoshiro256**, independent of the runtime).
    /// </summary>
    /// <param name="testFraction">The share of each class that goes to test, in (0, 1).</param>
    /// <param name="seed">The shuffle seed (no default: pass the <c>CreditScoringContext</c>'s <c>Seed</c>, so that one seed decides every random choice).</param>
    /// <returns>The split.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="testFraction"/> is not in (0, 1).</exception>
    /// <exception cref="TrainingDataException">The table has no target, or a part would have no rows.</exception>
    public DataSplit SplitStratified(double testFraction, int seed)
    {
        if (!(testFraction > 0 && testFraction < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, "The test fraction must be in (0, 1).");
        }

        var test = Splitter.StratifiedTestMask(Labels, testFraction, seed);
        return SplitByMask(test, "stratified split");
    }

    /// <summary>
    /// Partitions the rows into <paramref name="folds"/> folds that keep the default rate: within each
    /// class the rows are shuffled with <paramref name="seed"/> and dealt to the folds in turn (the deal
    /// continues from class to class, so fold sizes differ by at most one).
    /// </summary>
    /// <param name="folds">The number of folds, at least 2.</param>
    /// <param name="seed">The shuffle seed (no default: pass the <c>CreditScoringContext</c>'s <c>Seed</c>, so that one seed decides every random choice).</param>
    /// <returns>The folds, in order.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="folds"/> is below 2.</exception>
    /// <exception cref="TrainingDataException">No target, or a class has fewer rows than folds.</exception>
    public IReadOnlyList<DataFold> StratifiedKFold(int folds, int seed)
    {
        var assignment = Splitter.StratifiedFolds(Labels, folds, seed);
        var result = new DataFold[folds];
        for (var k = 0; k < folds; k++)
        {
            var train = new List<int>(RowCount);
            var test = new List<int>(RowCount / folds + 1);
            for (var r = 0; r < assignment.Length; r++)
            {
                (assignment[r] == k ? test : train).Add(r);
            }

            result[k] = new DataFold(k, SelectRows(train.ToArray()), SelectRows(test.ToArray()), train, test);
        }

        return result;
    }

    /// <summary>
    /// Out-of-time split on the time column: rows before <paramref name="cutoff"/> train, rows at or after it test.
    /// </summary>
    /// <param name="cutoff">The first test date (compared in UTC; an unspecified kind is taken as UTC).</param>
    /// <returns>The split.</returns>
    /// <exception cref="TrainingDataException">No time column, it is not a date, a time is missing, or a part would be empty.</exception>
    public DataSplit SplitOutOfTime(DateTime cutoff)
    {
        if (TimeColumn is not DateColumn dates)
        {
            throw new TrainingDataException(TimeColumn is null
                ? "An out-of-time split needs a time column; load the data with o.Time(\"application_date\")."
                : $"The time column '{TimeColumn.Name}' is {TimeColumn.Kind}; a date cutoff needs a date column (use SplitOutOfTime(testFraction) for a numeric time).");
        }

        var times = TimeValues();
        var limit = DateColumn.ToDays(cutoff);
        var test = new bool[RowCount];
        for (var r = 0; r < test.Length; r++)
        {
            test[r] = times[r] >= limit;
        }

        return SplitByMask(test, $"out-of-time split at {cutoff:O} on '{dates.Name}'");
    }

    /// <summary>
    /// Out-of-time split by share: the cutoff is the time of the row at position ⌊n × (1 − <paramref name="testFraction"/>)⌋
    /// in time order, and every row at or after that time is test (so ties at the cutoff all go to test).
    /// </summary>
    /// <param name="testFraction">The approximate share of the latest rows that go to test, in (0, 1).</param>
    /// <returns>The split.</returns>
    /// <exception cref="TrainingDataException">No time column, a time is missing, or a part would be empty.</exception>
    public DataSplit SplitOutOfTime(double testFraction)
    {
        if (!(testFraction > 0 && testFraction < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, "The test fraction must be in (0, 1).");
        }

        var times = TimeValues();
        var sorted = times.ToArray();
        Array.Sort(sorted);
        var cutoff = sorted[(int)Math.Floor(sorted.Length * (1 - testFraction))];
        var test = new bool[RowCount];
        for (var r = 0; r < test.Length; r++)
        {
            test[r] = times[r] >= cutoff;
        }

        return SplitByMask(test, $"out-of-time split ({testFraction:P0} latest) on '{TimeColumn!.Name}'");
    }

    private ReadOnlySpan<double> TimeValues()
    {
        var values = TimeColumn switch
        {
            DateColumn d => d.DaysSinceEpoch,
            NumericColumn n => n.Values,
            null => throw new TrainingDataException("An out-of-time split needs a time column; load the data with o.Time(\"application_date\")."),
            _ => throw new TrainingDataException($"The time column '{TimeColumn.Name}' must be a date or a number."),
        };
        var missing = 0;
        foreach (var v in values)
        {
            if (double.IsNaN(v))
            {
                missing++;
            }
        }

        if (missing > 0)
        {
            throw new TrainingDataException($"The time column '{TimeColumn!.Name}' has {missing} missing value(s); an out-of-time split needs a time on every row.");
        }

        return values;
    }

    private DataSplit SplitByMask(bool[] test, string what)
    {
        var trainRows = new List<int>(RowCount);
        var testRows = new List<int>(RowCount);
        for (var r = 0; r < test.Length; r++)
        {
            (test[r] ? testRows : trainRows).Add(r);
        }

        if (trainRows.Count == 0 || testRows.Count == 0)
        {
            throw new TrainingDataException($"The {what} leaves {(trainRows.Count == 0 ? "no training rows" : "no test rows")} out of {RowCount}.");
        }

        return new DataSplit(SelectRows(trainRows.ToArray()), SelectRows(testRows.ToArray()));
    }
}

/// <summary>Seeded, deterministic split kernels over label spans.</summary>
internal static class Splitter
{
    public static bool[] StratifiedTestMask(ReadOnlySpan<int> labels, double testFraction, int seed)
    {
        var test = new bool[labels.Length];
        for (var cls = 0; cls <= 1; cls++)
        {
            var rows = RowsOfClass(labels, cls);
            DeterministicRandom.Derive(seed, cls).ShuffleInplace(rows.AsSpan());
            var n = (int)Math.Round(rows.Length * testFraction, MidpointRounding.AwayFromZero);
            for (var i = 0; i < n; i++)
            {
                test[rows[i]] = true;
            }
        }

        return test;
    }

    public static int[] StratifiedFolds(ReadOnlySpan<int> labels, int folds, int seed)
    {
        if (folds < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(folds), folds, "At least 2 folds are needed.");
        }

        var assignment = new int[labels.Length];
        var next = 0;
        for (var cls = 1; cls >= 0; cls--)
        {
            var rows = RowsOfClass(labels, cls);
            if (rows.Length < folds)
            {
                throw new TrainingDataException($"Class {cls} has {rows.Length} row(s), fewer than the {folds} folds; every fold needs both classes.");
            }

            DeterministicRandom.Derive(seed, cls).ShuffleInplace(rows.AsSpan());
            foreach (var r in rows)
            {
                assignment[r] = next;
                next = (next + 1) % folds;
            }
        }

        return assignment;
    }

    private static int[] RowsOfClass(ReadOnlySpan<int> labels, int cls)
    {
        var count = 0;
        foreach (var y in labels)
        {
            if (y == cls)
            {
                count++;
            }
        }

        var rows = new int[count];
        var k = 0;
        for (var r = 0; r < labels.Length; r++)
        {
            if (labels[r] == cls)
            {
                rows[k++] = r;
            }
        }

        return rows;
    }
}

using System.Globalization;
using System.Runtime.CompilerServices;
using CreditScoring.Sdk.Data;

namespace CreditScoring.Sdk.Decisions;

/// <summary>
/// What each decision outcome costs, with "positive" meaning predicted default (declined):
/// a false negative is an approved applicant who defaults (the loss), a false positive a declined applicant who
/// would have repaid (the lost margin). Costs are constants, or per applicant from columns of the data
/// (e.g. FN cost = loan amount × LGD): the cost of an outcome for a row is <c>constant + factor × column value</c>.
/// Negative costs are benefits (e.g. the margin earned on a true negative).
/// </summary>
public sealed class CostMatrix
{
    private CostMatrix(Term falseNegative, Term falsePositive, Term truePositive, Term trueNegative)
    {
        FalseNegative = falseNegative;
        FalsePositive = falsePositive;
        TruePositive = truePositive;
        TrueNegative = trueNegative;
    }

    /// <summary>The cost of approving an applicant who defaults.</summary>
    public Term FalseNegative { get; }

    /// <summary>The cost of declining an applicant who would have repaid.</summary>
    public Term FalsePositive { get; }

    /// <summary>The cost of declining an applicant who would have defaulted (usually 0).</summary>
    public Term TruePositive { get; }

    /// <summary>The cost of approving an applicant who repays (usually 0, or minus the margin earned).</summary>
    public Term TrueNegative { get; }

    /// <summary><see langword="true"/> when some cost is read from a column.</summary>
    public bool IsPerApplicant => FalseNegative.Column is not null || FalsePositive.Column is not null || TruePositive.Column is not null || TrueNegative.Column is not null;

    /// <summary>Constant costs.</summary>
    /// <param name="falseNegative">Cost of an approved default, e.g. 10.</param>
    /// <param name="falsePositive">Cost of a declined good applicant, e.g. 1.</param>
    /// <param name="truePositive">Cost of a declined default; default 0.</param>
    /// <param name="trueNegative">Cost of an approved good applicant; default 0.</param>
    /// <returns>The matrix.</returns>
    /// <exception cref="ConfigurationException">A cost is not finite, or declining a default costs more than approving it, or approving a good applicant costs more than declining them (no threshold would then make sense).</exception>
    public static CostMatrix Create(double falseNegative, double falsePositive, double truePositive = 0, double trueNegative = 0) =>
        new CostMatrix(new Term(falseNegative), new Term(falsePositive), new Term(truePositive), new Term(trueNegative)).Validated();

    /// <summary>
    /// Per-applicant costs from columns: each outcome costs <c>constant + factor × value</c> of its column, e.g.
    /// <c>CostMatrix.FromColumns(falseNegative: new("AMT_CREDIT", 0.45), falsePositive: new("AMT_CREDIT", 0.05))</c>
    /// for a loss given default of 45 % and a lost margin of 5 % of the loan.
    /// </summary>
    /// <param name="falseNegative">The cost of an approved default.</param>
    /// <param name="falsePositive">The cost of a declined good applicant.</param>
    /// <param name="truePositive">The cost of a declined default; default 0.</param>
    /// <param name="trueNegative">The cost of an approved good applicant; default 0.</param>
    /// <returns>The matrix.</returns>
    public static CostMatrix FromColumns(Term falseNegative, Term falsePositive, Term? truePositive = null, Term? trueNegative = null)
    {
        ArgumentNullException.ThrowIfNull(falseNegative);
        ArgumentNullException.ThrowIfNull(falsePositive);
        return new CostMatrix(falseNegative, falsePositive, truePositive ?? new Term(0), trueNegative ?? new Term(0)).Validated();
    }

    /// <summary>The cost of each outcome for each row of <paramref name="data"/>.</summary>
    /// <param name="data">The rows (must hold the cost columns when costs are per applicant).</param>
    /// <returns>The costs.</returns>
    /// <exception cref="ConfigurationException">A cost column is absent or not numeric.</exception>
    /// <exception cref="TrainingDataException">A cost column is missing or infinite at a row.</exception>
    public RowCosts Resolve(CreditData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return new RowCosts(data.RowCount, FalseNegative.Values(data, "false-negative"), FalsePositive.Values(data, "false-positive"), TruePositive.Values(data, "true-positive"), TrueNegative.Values(data, "true-negative"));
    }

    /// <summary>Whether <see cref="Resolve"/> can read every cost column from <paramref name="data"/>.</summary>
    /// <param name="data">The rows.</param>
    /// <returns><see langword="true"/> when the costs are constant or every cost column is a numeric column of the data.</returns>
    public bool CanResolve(CreditData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return new[] { FalseNegative, FalsePositive, TruePositive, TrueNegative }
            .All(t => t.Column is null || data.Columns.Any(c => c.Name == t.Column && c is NumericColumn));
    }

    /// <summary>The costs when they are all constant.</summary>
    /// <param name="rows">The number of rows.</param>
    /// <returns>The costs.</returns>
    /// <exception cref="ConfigurationException">Some cost is read from a column.</exception>
    public RowCosts Constant(int rows) => IsPerApplicant
        ? throw new ConfigurationException($"The cost matrix reads columns ({this}); resolve it against the data with Resolve(data).")
        : new RowCosts(rows, [FalseNegative.Constant], [FalsePositive.Constant], [TruePositive.Constant], [TrueNegative.Constant]);

    /// <inheritdoc />
    public override string ToString() => $"FN {FalseNegative}, FP {FalsePositive}, TP {TruePositive}, TN {TrueNegative}";

    private CostMatrix Validated()
    {
        if (!IsPerApplicant && TruePositive.Constant > FalseNegative.Constant)
        {
            throw new ConfigurationException($"Declining a default (TP cost {TruePositive}) costs more than approving it (FN cost {FalseNegative}); every threshold would then approve defaults. Check the costs.");
        }

        if (!IsPerApplicant && TrueNegative.Constant > FalsePositive.Constant)
        {
            throw new ConfigurationException($"Approving a good applicant (TN cost {TrueNegative}) costs more than declining them (FP cost {FalsePositive}). Check the costs.");
        }

        return this;
    }

    /// <summary>One outcome's cost: <c>Constant + Factor × value of Column</c> (the column part only when a column is named).</summary>
    /// <param name="Column">The numeric column, or <see langword="null"/> for a constant cost.</param>
    /// <param name="Factor">Multiplies the column's value; default 1.</param>
    /// <param name="Constant">Added to every row; default 0.</param>
    public sealed record Term(string? Column, double Factor = 1, double Constant = 0)
    {
        /// <summary>A constant cost.</summary>
        /// <param name="constant">The cost.</param>
        public Term(double constant)
            : this(null, 0, constant)
        {
        }

        /// <summary>
        /// Reads a term from text: a number (<c>10</c>, a constant cost), a column (<c>AMT_CREDIT</c>, factor 1), or
        /// <c>COLUMN*FACTOR</c> (<c>AMT_CREDIT*0.45</c>); numbers in the invariant culture. The CLI's <c>--cost-fn</c> and
        /// <c>--cost-fp</c> take this grammar.
        /// </summary>
        /// <param name="text">The text.</param>
        /// <returns>The term.</returns>
        /// <exception cref="ConfigurationException">The text is empty, or has a <c>*</c> without a column before it or a number after it.</exception>
        public static Term Parse(string text)
        {
            ArgumentNullException.ThrowIfNull(text);
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var constant))
            {
                return new Term(constant);
            }

            var star = text.LastIndexOf('*');
            if (star < 0 && text.Trim().Length > 0)
            {
                return new Term(text.Trim());
            }

            return star > 0 && text[..star].Trim().Length > 0 && double.TryParse(text[(star + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var factor)
                ? new Term(text[..star].Trim(), factor)
                : throw new ConfigurationException($"the cost '{text}' is not a number, a column, or COLUMN*FACTOR (e.g. 10, or AMT_CREDIT*0.45).");
        }

        /// <inheritdoc />
        public override string ToString() => Column is null
            ? Constant.ToString("R", CultureInfo.InvariantCulture)
            : $"{(Constant != 0 ? Constant.ToString("R", CultureInfo.InvariantCulture) + " + " : "")}{Factor.ToString("R", CultureInfo.InvariantCulture)} x {Column}";

        internal double[] Values(CreditData data, string outcome)
        {
            if (!double.IsFinite(Constant) || !double.IsFinite(Factor))
            {
                throw new ConfigurationException($"The {outcome} cost {this} is not finite.");
            }

            if (Column is null)
            {
                return [Constant];
            }

            var column = data.Columns.FirstOrDefault(c => c.Name == Column)
                ?? throw new ConfigurationException($"The {outcome} cost reads column '{Column}', which the data does not have.");
            if (column is not NumericColumn numeric)
            {
                throw new ConfigurationException($"The {outcome} cost reads column '{Column}', which is {column.Kind.ToString().ToLowerInvariant()}; a cost column must be numeric.");
            }

            var x = numeric.Values;
            var values = new double[x.Length];
            for (var i = 0; i < x.Length; i++)
            {
                if (!double.IsFinite(x[i]))
                {
                    throw new TrainingDataException($"The {outcome} cost column '{Column}' is {(double.IsNaN(x[i]) ? "missing" : "infinite")} at row {i + 1}; every applicant needs a cost.");
                }

                values[i] = Constant + (Factor * x[i]);
            }

            return values;
        }
    }
}

/// <summary>The cost of each outcome for each row (an array of one value when the cost is constant).</summary>
public sealed class RowCosts
{
    private readonly double[] _fn;
    private readonly double[] _fp;
    private readonly double[] _tp;
    private readonly double[] _tn;

    internal RowCosts(int rows, double[] falseNegative, double[] falsePositive, double[] truePositive, double[] trueNegative)
    {
        Rows = rows;
        _fn = falseNegative;
        _fp = falsePositive;
        _tp = truePositive;
        _tn = trueNegative;
    }

    /// <summary>The rows.</summary>
    public int Rows { get; }

    /// <summary>The cost of approving row <paramref name="i"/> when it defaults.</summary>
    /// <param name="i">The row.</param>
    /// <returns>The cost.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double FalseNegative(int i) => _fn.Length == 1 ? _fn[0] : _fn[i];

    /// <summary>The cost of declining row <paramref name="i"/> when it repays.</summary>
    /// <param name="i">The row.</param>
    /// <returns>The cost.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double FalsePositive(int i) => _fp.Length == 1 ? _fp[0] : _fp[i];

    /// <summary>The cost of declining row <paramref name="i"/> when it defaults.</summary>
    /// <param name="i">The row.</param>
    /// <returns>The cost.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double TruePositive(int i) => _tp.Length == 1 ? _tp[0] : _tp[i];

    /// <summary>The cost of approving row <paramref name="i"/> when it repays.</summary>
    /// <param name="i">The row.</param>
    /// <returns>The cost.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double TrueNegative(int i) => _tn.Length == 1 ? _tn[0] : _tn[i];

    /// <summary>The costs of a subset of rows, in the given order.</summary>
    /// <param name="rows">Row indices.</param>
    /// <returns>The subset's costs.</returns>
    public RowCosts Select(IReadOnlyList<int> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        double[] Pick(double[] v) => v.Length == 1 ? v : rows.Select(r => v[r]).ToArray();
        return new RowCosts(rows.Count, Pick(_fn), Pick(_fp), Pick(_tp), Pick(_tn));
    }
}

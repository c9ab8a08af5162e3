using CreditScoring.Sdk.Data;

namespace CreditScoring.Sdk.TestUtils;

/// <summary>Seeded synthetic credit data with a known logistic relationship, numeric and categorical inputs and missing values.</summary>
public static class SyntheticCredit
{
    /// <summary>
    /// Rows with <c>income</c> (log-normal, 10 % missing), <c>age</c> (18–80), <c>utilization</c> (0–1.5),
    /// <c>region</c> (A–E, 2 % missing), <c>id</c> and <c>target</c> drawn from logit = −2.2 − 0.8·z(income) + 2·(utilization − 0.5) − 0.02·(age − 45) + region effect.
    /// </summary>
    public static CreditData Generate(int rows, int seed = 42, bool withWeights = false)
    {
        var rng = new Random(seed);
        var income = new double[rows];
        var age = new double[rows];
        var utilization = new double[rows];
        var region = new string?[rows];
        var target = new double[rows];
        var id = new double[rows];
        var weight = new double[rows];
        string[] regions = ["A", "B", "C", "D", "E"];
        double[] effect = [0.0, 0.3, -0.2, 0.6, -0.5];
        for (var i = 0; i < rows; i++)
        {
            var z = Normal(rng);
            income[i] = Math.Exp(10 + (0.5 * z));
            age[i] = 18 + rng.Next(63);
            utilization[i] = 1.5 * rng.NextDouble();
            var r = rng.Next(regions.Length);
            region[i] = regions[r];
            var logit = -2.2 - (0.8 * z) + (2 * (utilization[i] - 0.5)) - (0.02 * (age[i] - 45)) + effect[r];
            target[i] = rng.NextDouble() < 1 / (1 + Math.Exp(-logit)) ? 1 : 0;
            if (rng.NextDouble() < 0.10)
            {
                income[i] = double.NaN;
            }

            if (rng.NextDouble() < 0.02)
            {
                region[i] = null;
            }

            id[i] = 100_000 + i;
            weight[i] = 0.5 + rng.NextDouble();
        }

        var columns = new List<DataColumn>
        {
            new NumericColumn("id", id),
            new NumericColumn("income", income),
            new NumericColumn("age", age),
            new NumericColumn("utilization", utilization),
            new CategoricalColumn("region", region),
            new NumericColumn("target", target),
        };
        if (withWeights)
        {
            columns.Add(new NumericColumn("weight", weight));
        }

        return CreditData.FromColumns(columns, o =>
        {
            o.Target("target").Id("id");
            if (withWeights)
            {
                o.Weight("weight");
            }
        });
    }

    private static double Normal(Random rng)
    {
        var u1 = 1.0 - rng.NextDouble();
        var u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}

using System.Globalization;
using CreditScoring.Sdk.Interop;
using CreditScoring.Sdk.Learners.GradientBoosting;

namespace CreditScoring.Sdk.Tests.Learners;

/// <summary>
/// Our TreeSHAP against XGBoost's own (<c>pred_contribs</c>, XGBoost 1.7.4) on our gradient-boosted trees exported to
/// XGBoost JSON: Fixtures/make_treeshap_fixture.py says how the fixture was made, from the MIT credit data.
/// </summary>
public class TreeShapXGBoostTests
{
    [Fact]
    public void OurContributions_EqualXGBoostPredContribs_OnEveryFixtureRow()
    {
        var predictor = XGBoostModel.Import(TestPaths.Fixture("treeshap_gbdt.xgb.json"));
        var rows = ReadCsv(TestPaths.Fixture("treeshap_rows.csv"), out var names);
        var reference = ReadCsv(TestPaths.Fixture("treeshap_xgb_contribs.csv"), out var referenceNames);
        Assert.Equal(300, rows.Length);
        Assert.Equal(names, referenceNames[..names.Length]);
        Assert.Equal(names, predictor.Features.Select(f => f.Name));
        var phi = new double[names.Length];
        double worst = 0, worstBias = 0;

        for (var r = 0; r < rows.Length; r++)
        {
            var bias = predictor.ExplainMargin(rows[r], phi);
            worstBias = Math.Max(worstBias, Math.Abs(bias - reference[r][names.Length]));
            for (var j = 0; j < names.Length; j++)
            {
                worst = Math.Max(worst, Math.Abs(phi[j] - reference[r][j]));
            }
        }

        Assert.True(worst <= 1e-6, $"largest |ours - XGBoost| over {rows.Length} rows x {names.Length} features = {worst:G3}");
        Assert.True(worstBias <= 1e-6, $"largest |base value - XGBoost bias| = {worstBias:G3}");
    }

    private static double[][] ReadCsv(string path, out string[] header)
    {
        var lines = File.ReadAllLines(path);
        header = lines[0].Split(',');
        return [.. lines.Skip(1).Select(l => l.Split(',').Select(v => v.Length == 0 ? double.NaN : double.Parse(v, CultureInfo.InvariantCulture)).ToArray())];
    }
}

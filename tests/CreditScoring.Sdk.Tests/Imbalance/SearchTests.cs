using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Decisions;
using CreditScoring.Sdk.Learners.GradientBoosting;
using CreditScoring.Sdk.Learners.Linear;
using CreditScoring.Sdk.Training;
using CreditScoring.Sdk.Tuning;
using Xunit;

namespace CreditScoring.Sdk.Tests.Imbalance;

public class SearchTests
{
    private static CreditData Credit() => CreditData.ReadCsv(TestPaths.CreditData, o => o.Target("default"));

    [Fact]
    public void Grid_search_tries_every_combination_and_each_trial_is_the_pipelines_own_cross_validation()
    {
        var data = Credit();
        var context = new CreditScoringContext(seed: 2);
        var space = new SearchSpace().Values("L2Regularization", 0.01, 1.0, 1000.0).Values("Standardize", true, false);
        var result = HyperparameterSearch.Run(context, data, "logistic", space, new SearchOptions { Strategy = SearchStrategy.Grid, Folds = 3, Costs = CostMatrix.Create(5, 1) });

        Assert.Equal(6, result.Trials.Count);
        Assert.Equal(result.Trials.Max(t => t.Auc), result.Best.Auc);
        Assert.Equal(6, result.Trials.Select(t => string.Join(",", t.Parameters.Values)).Distinct().Count());
        Assert.Contains("L2Regularization=" + result.Best.Parameters["L2Regularization"], result.BestOptions);

        // A trial's figures are exactly those of cross-validating that candidate's pipeline.
        var trial = result.Trials[1];
        var cv = context.CreatePipeline().Train(LearnerCatalog.Create("logistic", trial.Parameters.Select(p => $"{p.Key}={p.Value}"))).Build().CrossValidate(data, 3);
        Assert.Equal(cv.OutOfFold.Auc, trial.Auc);
        Assert.Equal(cv.OutOfFold.LogLoss, trial.LogLoss);
        var business = ThresholdAnalysis.Analyze(cv.OutOfFoldProbabilities, data.Labels, CostMatrix.Create(5, 1).Constant(data.RowCount)).Choose(ThresholdObjective.MinimumCost).BusinessScore;
        Assert.Equal(business, trial.BusinessScore);

        // Heavy regularisation ranks worse.
        Assert.True(result.Trials.Where(t => t.Parameters["L2Regularization"] == "1000").Max(t => t.Auc) < result.Best.Auc);
    }

    [Fact]
    public void Typed_search_names_options_by_property_and_gives_the_same_trials_as_the_named_one()
    {
        var data = Credit();
        var context = new CreditScoringContext(seed: 4);
        var search = new SearchOptions { Strategy = SearchStrategy.Random, Candidates = 4, Folds = 3 };
        var typed = HyperparameterSearch.Run(
            context,
            data,
            new SearchSpace<LogisticRegressionOptions>().LogUniform(o => o.L2Regularization, 0.001, 100).Values(o => o.Standardize, true, false),
            o => new LogisticRegressionLearner(o),
            search,
            baseOptions: () => new LogisticRegressionOptions { MaximumNumberOfIterations = 60 });
        var named = HyperparameterSearch.Run(context, data, "logistic", new SearchSpace().LogUniform("L2Regularization", 0.001, 100).Values("Standardize", true, false), search, ["MaximumNumberOfIterations=60"]);

        Assert.Equal(named.Trials.Select(t => (t.Auc, t.LogLoss, string.Join(",", t.Parameters))), typed.Trials.Select(t => (t.Auc, t.LogLoss, string.Join(",", t.Parameters))));
        Assert.Equal(named.Best.Candidate, typed.Best.Candidate);

        // The best candidate's options come back typed: base options kept, searched values set exactly as tried.
        var best = typed.BestLearnerOptions;
        Assert.Equal(60, best.MaximumNumberOfIterations);
        Assert.Equal(double.Parse(typed.Best.Parameters["L2Regularization"], System.Globalization.CultureInfo.InvariantCulture), best.L2Regularization);
        Assert.Equal(bool.Parse(typed.Best.Parameters["Standardize"]), best.Standardize);
        Assert.Equal(typed.Best.Auc, context.CreatePipeline().Train(new LogisticRegressionLearner(best)).Build().CrossValidate(data, 3).OutOfFold.Auc);
    }

    [Fact]
    public void Typed_search_refuses_a_selector_that_is_not_a_settable_option()
    {
        var e = Assert.Throws<ConfigurationException>(() => new SearchSpace<GradientBoostingOptions>().Values(o => o.NumberOfLeaves + 1, 3, 4));

        Assert.Equal("a search option must select a settable property of GradientBoostingOptions, e.g. o => o.NumberOfLeaves; got o => (o.NumberOfLeaves + 1).", e.Message);
    }

    [Fact]
    public void Random_search_is_reproducible_and_optimises_the_chosen_metric()
    {
        var data = Credit();
        var space = new SearchSpace().LogUniform("L2Regularization", 0.001, 100).Integers("MaximumNumberOfIterations", 20, 100);
        SearchResult Run(SearchMetric metric) => HyperparameterSearch.Run(new CreditScoringContext(seed: 8), data, "logistic", space, new SearchOptions { Candidates = 4, Folds = 3, Metric = metric, Costs = CostMatrix.Create(10, 1) });
        var a = Run(SearchMetric.LogLoss);
        var b = Run(SearchMetric.LogLoss);
        Assert.Equal(a.Trials.Select(t => t.LogLoss), b.Trials.Select(t => t.LogLoss));
        Assert.Equal(a.Trials.Min(t => t.LogLoss), a.Best.LogLoss);
        Assert.All(a.Trials, t => Assert.InRange(double.Parse(t.Parameters["L2Regularization"], System.Globalization.CultureInfo.InvariantCulture), 0.001, 100));
        var c = Run(SearchMetric.BusinessScore);
        Assert.Equal(c.Trials.Max(t => t.BusinessScore), c.Best.BusinessScore);
    }

    [Fact]
    public void Successive_halving_keeps_the_best_third_on_three_times_the_rows()
    {
        var data = Credit();
        var space = new SearchSpace().LogUniform("L2Regularization", 0.001, 1000);
        var result = HyperparameterSearch.Run(new CreditScoringContext(seed: 1), data, "logistic", space, new SearchOptions { Strategy = SearchStrategy.SuccessiveHalving, Candidates = 9, Folds = 3, MinimumRows = 100 });

        var rounds = result.Trials.GroupBy(t => t.Round).OrderBy(g => g.Key).ToArray();
        Assert.Equal([9, 3], rounds.Select(r => r.Count()));
        Assert.Equal(data.RowCount / 3, rounds[0].First().Rows);
        Assert.Equal(data.RowCount, rounds[1].First().Rows);
        var survivors = rounds[0].OrderByDescending(t => t.Score).ThenBy(t => t.Candidate).Take(3).Select(t => t.Candidate).Order();
        Assert.Equal(survivors, rounds[1].Select(t => t.Candidate).Order());
        Assert.Equal(rounds[1].Max(t => t.Auc), result.Best.Auc);
    }

    [Fact]
    public void Bad_search_descriptions_fail_before_anything_runs()
    {
        var data = Credit();
        Assert.Contains("has no option 'Leaves'", Assert.Throws<ConfigurationException>(() => HyperparameterSearch.Run(new CreditScoringContext(), data, "logistic", new SearchSpace().Values("Leaves", 1))).Message);
        Assert.Contains("needs SearchOptions.Costs", Assert.Throws<ConfigurationException>(() => HyperparameterSearch.Run(new CreditScoringContext(), data, "logistic", new SearchSpace().Values("L2Regularization", 1), new SearchOptions { Metric = SearchMetric.BusinessScore })).Message);
        Assert.Contains("is a range", Assert.Throws<ConfigurationException>(() => HyperparameterSearch.Run(new CreditScoringContext(), data, "logistic", new SearchSpace().Uniform("L2Regularization", 0, 1), new SearchOptions { Strategy = SearchStrategy.Grid })).Message);
        Assert.Equal("s: unknown key \"trials\"; expected strategy, candidates, folds, metric, factor, minimumRows, parameters.", Assert.Throws<ConfigurationException>(() => HyperparameterSearchJson.Read("""{ "trials": 3 }""", "s")).Message);
        Assert.Equal("s: \"strategy\" is 'bayes'; use grid, random or halving.", Assert.Throws<ConfigurationException>(() => HyperparameterSearchJson.Read("""{ "strategy": "bayes", "parameters": { "A": [1] } }""", "s")).Message);
        var (space, options) = HyperparameterSearchJson.Read("""{ "strategy": "halving", "candidates": 9, "metric": "business", "parameters": { "NumberOfLeaves": [15, 31], "LearningRate": { "min": 0.01, "max": 0.3, "scale": "log" } } }""");
        Assert.Equal(SearchStrategy.SuccessiveHalving, options.Strategy);
        Assert.Equal(SearchMetric.BusinessScore, options.Metric);
        Assert.Equal(["NumberOfLeaves", "LearningRate"], space.Options);
    }
}

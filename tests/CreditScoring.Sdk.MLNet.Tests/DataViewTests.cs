using CreditScoring.Sdk.Data;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace CreditScoring.Sdk.MLNet.Tests;

/// <summary>CreditData as an ML.NET IDataView and back: the schema mapping, every value, and ML.NET using the view.</summary>
public class DataViewTests
{
    private static CreditData Mixed() => CreditData.FromColumns(
        [
            new NumericColumn("Income", [1200.5, double.NaN, 0, -3.25, 1e30]),
            new CategoricalColumn("Home", ["rent", null, "own", "rent", "other"]),
            new DateColumn("Applied", [new DateTime(2024, 1, 31, 0, 0, 0, DateTimeKind.Utc), new DateTime(2024, 2, 1, 12, 30, 0, DateTimeKind.Utc), new DateTime(2023, 12, 1, 0, 0, 0, DateTimeKind.Utc), new DateTime(2024, 3, 5, 0, 0, 0, DateTimeKind.Utc), new DateTime(2024, 3, 6, 0, 0, 0, DateTimeKind.Utc)]),
            new NumericColumn("Weight", [1, 2, 0.5, 1, 3]),
            new NumericColumn("Default", [0, 1, 0, 1, 0]),
        ],
        o => o.Target("Default").Weight("Weight"));

    [Fact]
    public void The_view_maps_numbers_to_double_categories_to_text_dates_to_DateTime_and_the_target_to_a_Boolean()
    {
        var view = Mixed().ToDataView();

        Assert.Equal(["Income", "Home", "Applied", "Weight", "Default"], view.Schema.Select(c => c.Name));
        Assert.Equal(NumberDataViewType.Double, view.Schema["Income"].Type);
        Assert.Equal(TextDataViewType.Instance, view.Schema["Home"].Type);
        Assert.Equal(DateTimeDataViewType.Instance, view.Schema["Applied"].Type);
        Assert.Equal(NumberDataViewType.Double, view.Schema["Weight"].Type);
        Assert.Equal(BooleanDataViewType.Instance, view.Schema["Default"].Type);
        Assert.Equal(5, view.GetRowCount());
        Assert.Equal([1200.5, double.NaN, 0, -3.25, 1e30], view.GetColumn<double>("Income"));
        Assert.Equal(["rent", "", "own", "rent", "other"], view.GetColumn<ReadOnlyMemory<char>>("Home").Select(m => m.ToString()));
        Assert.Equal(new DateTime(2024, 2, 1, 12, 30, 0, DateTimeKind.Utc), view.GetColumn<DateTime>("Applied").ElementAt(1));
        Assert.Equal([false, true, false, true, false], view.GetColumn<bool>("Default"));
    }

    [Fact]
    public void Keys_number_the_sorted_categories_from_1_with_0_for_missing_and_carry_them_as_key_values()
    {
        var view = Mixed().ToDataView(new CreditDataViewOptions { Categories = CategoryEncoding.Key, Numbers = NumberEncoding.SinglePrecision });

        var home = view.Schema["Home"];
        Assert.Equal(new KeyDataViewType(typeof(uint), 3), home.Type);
        var names = default(VBuffer<ReadOnlyMemory<char>>);
        home.GetKeyValues(ref names);
        Assert.Equal(["other", "own", "rent"], names.DenseValues().Select(m => m.ToString()));
        Assert.Equal([3u, 0u, 2u, 3u, 1u], view.GetColumn<uint>("Home"));
        Assert.Equal(NumberDataViewType.Single, view.Schema["Income"].Type);
        Assert.Equal([1200.5f, float.NaN, 0f, -3.25f, 1e30f], view.GetColumn<float>("Income"));
    }

    [Theory]
    [InlineData(CategoryEncoding.Text)]
    [InlineData(CategoryEncoding.Key)]
    public void A_table_comes_back_from_its_view_with_every_value_and_role(CategoryEncoding categories)
    {
        var data = CreditData.ReadCsv(TestPaths.CreditData, o => o.Target("default"));

        var back = data.ToDataView(new CreditDataViewOptions { Categories = categories }).ToCreditData(o => o.Target("default"));

        Assert.Equal(data.Schema.ToString(), back.Schema.ToString());
        Assert.Equal(data.RowCount, back.RowCount);
        for (var c = 0; c < data.Columns.Count; c++)
        {
            for (var r = 0; r < data.RowCount; r++)
            {
                Assert.Equal(data.Columns[c].FormatValue(r), back.Columns[c].FormatValue(r));
            }
        }

        Assert.Equal(data.Fingerprint, back.Fingerprint);
    }

    [Fact]
    public void Dates_and_weights_come_back_too()
    {
        var data = Mixed();

        var back = data.ToDataView().ToCreditData(o => o.Target("Default").Weight("Weight"));

        Assert.Equal(data.Schema.ToString(), back.Schema.ToString());
        Assert.Equal(data.Fingerprint, back.Fingerprint);
        Assert.Equal([1, 2, 0.5, 1, 3], back.Weights.ToArray());
    }

    [Fact]
    public void Options_changed_after_the_view_is_made_do_not_change_it()
    {
        var options = new CreditDataViewOptions { Categories = CategoryEncoding.Key };
        var view = Mixed().ToDataView(options);

        options.Categories = CategoryEncoding.Text;
        options.Numbers = NumberEncoding.SinglePrecision;

        Assert.Equal([3u, 0u, 2u, 3u, 1u], view.GetColumn<uint>("Home"));
        Assert.Equal(1200.5, view.GetColumn<double>("Income").First());
    }

    [Fact]
    public void A_shuffled_cursor_visits_every_row_once()
    {
        var view = Mixed().ToDataView();
        var income = view.Schema["Income"];

        var seen = new List<double>();
        using (var cursor = view.GetRowCursor([income], new Random(7)))
        {
            var get = cursor.GetGetter<double>(income);
            var value = 0.0;
            while (cursor.MoveNext())
            {
                get(ref value);
                seen.Add(value);
            }
        }

        Assert.Equal(new[] { 1200.5, double.NaN, 0, -3.25, 1e30 }.Order(), seen.Order());
    }

    [Fact]
    public void A_getter_of_the_wrong_type_or_an_inactive_column_is_refused_by_name()
    {
        var view = Mixed().ToDataView();
        using var cursor = view.GetRowCursor([view.Schema["Income"]]);

        var wrongType = Assert.Throws<InvalidOperationException>(() => cursor.GetGetter<float>(view.Schema["Income"]));
        var inactive = Assert.Throws<InvalidOperationException>(() => cursor.GetGetter<bool>(view.Schema["Default"]));

        Assert.Contains("'Income' is Double, not Single", wrongType.Message);
        Assert.Contains("'Default' was not asked for", inactive.Message);
    }

    [Fact]
    public void A_number_beyond_a_Single_is_refused_rather_than_made_infinite()
    {
        var data = CreditData.FromColumns([new NumericColumn("Income", [1, 1e300])]);

        var e = Assert.Throws<ArgumentException>(() => data.ToDataView(new CreditDataViewOptions { Numbers = NumberEncoding.SinglePrecision }));

        Assert.Contains("'Income', row 1: 1E+300 is beyond the range of a Single", e.Message);
        Assert.Equal([1, 1e300], data.ToDataView().GetColumn<double>("Income"));
    }

    [Fact]
    public void A_date_column_with_a_missing_value_is_refused_by_name()
    {
        var data = CreditData.FromColumns([new DateColumn("Applied", [DateTime.UnixEpoch, null])]);

        var e = Assert.Throws<ArgumentException>(() => data.ToDataView());

        Assert.Contains("'Applied' has 1 missing dates", e.Message);
    }

    private sealed class Applicant
    {
        public float Income { get; set; }

        public double Debt { get; set; }

        public int Children { get; set; }

        public string Home { get; set; } = "";

        public bool Label { get; set; }

        [VectorType(3)]
        public float[] Scores { get; set; } = [];

        public DateTimeOffset Applied { get; set; }
    }

    [Fact]
    public void An_ML_NET_view_of_numbers_text_keys_vectors_and_dates_becomes_a_table()
    {
        var ml = new MLContext(seed: 1);
        var source = ml.Data.LoadFromEnumerable(new[]
        {
            new Applicant { Income = 1.5f, Debt = 0.1, Children = 2, Home = "rent", Label = true, Scores = [1, 2, 3], Applied = new DateTimeOffset(2024, 5, 1, 10, 0, 0, TimeSpan.FromHours(2)) },
            new Applicant { Income = float.NaN, Debt = 2.5, Children = 0, Home = "", Label = false, Scores = [4, 5, 6], Applied = new DateTimeOffset(2024, 5, 2, 0, 0, 0, TimeSpan.Zero) },
            new Applicant { Income = 3f, Debt = -1, Children = 1, Home = "own", Label = false, Scores = [7, 8, 9], Applied = new DateTimeOffset(2024, 5, 3, 0, 0, 0, TimeSpan.Zero) },
        });
        var keyed = ml.Transforms.Conversion.MapValueToKey("HomeKey", "Home").Fit(source).Transform(source);

        var data = keyed.ToCreditData(o => o.Target("Label"));

        Assert.Equal(
            "Income:Numeric, Debt:Numeric, Children:Numeric, Home:Categorical, Label:Numeric/Target, Scores.0:Numeric, Scores.1:Numeric, Scores.2:Numeric, Applied:Date, HomeKey:Categorical",
            data.Schema.ToString());
        Assert.Equal([1.5, double.NaN, 3], ((NumericColumn)data["Income"]).Values.ToArray());
        Assert.Equal([0.1, 2.5, -1], ((NumericColumn)data["Debt"]).Values.ToArray());
        Assert.Equal([1, 0, 0], data.Labels.ToArray());
        Assert.Equal(["rent", null, "own"], Enumerable.Range(0, 3).Select(r => ((CategoricalColumn)data["Home"])[r]));
        Assert.Equal(["rent", null, "own"], Enumerable.Range(0, 3).Select(r => ((CategoricalColumn)data["HomeKey"])[r]));
        Assert.Equal([3.0, 6, 9], ((NumericColumn)data["Scores.2"]).Values.ToArray());
        Assert.Equal(new DateTime(2024, 5, 1, 8, 0, 0, DateTimeKind.Utc), ((DateColumn)data["Applied"])[0]);
    }

    [Fact]
    public void Slot_names_name_the_columns_and_sparse_slots_read_as_zero()
    {
        var ml = new MLContext(seed: 1);
        var table = Mixed().ToDataView(new CreditDataViewOptions { Numbers = NumberEncoding.SinglePrecision });
        var hot = ml.Transforms.Categorical.OneHotEncoding("HomeHot", "Home").Fit(table).Transform(table);

        var data = hot.ToCreditData(o => o.Target("Default"));

        Assert.Equal(["HomeHot.rent", "HomeHot.own", "HomeHot.other"], data.Columns.Select(c => c.Name).Where(n => n.StartsWith("HomeHot.", StringComparison.Ordinal)));
        Assert.Equal([1.0, 0, 0, 1, 0], ((NumericColumn)data["HomeHot.rent"]).Values.ToArray());
        Assert.Equal([0.0, 0, 0, 0, 1], ((NumericColumn)data["HomeHot.other"]).Values.ToArray());
    }

    [Fact]
    public void An_infinite_number_or_a_variable_size_vector_is_refused_by_name()
    {
        var ml = new MLContext(seed: 1);
        var infinite = ml.Data.LoadFromEnumerable(new[] { new Applicant { Income = float.PositiveInfinity, Scores = [0, 0, 0] } });
        var text = ml.Data.LoadFromEnumerable(new[] { new Applicant { Home = "a b c", Scores = [0, 0, 0] } });
        var tokens = ml.Transforms.Text.TokenizeIntoWords("Words", "Home").Fit(text).Transform(text);

        var inf = Assert.Throws<ArgumentException>(() => infinite.ToCreditData());
        var vector = Assert.Throws<ArgumentException>(() => tokens.ToCreditData());

        Assert.Contains("'Income', row 0", inf.Message);
        Assert.Contains("'Words' is a vector of variable size", vector.Message);
    }

    [Fact]
    public void An_ML_NET_pipeline_trains_on_the_view_and_its_scores_come_back_as_a_table_as_the_README_shows()
    {
        var data = CreditData.ReadCsv(TestPaths.CreditData, o => o.Target("default"));
        var ml = new MLContext(seed: 1);
        var view = ml.Data.LoadFromCreditData(data, new CreditDataViewOptions { Numbers = NumberEncoding.SinglePrecision });
        string[] numbers = ["Seniority", "Time", "Age", "Expenses", "Income", "Assets", "Debt", "Amount", "Price"];
        var split = ml.Data.TrainTestSplit(view, 0.25, seed: 1);

        var model = ml.Transforms.ReplaceMissingValues([.. numbers.Select(n => new InputOutputColumnPair(n))])
            .Append(ml.Transforms.Categorical.OneHotEncoding("HomeHot", "Home"))
            .Append(ml.Transforms.Concatenate("Features", [.. numbers, "HomeHot"]))
            .Append(ml.BinaryClassification.Trainers.LightGbm(labelColumnName: "default"))
            .Fit(split.TrainSet);
        var metrics = ml.BinaryClassification.Evaluate(model.Transform(split.TestSet), labelColumnName: "default");
        var scored = model.Transform(view).ToCreditData(o => o.Target("default"));

        Assert.InRange(metrics.AreaUnderRocCurve, 0.75, 0.95);
        Assert.Equal(data.RowCount, scored.RowCount);
        var probability = ((NumericColumn)scored["Probability"]).Values.ToArray();
        var predicted = ((NumericColumn)scored["PredictedLabel"]).Values.ToArray();
        Assert.All(probability, p => Assert.InRange(p, 0, 1));
        Assert.Equal(probability.Select(p => p > 0.5 ? 1.0 : 0.0), predicted);
        Assert.Equal(numbers.Length + ((CategoricalColumn)data["Home"]).Categories.Count, scored.Columns.Count(c => c.Name.StartsWith("Features.", StringComparison.Ordinal)));
        Assert.Equal(((NumericColumn)data["Income"]).Values[5], ((NumericColumn)scored["Income"]).Values[5]);
    }
}

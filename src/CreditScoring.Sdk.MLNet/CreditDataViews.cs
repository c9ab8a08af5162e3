using CreditScoring.Sdk.Data;
using Microsoft.ML;

namespace CreditScoring.Sdk.MLNet;

/// <summary>
/// <see cref="CreditData"/> tables as ML.NET <see cref="IDataView"/>s and back.
/// <para>
/// <b>To ML.NET</b> (<see cref="ToDataView"/>): a view over the table's own storage, with no copy. Columns keep their
/// names and order. Numbers are <see cref="double"/> (or <see cref="float"/> with <see cref="NumberEncoding.SinglePrecision"/>,
/// what ML.NET's trainers take for features and weights), categories text (empty for missing) or keys with the
/// categories as key values (key 0 for missing), dates <see cref="DateTime"/> (UTC; a date column with a missing
/// value is refused, as ML.NET's <see cref="DateTime"/> has none), and the target a <see cref="bool"/> label (true =
/// default) under its own name, so that a trainer takes it with <c>labelColumnName: "Target"</c>.
/// </para>
/// <para>
/// <b>From ML.NET</b> (<see cref="ToCreditData"/>): one pass of one cursor over the view's visible columns. Numbers of
/// every width and Booleans (1/0) become numeric columns, text and keys categorical ones (key values as the
/// categories), <see cref="DateTime"/> and <see cref="DateTimeOffset"/> dates, and a vector of known size one numeric
/// column per slot (<c>Features.SlotName</c>, or <c>Features.0</c>... without slot names; slots a sparse vector leaves
/// out are 0, as ML.NET defines them). Roles come from the options as for any other source: a Boolean label given
/// as the target becomes 0/1. Infinities and types a table cannot hold are refused, naming the column.
/// </para>
/// </summary>
public static class CreditDataViews
{
    /// <summary>The table as an ML.NET view over its own storage (no copy; see <see cref="CreditDataViews"/>).</summary>
    /// <param name="data">The table.</param>
    /// <param name="options">How categories and numbers appear; default text categories and <see cref="double"/> numbers.</param>
    /// <returns>A view that can be shuffled and read by several cursors at once.</returns>
    /// <exception cref="ArgumentException">A date column has a missing value.</exception>
    public static IDataView ToDataView(this CreditData data, CreditDataViewOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        return new CreditDataView(data, options ?? new CreditDataViewOptions());
    }

    /// <summary>The table as an ML.NET view, from an <see cref="MLContext"/>'s data catalog (the same as <see cref="ToDataView"/>).</summary>
    /// <param name="catalog">The catalog (<c>mlContext.Data</c>).</param>
    /// <param name="data">The table.</param>
    /// <param name="options">How categories and numbers appear; default text categories and <see cref="double"/> numbers.</param>
    /// <returns>A view over the table's storage.</returns>
    public static IDataView LoadFromCreditData(this DataOperationsCatalog catalog, CreditData data, CreditDataViewOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return data.ToDataView(options);
    }

    /// <summary>Reads an ML.NET view into a table, in one pass (see <see cref="CreditDataViews"/> for the type mapping).</summary>
    /// <param name="view">The view.</param>
    /// <param name="configure">Roles (target, id, weight, time, ignored columns), as for <see cref="CreditData.FromColumns"/>.</param>
    /// <returns>The table.</returns>
    /// <exception cref="ArgumentException">A column's type cannot be held (a vector of variable size, a time span...), or a number is infinite.</exception>
    /// <exception cref="ConfigurationException">A role names a column the view does not have.</exception>
    /// <exception cref="TrainingDataException">The target is not 0/1 (or Boolean).</exception>
    public static CreditData ToCreditData(this IDataView view, Action<DataLoadOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(view);
        return DataViewReader.Read(view, configure);
    }
}

using System.Globalization;
using System.Net;
using System.Text;
using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Decisions;

namespace CreditScoring.Sdk.Explanations;

/// <summary>
/// One applicant's explanation as a self-contained HTML page (no scripts, fonts or other files): the decision and the
/// reasons in plain language first (<c>#decision</c>, <c>#reasons</c>), then a waterfall of the contributions from the
/// population's base value to this applicant's score (<c>#waterfall</c>), then, for the inputs that matter most, the
/// applicant against all clients and against clients with a similar score (<c>#standing</c>).
/// </summary>
public static class ExplanationHtml
{
    /// <summary>The most inputs the waterfall shows one by one; the rest are summed into one bar.</summary>
    public const int WaterfallInputs = 10;

    /// <summary>The most inputs compared with the population.</summary>
    public const int StandingInputs = 6;

    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <summary>Writes the page.</summary>
    /// <param name="explanation">The explanation.</param>
    /// <param name="applicant">How to name the applicant, e.g. an id; default "This applicant".</param>
    /// <returns>The HTML text.</returns>
    public static string Write(Explanation explanation, string? applicant = null)
    {
        ArgumentNullException.ThrowIfNull(explanation);
        var e = explanation;
        var who = applicant ?? "This applicant";
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Decision explained: ").Append(Encode(who)).Append("</title>\n<style>")
            .Append("body{font-family:system-ui,sans-serif;margin:2em auto;max-width:60em;color:#222}h1{font-size:1.5em}h2{font-size:1.15em;margin-top:2em}")
            .Append(".decline{color:#b3261e}.approve{color:#1b6e20}ol li{margin:.3em 0}.note{color:#666;font-size:.9em}svg text{font-size:12px;fill:#333}")
            .Append(".input{margin:1em 0}.input h3{font-size:1em;margin:.2em 0}</style></head><body>\n");

        var decision = e.Decision.ToText();
        html.Append("<section id=\"decision\"><h1>").Append(Encode(who)).Append(": <span class=\"").Append(decision).Append("\">")
            .Append(e.Decision == CreditDecision.Decline ? "declined" : "approved").Append("</span></h1>\n<p>Estimated probability of default ")
            .Append(Percent(e.Probability, "F1")).Append(", against a decision threshold of ").Append(Percent(e.Threshold, "F1")).Append(".</p></section>\n");

        html.Append("<section id=\"reasons\"><h2>Main reasons</h2>\n");
        if (e.Reasons.Count == 0)
        {
            html.Append("<p>No input raised the estimated risk above that of the average client.</p>\n");
        }
        else
        {
            html.Append("<ol>\n");
            foreach (var r in e.Reasons)
            {
                html.Append("<li data-input=\"").Append(Encode(r.Input)).Append("\"><strong>").Append(Encode(r.Code)).Append("</strong>: ").Append(Encode(r.Text)).Append("</li>\n");
            }

            html.Append("</ol>\n");
        }

        html.Append("</section>\n");
        Waterfall(html, e);
        Standing(html, e);
        html.Append("<p class=\"note\">Contributions are exact Shapley values on the log-odds scale (").Append(ExplanationJson.MethodName(e.Method))
            .Append("); they add up from the base value to this applicant's score. Percentiles come from the training population saved in the model.</p>\n</body></html>\n");
        return html.ToString();
    }

    /// <summary>Writes the page to a file, atomically (<see cref="OutputFiles"/>).</summary>
    /// <param name="path">The file.</param>
    /// <param name="explanation">The explanation.</param>
    /// <param name="applicant">How to name the applicant.</param>
    public static void Write(string path, Explanation explanation, string? applicant = null) =>
        OutputFiles.WriteAllBytes(path, Encoding.UTF8.GetBytes(Write(explanation, applicant)));

    private static void Waterfall(StringBuilder html, Explanation e)
    {
        var ordered = e.Inputs.OrderByDescending(i => Math.Abs(i.Contribution)).ThenBy(i => i.Name, StringComparer.Ordinal).ToArray();
        var steps = ordered.Take(WaterfallInputs).Select(i => (Label: i.Name, i.Contribution)).ToList();
        if (ordered.Length > WaterfallInputs)
        {
            steps.Add(($"{ordered.Length - WaterfallInputs} other inputs", ordered.Skip(WaterfallInputs).Sum(i => i.Contribution)));
        }

        var positions = new List<(string Label, double From, double To)>();
        var level = e.BaseValue;
        foreach (var (label, c) in steps)
        {
            positions.Add((label, level, level + c));
            level += c;
        }

        var all = positions.SelectMany(p => new[] { p.From, p.To }).Append(e.BaseValue).Append(e.Margin).ToArray();
        double lo = all.Min(), hi = all.Max();
        if (hi - lo < 1e-9)
        {
            (lo, hi) = (lo - 1, hi + 1);
        }

        const int labelWidth = 190, plotWidth = 520, rowHeight = 24;
        var height = (positions.Count + 2) * rowHeight + 20;
        double X(double v) => labelWidth + ((v - lo) / (hi - lo) * plotWidth);
        html.Append("<section id=\"waterfall\"><h2>From the average client to this applicant</h2>\n<p>Each bar is one input's push on the risk score (log-odds): red raises the risk, green lowers it.</p>\n");
        html.Append(string.Create(C, $"<svg class=\"chart\" width=\"{labelWidth + plotWidth + 80}\" height=\"{height}\" role=\"img\" aria-label=\"waterfall of contributions\">\n"));
        Bar(html, 0, "Average client (base)", X(Math.Min(lo, e.BaseValue)), X(e.BaseValue), "#888", e.BaseValue, "base");
        for (var k = 0; k < positions.Count; k++)
        {
            var (label, from, to) = positions[k];
            Bar(html, k + 1, label, X(Math.Min(from, to)), X(Math.Max(from, to)), to >= from ? "#c62828" : "#2e7d32", to - from, "step");
        }

        Bar(html, positions.Count + 1, "This applicant (score)", X(Math.Min(lo, e.Margin)), X(e.Margin), "#1565c0", e.Margin, "score");
        html.Append("</svg></section>\n");

        void Bar(StringBuilder h, int row, string label, double x0, double x1, string color, double value, string kind)
        {
            var y = 10 + (row * rowHeight);
            h.Append(string.Create(C, $"<text x=\"{labelWidth - 8}\" y=\"{y + 15}\" text-anchor=\"end\">{Encode(label)}</text>"))
                .Append(string.Create(C, $"<rect class=\"{kind}\" x=\"{x0:F1}\" y=\"{y + 3}\" width=\"{Math.Max(1, x1 - x0):F1}\" height=\"{rowHeight - 6}\" fill=\"{color}\"><title>{Encode(label)}: {value:+0.000;-0.000;0}</title></rect>"))
                .Append(string.Create(C, $"<text x=\"{Math.Max(x0, x1) + 4:F1}\" y=\"{y + 15}\">{value:+0.00;-0.00;0}</text>\n"));
        }
    }

    private static void Standing(StringBuilder html, Explanation e)
    {
        var top = e.Reasons.Select(r => r.Input)
            .Concat(e.Inputs.OrderByDescending(i => Math.Abs(i.Contribution)).Select(i => i.Name))
            .Distinct(StringComparer.Ordinal)
            .Select(n => e.Inputs.Single(i => i.Name == n))
            .Where(i => i.Population is not null)
            .Take(StandingInputs)
            .ToArray();
        html.Append("<section id=\"standing\"><h2>Compared with other clients</h2>\n");
        if (e.SimilarClients is { } band)
        {
            html.Append(string.Create(C, $"<p>\"Clients with a similar score\" are the {band.Rows:N0} training clients whose estimated probability of default lies in the same tenth of all scores as this applicant's.</p>\n"));
        }

        foreach (var input in top)
        {
            html.Append("<div class=\"input\" data-input=\"").Append(Encode(input.Name)).Append("\"><h3>").Append(Encode(input.Name)).Append(": ")
                .Append(Encode(input.Value ?? "missing")).Append("</h3>\n");
            var p = input.Population!;
            if (!double.IsNaN(p.CategoryShare) || double.IsNaN(p.Median))
            {
                html.Append("<p>").Append(Percent(p.CategoryShare, "F0")).Append(" of all clients are in this category");
                if (input.AmongSimilar is { } s)
                {
                    html.Append(", ").Append(Percent(s.CategoryShare, "F0")).Append(" of clients with a similar score");
                }

                html.Append(".</p>\n");
            }
            else
            {
                html.Append("<p>").Append(Sentence(input.Value, p, "all clients"));
                if (input.AmongSimilar is { } s)
                {
                    html.Append(' ').Append(Sentence(input.Value, s, "clients with a similar score"));
                }

                html.Append("</p>\n<svg class=\"chart\" width=\"620\" height=\"").Append(input.AmongSimilar is null ? "40" : "70").Append("\" role=\"img\">\n");
                Range(html, 0, "all clients", p, input.NumericValue, input.AmongSimilar);
                if (input.AmongSimilar is { } similar)
                {
                    Range(html, 1, "similar score", similar, input.NumericValue, p);
                }

                html.Append("</svg>\n");
            }

            html.Append("</div>\n");
        }

        html.Append("</section>\n");
    }

    private static string Sentence(string? value, PopulationStanding p, string group) => value is null
        ? $"The value is missing, as for {Percent(p.MissingShare, "F0")} of {group}."
        : $"At or above {Percent(p.Percentile, "F0")} of {group} (median {Number(p.Median)}, middle 80% {Number(p.Low)} to {Number(p.High)}).";

    /// <summary>A row: the group's middle 80% as a band, its median as a tick, the applicant as a dot.</summary>
    private static void Range(StringBuilder html, int row, string label, PopulationStanding p, double value, PopulationStanding? other)
    {
        var values = new[] { p.Low, p.High, value, other?.Low ?? double.NaN, other?.High ?? double.NaN }.Where(double.IsFinite).ToArray();
        double lo = values.Min(), hi = values.Max();
        if (hi - lo < 1e-12)
        {
            (lo, hi) = (lo - 1, hi + 1);
        }

        double X(double v) => 130 + ((v - lo) / (hi - lo) * 460);
        var y = 8 + (row * 30);
        html.Append(string.Create(C, $"<text x=\"122\" y=\"{y + 14}\" text-anchor=\"end\">{label}</text>"))
            .Append(string.Create(C, $"<rect class=\"middle80\" x=\"{X(p.Low):F1}\" y=\"{y + 4}\" width=\"{Math.Max(1, X(p.High) - X(p.Low)):F1}\" height=\"14\" fill=\"#bbdefb\"><title>middle 80%: {Number(p.Low)} to {Number(p.High)}</title></rect>"))
            .Append(string.Create(C, $"<rect class=\"median\" x=\"{X(p.Median) - 1:F1}\" y=\"{y}\" width=\"2\" height=\"22\" fill=\"#0d47a1\"><title>median {Number(p.Median)}</title></rect>"));
        if (double.IsFinite(value))
        {
            html.Append(string.Create(C, $"<circle class=\"applicant\" cx=\"{X(value):F1}\" cy=\"{y + 11}\" r=\"6\" fill=\"#e65100\"><title>this applicant: {Number(value)}</title></circle>"));
        }

        html.Append('\n');
    }

    private static string Percent(double share, string format) => double.IsNaN(share) ? "n/a" : (share * 100).ToString(format, C) + "%";

    private static string Number(double value) => double.IsNaN(value) ? "n/a" : value.ToString("G5", C);

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}

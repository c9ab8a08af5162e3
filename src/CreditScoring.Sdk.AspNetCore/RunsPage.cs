using System.Globalization;
using System.Net;
using System.Text;
using CreditScoring.Sdk.Tracking;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace CreditScoring.Sdk.AspNetCore;

/// <summary>
/// The runs page: HTML rendered by the host from the store, with no scripts and nothing fetched from elsewhere. The
/// experiments; an experiment's runs in a table with their latest metrics, sorted by any column (a header link orders
/// the search, in the store) and filtered with MLflow's grammar; a run with its parameters, metrics, tags, inputs and
/// artifacts; a metric's history as a chart; two or more runs compared side by side (<see cref="RunComparison"/>).
/// </summary>
public static class RunsPage
{
    private const int MetricColumns = 12;
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <summary>Maps the runs page under <paramref name="path"/> over the <see cref="IModelRegistry"/> in the services.</summary>
    /// <param name="endpoints">The application.</param>
    /// <param name="path">Where the page lives; default <c>/runs</c>.</param>
    /// <returns>The group of the page's endpoints, for authorization and the like.</returns>
    public static RouteGroupBuilder MapRunsPage(this IEndpointRouteBuilder endpoints, string path = "/runs")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup(path);
        var root = path.TrimEnd('/');
        group.MapGet("/", (HttpContext c) => Render(c, root, async (store, ct) => Experiments(root, await store.ListExperimentsAsync(ct))));
        group.MapGet("/experiments/{id}", (HttpContext c, string id) => Render(c, root, async (store, ct) =>
        {
            var experiment = await store.GetExperimentAsync(id, ct);
            var filter = c.Request.Query["filter"].ToString();
            var order = c.Request.Query["order_by"].ToString();
            var page = await store.SearchRunsAsync(new RunSearch { ExperimentIds = [id], Filter = filter, OrderBy = order.Length > 0 ? [order] : [], MaxResults = 500 }, ct);
            return Runs(root, experiment, page.Runs, filter, order);
        }));
        group.MapGet("/runs/{runId}", (HttpContext c, string runId) => Render(c, root, async (store, ct) =>
        {
            var run = await store.GetRunAsync(runId, ct);
            var artifacts = await ListAllAsync(store, runId, null, ct);
            var children = (await store.SearchRunsAsync(new RunSearch { ExperimentIds = [run.Info.ExperimentId], Filter = $"tags.mlflow.parentRunId = '{runId}'", OrderBy = ["attributes.start_time"] }, ct)).Runs;
            return Run(root, run, artifacts, children);
        }));
        group.MapGet("/runs/{runId}/metrics/{key}", (HttpContext c, string runId, string key) => Render(c, root, async (store, ct) =>
            History(root, await store.GetRunAsync(runId, ct), key, await store.GetMetricHistoryAsync(runId, key, ct))));
        group.MapGet("/compare", (HttpContext c) => Render(c, root, async (store, ct) =>
        {
            var ids = c.Request.Query["run"].Where(v => !string.IsNullOrEmpty(v)).Select(v => v!).Distinct(StringComparer.Ordinal).ToArray();
            if (ids.Length < 2)
            {
                throw new TrackingException(TrackingErrorCode.InvalidParameterValue, $"Choose two or more runs to compare (got {ids.Length}).");
            }

            var runs = new List<TrackedRun>();
            foreach (var id in ids)
            {
                runs.Add(await store.GetRunAsync(id, ct));
            }

            var html = new MemoryStream();
            RunComparison.Of(runs).WriteHtml(html);
            var page = Encoding.UTF8.GetString(html.ToArray());
            return page.Replace("<h1>Runs compared</h1>", $"<nav><a href=\"{root}/experiments/{Encode(runs[0].Info.ExperimentId)}\">back to the runs</a></nav>\n<h1>Runs compared</h1>", StringComparison.Ordinal);
        }));
        return group;
    }

    private static string Experiments(string root, IReadOnlyList<Experiment> experiments)
    {
        var h = Start("Experiments", null);
        h.Append("<h1>Experiments</h1>\n<table id=\"experiments\"><tr><th>id</th><th>name</th><th>created (UTC)</th></tr>\n");
        foreach (var e in experiments)
        {
            h.Append(CultureInfo.InvariantCulture, $"<tr><td>{Encode(e.ExperimentId)}</td><td><a href=\"{root}/experiments/{Uri.EscapeDataString(e.ExperimentId)}\">{Encode(e.Name)}</a></td><td>{Time(e.CreationTime)}</td></tr>\n");
        }

        return End(h.Append("</table>\n"));
    }

    private static string Runs(string root, Experiment experiment, IReadOnlyList<TrackedRun> runs, string filter, string order)
    {
        var h = Start($"Runs of {experiment.Name}", $"<a href=\"{root}/\">experiments</a>");
        h.Append(CultureInfo.InvariantCulture, $"<h1>Runs of {Encode(experiment.Name)}</h1>\n");
        h.Append(CultureInfo.InvariantCulture, $"<form method=\"get\" id=\"search\"><input name=\"filter\" size=\"70\" placeholder=\"metrics.test_auc &gt; 0.8 and params.learner = 'gbdt'\" value=\"{Encode(filter)}\"><input type=\"hidden\" name=\"order_by\" value=\"{Encode(order)}\"> <button>Search</button></form>\n");

        // The metrics most runs have, as columns.
        var keys = runs.SelectMany(r => r.Metrics.Select(m => m.Key)).GroupBy(k => k, StringComparer.Ordinal).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Take(MetricColumns).Select(g => g.Key).Order(StringComparer.Ordinal).ToArray();
        string Sort(string label, string field)
        {
            var descending = order == field + " DESC";
            var next = descending ? field + " ASC" : field + " DESC";
            var arrow = order == field + " ASC" ? " ▲" : descending ? " ▼" : "";
            var query = $"?order_by={Uri.EscapeDataString(next)}" + (filter.Length > 0 ? $"&filter={Uri.EscapeDataString(filter)}" : "");
            return $"<th><a class=\"sort\" data-field=\"{Encode(field)}\" href=\"{query}\">{Encode(label)}{arrow}</a></th>";
        }

        h.Append("<form method=\"get\" action=\"").Append(root).Append("/compare\" id=\"compare\">\n<table id=\"runs\"><tr><th>compare</th>")
            .Append(Sort("run", "attributes.run_name")).Append(Sort("status", "attributes.status")).Append(Sort("started (UTC)", "attributes.start_time")).Append(Sort("user", "attributes.user_id"));
        foreach (var key in keys)
        {
            h.Append(Sort(key, $"metrics.`{key}`"));
        }

        h.Append("</tr>\n");
        foreach (var r in runs)
        {
            var child = r.Tags.Any(t => t.Key == "mlflow.parentRunId") ? " class=\"child\"" : "";
            h.Append(CultureInfo.InvariantCulture, $"<tr{child} data-run=\"{Encode(r.Info.RunId)}\"><td><input type=\"checkbox\" name=\"run\" value=\"{Encode(r.Info.RunId)}\"></td><td><a href=\"{root}/runs/{r.Info.RunId}\">{Encode(r.Info.RunName)}</a></td><td>{RunFilter.StatusName(r.Info.Status)}</td><td>{Time(r.Info.StartTime)}</td><td>{Encode(r.Info.UserId)}</td>");
            foreach (var key in keys)
            {
                h.Append("<td class=\"n\">").Append(r.Metrics.FirstOrDefault(m => m.Key == key) is { } m ? Number(m.Value) : "").Append("</td>");
            }

            h.Append("</tr>\n");
        }

        h.Append("</table>\n<button id=\"compare-button\">Compare the chosen runs</button></form>\n");
        if (runs.Count == 0)
        {
            h.Append("<p>No runs").Append(filter.Length > 0 ? " match the filter" : "").Append(".</p>\n");
        }

        return End(h);
    }

    private static string Run(string root, TrackedRun run, IReadOnlyList<ArtifactInfo> artifacts, IReadOnlyList<TrackedRun> children)
    {
        var info = run.Info;
        var h = Start($"Run {info.RunName}", $"<a href=\"{root}/\">experiments</a> / <a href=\"{root}/experiments/{Uri.EscapeDataString(info.ExperimentId)}\">runs</a>");
        h.Append(CultureInfo.InvariantCulture, $"<h1>{Encode(info.RunName)}</h1>\n<p><code>{info.RunId}</code>: {RunFilter.StatusName(info.Status)}, by {Encode(info.UserId)}, started {Time(info.StartTime)}{(info.EndTime is { } end ? ", ended " + Time(end) : "")}</p>\n");
        h.Append("<h2>Metrics</h2>\n<table id=\"metrics\"><tr><th>metric</th><th>latest</th><th>step</th></tr>\n");
        foreach (var m in run.Metrics)
        {
            h.Append(CultureInfo.InvariantCulture, $"<tr><td><a href=\"{root}/runs/{info.RunId}/metrics/{Uri.EscapeDataString(m.Key)}\">{Encode(m.Key)}</a></td><td class=\"n\">{Number(m.Value)}</td><td class=\"n\">{m.Step}</td></tr>\n");
        }

        h.Append("</table>\n<h2>Parameters</h2>\n<table id=\"params\">\n");
        foreach (var p in run.Params)
        {
            h.Append("<tr><td>").Append(Encode(p.Key)).Append("</td><td>").Append(Encode(p.Value)).Append("</td></tr>\n");
        }

        h.Append("</table>\n<h2>Tags</h2>\n<table id=\"tags\">\n");
        foreach (var t in run.Tags)
        {
            h.Append("<tr><td>").Append(Encode(t.Key)).Append("</td><td>").Append(Encode(t.Value)).Append("</td></tr>\n");
        }

        h.Append("</table>\n<h2>Data</h2>\n<table id=\"inputs\"><tr><th>context</th><th>name</th><th>rows</th><th>positives</th><th>digest</th></tr>\n");
        foreach (var d in run.Inputs)
        {
            h.Append(CultureInfo.InvariantCulture, $"<tr><td>{Encode(d.Context)}</td><td>{Encode(d.Name)}</td><td class=\"n\">{d.Rows:N0}</td><td class=\"n\">{d.Positives:N0}</td><td><code>{Encode(d.Digest)}</code></td></tr>\n");
        }

        h.Append("</table>\n<h2>Artifacts</h2>\n<ul id=\"artifacts\">\n");
        foreach (var a in artifacts.Where(a => !a.IsDirectory))
        {
            h.Append(CultureInfo.InvariantCulture, $"<li><a href=\"/api/2.0/mlflow-artifacts/artifacts/{Uri.EscapeDataString(info.ExperimentId)}/{info.RunId}/artifacts/{string.Join('/', a.Path.Split('/').Select(Uri.EscapeDataString))}\">{Encode(a.Path)}</a> ({a.Size:N0} bytes)</li>\n");
        }

        h.Append("</ul>\n");
        if (children.Count > 0)
        {
            h.Append("<h2>Child runs</h2>\n<ul id=\"children\">\n");
            foreach (var c in children)
            {
                h.Append(CultureInfo.InvariantCulture, $"<li><a href=\"{root}/runs/{c.Info.RunId}\">{Encode(c.Info.RunName)}</a> {RunFilter.StatusName(c.Info.Status)}</li>\n");
            }

            h.Append("</ul>\n");
        }

        return End(h);
    }

    /// <summary>A metric's history: a line through its values by step (or by time when every step is 0), and the values.</summary>
    private static string History(string root, TrackedRun run, string key, IReadOnlyList<Metric> history)
    {
        var h = Start($"{key} of {run.Info.RunName}", $"<a href=\"{root}/runs/{run.Info.RunId}\">{Encode(run.Info.RunName)}</a>");
        h.Append("<h1>").Append(Encode(key)).Append(" of ").Append(Encode(run.Info.RunName)).Append("</h1>\n");
        var points = history.Where(m => double.IsFinite(m.Value)).ToArray();
        var byTime = points.All(m => m.Step == 0);
        double X(Metric m) => byTime ? m.Timestamp : m.Step;
        const double Width = 640, Height = 280, Pad = 48;
        h.Append(CultureInfo.InvariantCulture, $"<svg class=\"chart\" id=\"history\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-label=\"{Encode(key)} by {(byTime ? "time" : "step")}\">");
        if (points.Length > 0)
        {
            var (x0, x1) = (points.Min(X), points.Max(X));
            var (y0, y1) = (points.Min(m => m.Value), points.Max(m => m.Value));
            if (x1 == x0)
            {
                x1 = x0 + 1;
            }

            if (y1 == y0)
            {
                (y0, y1) = (y0 - 0.5, y1 + 0.5);
            }

            double Px(double x) => Pad + ((x - x0) / (x1 - x0) * (Width - (2 * Pad)));
            double Py(double y) => Height - Pad - ((y - y0) / (y1 - y0) * (Height - (2 * Pad)));
            h.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Pad}\" y1=\"{Height - Pad}\" x2=\"{Width - Pad}\" y2=\"{Height - Pad}\" stroke=\"#999\"/><line x1=\"{Pad}\" y1=\"{Pad}\" x2=\"{Pad}\" y2=\"{Height - Pad}\" stroke=\"#999\"/>");
            h.Append(CultureInfo.InvariantCulture, $"<text x=\"{Pad - 6}\" y=\"{Py(y1) + 4:F1}\" text-anchor=\"end\">{Number(y1)}</text><text x=\"{Pad - 6}\" y=\"{Py(y0) + 4:F1}\" text-anchor=\"end\">{Number(y0)}</text>");
            h.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width / 2}\" y=\"{Height - 12}\" text-anchor=\"middle\">{(byTime ? "time" : "step")}</text>");
            h.Append("<polyline fill=\"none\" stroke=\"#1a73e8\" stroke-width=\"2\" points=\"").AppendJoin(' ', points.Select(m => string.Create(C, $"{Px(X(m)):F1},{Py(m.Value):F1}"))).Append("\"/>");
            foreach (var m in points)
            {
                h.Append(CultureInfo.InvariantCulture, $"<circle class=\"point\" cx=\"{Px(X(m)):F1}\" cy=\"{Py(m.Value):F1}\" r=\"3\" fill=\"#1a73e8\"><title>step {m.Step}: {Number(m.Value)}</title></circle>");
            }
        }

        h.Append("</svg>\n<table id=\"values\"><tr><th>step</th><th>time (UTC)</th><th>value</th></tr>\n");
        foreach (var m in history)
        {
            h.Append(CultureInfo.InvariantCulture, $"<tr><td class=\"n\">{m.Step}</td><td>{Time(m.Timestamp)}</td><td class=\"n\">{Number(m.Value)}</td></tr>\n");
        }

        return End(h.Append("</table>\n"));
    }

    private static async Task<IReadOnlyList<ArtifactInfo>> ListAllAsync(IModelRegistry store, string runId, string? folder, CancellationToken ct)
    {
        var all = new List<ArtifactInfo>();
        foreach (var a in await store.ListArtifactsAsync(runId, folder, ct))
        {
            all.Add(a);
            if (a.IsDirectory)
            {
                all.AddRange(await ListAllAsync(store, runId, a.Path, ct));
            }
        }

        return all;
    }

    private static async Task Render(HttpContext c, string root, Func<IModelRegistry, CancellationToken, Task<string>> page)
    {
        string html;
        try
        {
            html = await page(c.RequestServices.GetRequiredService<IModelRegistry>(), c.RequestAborted);
            c.Response.StatusCode = StatusCodes.Status200OK;
        }
        catch (TrackingException e)
        {
            c.Response.StatusCode = e.Code == TrackingErrorCode.ResourceDoesNotExist ? StatusCodes.Status404NotFound : StatusCodes.Status400BadRequest;
            html = End(Start("Not shown", $"<a href=\"{root}/\">experiments</a>").Append("<h1>Not shown</h1>\n<p id=\"error\">").Append(Encode(e.Message)).Append("</p>\n"));
        }

        c.Response.ContentType = "text/html; charset=utf-8";
        c.Response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'";
        await c.Response.WriteAsync(html, c.RequestAborted);
    }

    private static StringBuilder Start(string title, string? nav) => new StringBuilder()
        .Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").Append(Encode(title)).Append("</title>\n<style>")
        .Append("body{font:14px system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ccc;padding:4px 8px}")
        .Append("th{background:#f4f4f4;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}tr.child td{color:#555}a.sort{color:inherit}nav{margin-bottom:1em}")
        .Append("</style></head><body>\n").Append(nav is null ? "" : $"<nav>{nav}</nav>\n");

    private static string End(StringBuilder h) => h.Append("</body></html>\n").ToString();

    private static string Number(double value) => value.ToString("G6", C);

    private static string Time(long milliseconds) => DateTimeOffset.FromUnixTimeMilliseconds(milliseconds).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", C);

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}

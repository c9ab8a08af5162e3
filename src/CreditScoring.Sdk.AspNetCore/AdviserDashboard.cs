using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace CreditScoring.Sdk.AspNetCore;

/// <summary>
/// The adviser dashboard: one self-contained page (no external script, font, style or image; a content security policy
/// allows none) over the scoring API's applicant endpoints. An adviser finds a client by id or by conditions on their
/// inputs, then reads, in this order: the decision and its reasons in plain language, the probability against the
/// threshold as a gauge, the contributions as a waterfall from the average client to this one, and the client against
/// all clients and against clients with a similar score for an input the adviser picks (from the model's population
/// profile). Every control is a native form control or button, reachable and usable by keyboard; results are announced
/// to screen readers.
/// </summary>
public static class AdviserDashboard
{
    /// <summary>
    /// Maps the dashboard page at <paramref name="path"/>. It calls <c>GET {apiPrefix}/model</c>,
    /// <c>GET {apiPrefix}/applicants?…</c> and <c>GET {apiPrefix}/applicants/{id}/explain</c>, so the host needs
    /// <see cref="CreditScoringEndpoints.AddCreditScoringApplicants"/>; when the API needs a key the adviser enters it on
    /// the page (kept in the tab's session storage only). The page itself holds no applicant data.
    /// </summary>
    /// <param name="endpoints">The application.</param>
    /// <param name="path">Where the page is; default <c>/dashboard</c>.</param>
    /// <param name="apiPrefix">The scoring API's prefix; default <c>/v1</c>.</param>
    /// <returns>The page's endpoint, for authorization and the like.</returns>
    public static IEndpointConventionBuilder MapCreditScoringDashboard(this IEndpointRouteBuilder endpoints, string path = "/dashboard", string apiPrefix = "/v1")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var script = Script.Replace("__API__", System.Text.Json.JsonSerializer.Serialize(apiPrefix.TrimEnd('/')), StringComparison.Ordinal);
        var page = Encoding.UTF8.GetBytes(Html.Replace("__STYLE__", Style, StringComparison.Ordinal).Replace("__SCRIPT__", script, StringComparison.Ordinal));
        var policy = $"default-src 'none'; script-src 'sha256-{Hash(script)}'; style-src 'sha256-{Hash(Style)}'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
        return endpoints.MapGet(path, async (HttpContext c) =>
        {
            c.Response.ContentType = "text/html; charset=utf-8";
            c.Response.Headers.ContentSecurityPolicy = policy;
            c.Response.Headers.XContentTypeOptions = "nosniff";
            c.Response.Headers.CacheControl = "no-store";
            await c.Response.Body.WriteAsync(page, c.RequestAborted);
        }).ExcludeFromDescription();
    }

    private static string Hash(string text) => Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private const string Html = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Credit decisions: adviser view</title>
        <style>__STYLE__</style>
        </head>
        <body>
        <header>
          <h1>Credit decisions</h1>
          <p id="model" class="muted">Loading the model…</p>
        </header>
        <main>
          <section aria-labelledby="find-title" class="panel">
            <h2 id="find-title">Find a client</h2>
            <form id="by-id">
              <label for="client-id">Client id</label>
              <input id="client-id" name="id" autocomplete="off" required>
              <button type="submit">Show decision</button>
            </form>
            <form id="by-filters">
              <fieldset>
                <legend>Or search by what the client entered</legend>
                <label for="filter-input">Input</label>
                <select id="filter-input"></select>
                <span id="filter-value-box"><label for="filter-value">is</label> <input id="filter-value" autocomplete="off"></span>
                <span id="filter-range-box"><label for="filter-min">from</label> <input id="filter-min" inputmode="decimal" size="8" autocomplete="off">
                <label for="filter-max">to</label> <input id="filter-max" inputmode="decimal" size="8" autocomplete="off"></span>
                <button type="submit">Search</button>
              </fieldset>
            </form>
            <div id="found" aria-live="polite"></div>
            <details id="key-box">
              <summary>API key</summary>
              <label for="api-key">Key (kept in this tab only)</label>
              <input id="api-key" type="password" autocomplete="off">
            </details>
          </section>
          <p id="status" role="status" aria-live="polite"></p>
          <section id="result" hidden aria-labelledby="decision">
            <h2 id="decision" tabindex="-1"></h2>
            <p id="summary"></p>
            <h3>Why</h3>
            <ol id="reasons"></ol>
            <div class="charts">
              <figure>
                <svg id="gauge" viewBox="0 0 240 172" width="300" height="215" role="img" aria-labelledby="gauge-caption"></svg>
                <figcaption id="gauge-caption"></figcaption>
              </figure>
              <figure>
                <svg id="waterfall" role="img" aria-labelledby="waterfall-caption"></svg>
                <figcaption id="waterfall-caption"></figcaption>
              </figure>
            </div>
            <h3>Compared with other clients</h3>
            <label for="compare-input">Input to compare</label>
            <select id="compare-input"></select>
            <div id="comparison" aria-live="polite"></div>
          </section>
        </main>
        <script>__SCRIPT__</script>
        </body>
        </html>
        """;

    private const string Style = """
        body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d2733;background:#f6f8fa;line-height:1.45}
        header{background:#1d3557;color:#fff;padding:14px 24px}header h1{margin:0;font-size:22px}header .muted{color:#d8e2ef;margin:4px 0 0}
        main{max-width:1100px;margin:0 auto;padding:16px 24px}
        .panel{background:#fff;border:1px solid #d5dde6;border-radius:8px;padding:12px 16px;margin-bottom:16px}
        h2{font-size:20px;margin:8px 0}h3{font-size:16px;margin:18px 0 6px}
        label{margin-right:6px}input,select,button{font:inherit;padding:5px 8px;margin:4px 8px 4px 0;border:1px solid #8a99aa;border-radius:4px}
        button{background:#1d3557;color:#fff;border-color:#1d3557;cursor:pointer}button.link{background:none;color:#1d3557;border:none;text-decoration:underline;padding:2px}
        :focus-visible{outline:3px solid #f4a261;outline-offset:2px}
        fieldset{border:1px solid #d5dde6;border-radius:6px;margin-top:8px}
        table{border-collapse:collapse;margin-top:8px}td,th{padding:4px 10px;border-bottom:1px solid #e3e8ee;text-align:left}
        #result{background:#fff;border:1px solid #d5dde6;border-radius:8px;padding:12px 18px}
        #decision.decline{color:#b3261e}#decision.approve{color:#2e7d32}
        #reasons li{margin:4px 0}
        .charts{display:flex;flex-wrap:wrap;gap:24px}figure{margin:8px 0}figcaption{font-size:14px;color:#4a5868;max-width:520px}
        .strip{margin:10px 0}.strip-label{font-weight:600}.muted{color:#4a5868}
        #status.error{color:#b3261e;font-weight:600}
        """;

    private const string Script = """
        "use strict";
        const api = __API__;
        const $ = id => document.getElementById(id);
        let model = null, explanation = null;
        $("api-key").value = sessionStorage.getItem("creditscoring-api-key") || "";
        $("api-key").addEventListener("change", () => sessionStorage.setItem("creditscoring-api-key", $("api-key").value));

        async function get(path) {
          const headers = { "Accept": "application/json" };
          if ($("api-key").value) headers["X-Api-Key"] = $("api-key").value;
          const response = await fetch(api + path, { headers });
          const body = await response.json().catch(() => ({}));
          if (!response.ok) {
            if (response.status === 401) $("key-box").open = true;
            const fields = body.errors ? " " + Object.entries(body.errors).map(([k, v]) => k + ": " + v.join(" ")).join(" ") : "";
            throw new Error((body.title || ("The service answered " + response.status + ".")) + fields);
          }
          return body;
        }
        function say(text, error) { $("status").textContent = text; $("status").className = error ? "error" : ""; }
        const pct = p => (100 * p).toFixed(1) + "%";
        const num = v => { const n = Number(v); return v === null || v === "" || isNaN(n) ? String(v) : String(+n.toPrecision(4)); };
        function svg(tag, attrs, text) {
          const e = document.createElementNS("http://www.w3.org/2000/svg", tag);
          for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
          if (text !== undefined) e.textContent = text;
          return e;
        }

        async function loadModel() {
          try {
            model = await get("/model");
            $("model").textContent = "Model " + model.name + " version " + model.version + " (" + model.learner + "), trained " + model.trainedAt.slice(0, 10) + ". Applications at or above " + pct(model.threshold) + " chance of not repaying are declined.";
            $("filter-input").replaceChildren(...model.inputs.map(i => new Option(i.name, i.name)));
            filterKind();
          } catch (e) { say(e.message, true); }
        }
        function filterKind() {
          const input = model && model.inputs.find(i => i.name === $("filter-input").value);
          const numeric = !input || input.type === "number";
          $("filter-range-box").hidden = !numeric; $("filter-value-box").hidden = numeric;
        }
        $("filter-input").addEventListener("change", filterKind);

        $("by-id").addEventListener("submit", e => { e.preventDefault(); show($("client-id").value.trim()); });
        $("by-filters").addEventListener("submit", async e => {
          e.preventDefault();
          const name = $("filter-input").value, q = new URLSearchParams();
          if ($("filter-value-box").hidden) {
            if ($("filter-min").value) q.set(name + ".min", $("filter-min").value);
            if ($("filter-max").value) q.set(name + ".max", $("filter-max").value);
          } else q.set(name, $("filter-value").value);
          q.set("limit", "20");
          try {
            const found = (await get("/applicants?" + q)).applicants;
            const table = document.createElement("table");
            table.id = "found-table";
            table.createCaption().textContent = found.length + (found.length === 1 ? " client found" : " clients found") + (found.length === 20 ? " (the first 20)" : "");
            const head = table.createTHead().insertRow();
            for (const h of ["Client", name]) { const th = document.createElement("th"); th.scope = "col"; th.textContent = h; head.appendChild(th); }
            const body = table.createTBody();
            for (const a of found) {
              const row = body.insertRow();
              const open = document.createElement("button");
              open.type = "button"; open.className = "link"; open.textContent = a.id; open.dataset.id = a.id;
              open.setAttribute("aria-label", "Show the decision for client " + a.id);
              open.addEventListener("click", () => { $("client-id").value = a.id; show(a.id); });
              row.insertCell().appendChild(open);
              const key = Object.keys(a.inputs).find(k => k.toLowerCase() === name.toLowerCase());
              row.insertCell().textContent = a.inputs[key] ?? "missing";
            }
            $("found").replaceChildren(table);
            say("");
          } catch (err) { say(err.message, true); }
        });

        async function show(id) {
          if (!id) return;
          say("Looking up client " + id + "…");
          try {
            explanation = await get("/applicants/" + encodeURIComponent(id) + "/explain");
          } catch (e) { $("result").hidden = true; say(e.message, true); return; }
          say("");
          const x = explanation, declined = x.decision === "decline";
          $("decision").textContent = (declined ? "Declined" : "Approved") + ": client " + x.applicantId;
          $("decision").className = x.decision;
          $("summary").textContent = "The estimated chance that this client does not repay is " + pct(x.probability) + ". Applications at or above " + pct(x.threshold) + " are declined, so this one is " + (declined ? "declined." : "approved.");
          $("reasons").replaceChildren(...(x.reasons.length ? x.reasons.map(r => { const li = document.createElement("li"); li.textContent = r.text; return li; }) : [Object.assign(document.createElement("li"), { textContent: "Nothing in this application pushed it toward decline more than for the average client." })]));
          gauge(x); waterfall(x);
          const inputs = x.inputs.filter(i => i.population);
          const previous = $("compare-input").value;
          $("compare-input").replaceChildren(...inputs.map(i => new Option(i.name, i.name)));
          const top = x.reasons.length ? x.reasons[0].input : inputs.length ? inputs[0].name : "";
          $("compare-input").value = inputs.some(i => i.name === previous) ? previous : top;
          compare();
          $("result").hidden = false;
          $("decision").focus();
        }

        function gauge(x) {
          const g = $("gauge"); g.replaceChildren();
          const cx = 120, cy = 120, r = 95;
          const point = p => [cx - r * Math.cos(Math.PI * p), cy - r * Math.sin(Math.PI * p)];
          const arc = (a, b, color) => { const [x1, y1] = point(a), [x2, y2] = point(b); g.appendChild(svg("path", { d: `M${x1} ${y1} A${r} ${r} 0 0 1 ${x2} ${y2}`, stroke: color, "stroke-width": 18, fill: "none" })); };
          arc(0, x.threshold, "#7fb77e"); arc(x.threshold, 1, "#e9967a");
          const [tx, ty] = point(x.threshold);
          g.appendChild(svg("line", { x1: cx, y1: cy, x2: tx, y2: ty, stroke: "#1d2733", "stroke-dasharray": "3 3" }));
          const [nx, ny] = point(Math.min(1, Math.max(0, x.probability)));
          g.appendChild(svg("line", { id: "needle", x1: cx, y1: cy, x2: nx, y2: ny, stroke: "#1d2733", "stroke-width": 4, "stroke-linecap": "round" }));
          g.appendChild(svg("text", { id: "gauge-value", x: cx, y: 162, "text-anchor": "middle", "font-size": 24, "font-weight": 700 }, pct(x.probability)));
          g.appendChild(svg("text", { x: 14, y: 136, "font-size": 11 }, "0%"));
          g.appendChild(svg("text", { x: 204, y: 136, "font-size": 11 }, "100%"));
          $("gauge-caption").textContent = "Chance of not repaying: " + pct(x.probability) + "; the decline threshold is " + pct(x.threshold) + " (dashed line). Green approves, red declines.";
        }

        // The waterfall in chances of not repaying: the contributions add on the log-odds scale, so each step runs from
        // the chance before the input to the chance after it, from the average client to this one.
        function waterfall(x) {
          const w = $("waterfall"); w.replaceChildren();
          const chance = m => 1 / (1 + Math.exp(-m));
          const sorted = [...x.inputs].sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution));
          const shown = sorted.slice(0, 8), rest = sorted.slice(8).reduce((s, i) => s + i.contribution, 0);
          const steps = [{ name: "Average client", from: 0, to: chance(x.baseValue), total: true }];
          let at = x.baseValue;
          const step = (name, value) => { steps.push({ name, from: chance(at), to: chance(at + value) }); at += value; };
          for (const i of shown) step(i.name + (i.value === null ? " (missing)" : " = " + num(i.value)), i.contribution);
          if (sorted.length > 8) step("Other inputs", rest);
          const calibrated = Math.abs(chance(at) - x.probability) > 1e-9;
          steps.push({ name: "This client", from: 0, to: chance(at), total: true });
          const hi = Math.min(1, 1.1 * Math.max(x.threshold, ...steps.map(s => Math.max(s.from, s.to)))), width = 560, left = 190, row = 24, top = 18;
          const scale = v => left + (width - left - 20) * v / hi;
          const height = top + steps.length * row + 8;
          w.setAttribute("viewBox", `0 0 ${width} ${height}`); w.setAttribute("width", width); w.setAttribute("height", height);
          for (const tick of [0, hi / 2, hi]) w.appendChild(svg("text", { x: scale(tick), y: 12, "text-anchor": "middle", "font-size": 11 }, pct(tick)));
          steps.forEach((s, k) => {
            const y = top + k * row, change = s.to - s.from;
            const color = s.total ? "#1d3557" : change > 0 ? "#c0392b" : "#2e7d32";
            w.appendChild(svg("text", { x: left - 6, y: y + 15, "text-anchor": "end", "font-size": 12 }, s.name.length > 28 ? s.name.slice(0, 27) + "…" : s.name));
            const bar = svg("rect", { x: Math.min(scale(s.from), scale(s.to)), y: y + 3, width: Math.max(1, Math.abs(scale(s.to) - scale(s.from))), height: row - 8, fill: color });
            bar.appendChild(svg("title", {}, s.total ? s.name + ": " + pct(s.to) : s.name + ": " + (change > 0 ? "+" : "") + (100 * change).toFixed(1) + " points, to " + pct(s.to)));
            w.appendChild(bar);
          });
          w.appendChild(svg("line", { x1: scale(x.threshold), y1: top, x2: scale(x.threshold), y2: height - 4, stroke: "#1d2733", "stroke-dasharray": "3 3" }));
          $("waterfall-caption").textContent = "How each input moved this client's chance of not repaying from the average client's (" + pct(chance(x.baseValue)) + ") to theirs. Red pushes toward decline, green toward approval; the dashed line is the decline threshold." + (calibrated ? " The model then calibrates " + pct(chance(at)) + " to " + pct(x.probability) + "." : "");
        }

        function describe(standing, value) {
          if (!standing) return "No comparison is available.";
          if (value === null) return pct(standing.missingShare) + " of these clients also left it empty.";
          if (standing.categoryShare !== null && standing.categoryShare !== undefined) return pct(standing.categoryShare) + " of these clients also have \"" + value + "\".";
          return "Higher than " + pct(standing.percentile) + " of these clients. Most of them (the middle 80%) have from " + num(standing.low) + " to " + num(standing.high) + "; the median is " + num(standing.median) + ".";
        }
        function strip(label, standing, value) {
          const box = document.createElement("div"); box.className = "strip";
          const title = document.createElement("div"); title.className = "strip-label"; title.textContent = label;
          const text = document.createElement("div"); text.className = "strip-text"; text.textContent = describe(standing, value);
          box.append(title, text);
          if (standing && standing.percentile !== null && standing.percentile !== undefined) {
            const s = svg("svg", { viewBox: "0 0 320 26", width: 320, height: 26, role: "img", "aria-label": label + ": " + text.textContent });
            s.appendChild(svg("rect", { x: 10, y: 10, width: 300, height: 6, fill: "#d5dde6" }));
            s.appendChild(svg("rect", { x: 40, y: 8, width: 240, height: 10, fill: "#a9bcd0" }));
            s.appendChild(svg("line", { x1: 160, y1: 4, x2: 160, y2: 22, stroke: "#1d3557" }));
            s.appendChild(svg("circle", { cx: 10 + 300 * standing.percentile, cy: 13, r: 7, fill: "#e76f51", stroke: "#1d2733" }));
            box.appendChild(s);
          }
          return box;
        }
        function compare() {
          if (!explanation) return;
          const input = explanation.inputs.find(i => i.name === $("compare-input").value);
          if (!input) { $("comparison").replaceChildren(); return; }
          const head = document.createElement("p");
          head.id = "comparison-value";
          head.textContent = "This client's " + input.name + ": " + (input.value === null ? "missing" : num(input.value)) + ".";
          $("comparison").replaceChildren(head, strip("All clients", input.population, input.value), strip("Clients with a similar score", input.amongSimilar, input.value));
        }
        $("compare-input").addEventListener("change", compare);
        loadModel();
        """;
}

using System.Buffers;
using System.Numerics.Tensors;

namespace CreditScoring.Sdk.Learners.Linear;

/// <summary>The optimum the solver found.</summary>
/// <param name="Intercept">b, in the (standardised) design's units.</param>
/// <param name="Coefficients">β per column (0 for inactive columns).</param>
/// <param name="Iterations">Newton iterations taken.</param>
/// <param name="MaxGradient">The final optimality measure (largest absolute (sub)gradient), not divided by the total weight.</param>
/// <param name="Objective">The final objective value.</param>
internal sealed record LogisticSolution(double Intercept, double[] Coefficients, int Iterations, double MaxGradient, double Objective);

/// <summary>
/// Minimizes F(b, β) = Σᵢ wᵢ·[log(1 + e^ηᵢ) − yᵢηᵢ] + (λ₂/2)‖β‖² + λ₁‖β‖₁, ηᵢ = b + zᵢ·β.
/// Without L1 this is Newton's method (exact Hessian, Cholesky solve, Armijo backtracking);
/// with L1 it is proximal Newton — the quadratic model is minimized by cyclic coordinate descent
/// with soft-thresholding, as in glmnet (Friedman, Hastie and Tibshirani, "Regularization paths for
/// generalized linear models via coordinate descent", J. Stat. Softw. 33(1), 2010) and newGLMNET
/// (Yuan, Ho and Lin, "An improved GLMNET for L1-regularized logistic regression", JMLR 13, 2012),
/// with the Tseng–Yun sufficient-decrease rule. Past <see cref="NewtonMaximumFeatures"/> active columns (or when asked),
/// where the Hessian's O(n·m²) and its factorisation's O(m³) per iteration dominate, the same objective is minimized by
/// L-BFGS (Nocedal, "Updating quasi-Newton matrices with limited storage", Math. Comp. 35, 1980; two-loop recursion as in
/// Nocedal and Wright, Numerical Optimization, Algorithm 7.4) with Armijo backtracking, or with L1 by OWL-QN (Andrew and Gao,
/// "Scalable training of L1-regularized log-linear models", ICML 2007), O(n·m) per iteration, to the same stopping rule.
/// Every quantity is computed in a fixed order, so the result does not depend on the number of threads used for the Hessian.
/// </summary>
internal static class LogisticSolver
{
    /// <summary>Above this many active columns, <see cref="LogisticSolverKind.Auto"/> uses L-BFGS (OWL-QN with L1) instead of Newton.</summary>
    public const int NewtonMaximumFeatures = 500;

    /// <summary>L-BFGS iterations allowed per Newton iteration of the iteration limit.</summary>
    public const int QuasiNewtonIterationsPerNewton = 20;

    private const double Armijo = 1e-4;
    private const int History = 10;

    public static LogisticSolution Solve(
        double[][] z, int n, ReadOnlySpan<int> labels, double[] w, bool[] active,
        double l2, double l1, double tolerance, int maxIterations, int threads, CancellationToken cancellationToken,
        LogisticSolverKind solver = LogisticSolverKind.Auto, Action<int, double>? progress = null)
    {
        var act = new List<int>();
        for (var j = 0; j < z.Length; j++)
        {
            if (active[j])
            {
                act.Add(j);
            }
        }

        var m = act.Count;
        var cols = new double[m][];
        for (var k = 0; k < m; k++)
        {
            cols[k] = z[act[k]];
        }

        var y = new double[n];
        double totalWeight = 0, positiveWeight = 0;
        for (var i = 0; i < n; i++)
        {
            y[i] = labels[i];
            totalWeight += w[i];
            positiveWeight += w[i] * labels[i];
        }

        var theta = new double[m + 1];
        var rate = Math.Clamp(positiveWeight / totalWeight, 1e-12, 1 - 1e-12);
        theta[0] = Math.Log(rate / (1 - rate));
        if (solver == LogisticSolverKind.Lbfgs || (solver == LogisticSolverKind.Auto && m > NewtonMaximumFeatures))
        {
            return QuasiNewton(cols, act, z.Length, y, w, theta, totalWeight, l2, l1, tolerance, maxIterations * QuasiNewtonIterationsPerNewton, threads, progress, cancellationToken);
        }

        var eta = new double[n];
        Array.Fill(eta, theta[0]);
        var r = new double[n];
        var h = new double[n];
        var zd = new double[n];
        var trialEta = new double[n];
        var scratch = new double[n];
        var scratch2 = new double[n];
        var g = new double[m + 1];
        var dir = new double[m + 1];
        var hessian = new double[(m + 1) * (m + 1)];
        var objective = Objective(eta, y, w, theta, l2, l1, scratch, scratch2);
        var optimality = double.PositiveInfinity;

        for (var iteration = 0; ; iteration++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Gradient(cols, eta, y, w, theta, l2, r, h, g, scratch);
            optimality = Optimality(g, theta, l1);
            if (optimality <= tolerance * totalWeight)
            {
                return Result(theta, act, z.Length, iteration, optimality, objective);
            }

            if (iteration == maxIterations)
            {
                throw NotConverged(maxIterations, "Newton", optimality / totalWeight, tolerance);
            }

            progress?.Invoke(iteration, optimality / totalWeight);

            Hessian(cols, h, l2, hessian, m + 1, threads);
            if (l1 == 0)
            {
                NewtonDirection(hessian, g, dir, m + 1);
            }
            else
            {
                ProximalDirection(hessian, g, theta, l1, dir, m + 1);
            }

            // zd = dir₀ + Z·dir₁..ₘ, so that η(θ + t·dir) = η + t·zd.
            Array.Fill(zd, dir[0]);
            for (var k = 0; k < m; k++)
            {
                if (dir[k + 1] != 0)
                {
                    TensorPrimitives.MultiplyAdd<double>(cols[k], dir[k + 1], zd, zd);
                }
            }

            var predicted = 0.0;
            for (var k = 0; k <= m; k++)
            {
                predicted += g[k] * dir[k];
            }

            if (l1 > 0)
            {
                for (var k = 1; k <= m; k++)
                {
                    predicted += l1 * (Math.Abs(theta[k] + dir[k]) - Math.Abs(theta[k]));
                }
            }

            if (!(predicted < 0))
            {
                // No descent direction left at machine precision: the optimum is reached as far as doubles allow.
                return Result(theta, act, z.Length, iteration, optimality, objective);
            }

            var step = 1.0;
            var trialTheta = new double[m + 1];
            var accepted = false;
            for (var attempt = 0; attempt < 60; attempt++)
            {
                TensorPrimitives.MultiplyAdd<double>(zd, step, eta, trialEta);

                for (var k = 0; k <= m; k++)
                {
                    trialTheta[k] = theta[k] + (step * dir[k]);
                }

                // Near the optimum the decrease is below the objective's rounding; a full Newton step is then safe.
                var bound = objective + (Armijo * step * predicted);
                var safe = step == 1.0 && -predicted < 1e-12 * (Math.Abs(objective) + 1);
                var trial = Objective(trialEta, y, w, trialTheta, l2, l1, scratch, scratch2, safe ? double.PositiveInfinity : bound);
                if (trial <= bound || safe)
                {
                    (eta, trialEta) = (trialEta, eta);
                    theta = trialTheta;
                    objective = trial;
                    accepted = true;
                    break;
                }

                step *= 0.5;
            }

            if (!accepted)
            {
                return Result(theta, act, z.Length, iteration + 1, optimality, objective);
            }
        }
    }

    private static CreditScoringException NotConverged(int iterations, string method, double gradient, double tolerance) => new(
        $"Logistic regression did not converge in {iterations} {method} iterations (largest gradient / total weight = {gradient:G3}, tolerance {tolerance:G3}). " +
        "The classes may be perfectly separable by some feature; set L2Regularization > 0, or raise MaximumNumberOfIterations.");

    /// <summary>
    /// L-BFGS with Armijo backtracking, or with λ₁ &gt; 0 OWL-QN: the pseudo-gradient's direction, constrained to agree in sign
    /// with it, and each trial point projected onto the orthant of the current one. The smooth part's gradient difference
    /// feeds the curvature pairs; a pair with sᵀy ≤ 0 is skipped.
    /// </summary>
    private static LogisticSolution QuasiNewton(
        double[][] cols, List<int> act, int columns, double[] y, double[] w, double[] theta, double totalWeight,
        double l2, double l1, double tolerance, int maxIterations, int threads, Action<int, double>? progress, CancellationToken cancellationToken)
    {
        var n = y.Length;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = (long)n * cols.Length >= 1_000_000 ? threads : 1, CancellationToken = cancellationToken };
        var d = theta.Length;
        var eta = new double[n];
        var r = new double[n];
        var h = new double[n];
        var scratch = new double[n];
        var scratch2 = new double[n];
        var g = new double[d];
        var pg = new double[d];
        var dir = new double[d];
        var trial = new double[d];
        var trialG = new double[d];
        var s = new double[History][];
        var yy = new double[History][];
        var rho = new double[History];
        var alpha = new double[History];
        for (var k = 0; k < History; k++)
        {
            s[k] = new double[d];
            yy[k] = new double[d];
        }

        var stored = 0;
        var newest = -1;
        Eta(cols, theta, eta, parallel);
        var objective = Objective(eta, y, w, theta, l2, l1, scratch, scratch2);
        Gradient(cols, eta, y, w, theta, l2, r, h, g, scratch, parallel);
        for (var iteration = 0; ; iteration++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var optimality = Optimality(g, theta, l1);
            if (optimality <= tolerance * totalWeight)
            {
                return Result(theta, act, columns, iteration, optimality, objective);
            }

            if (iteration == maxIterations)
            {
                throw NotConverged(maxIterations, "L-BFGS", optimality / totalWeight, tolerance);
            }

            progress?.Invoke(iteration, optimality / totalWeight);
            PseudoGradient(g, theta, l1, pg);

            // Two-loop recursion: dir = −H·pg, H the L-BFGS inverse-Hessian estimate (γI before any pair).
            for (var k = 0; k < d; k++)
            {
                dir[k] = -pg[k];
            }

            for (var back = 0; back < stored; back++)
            {
                var j = (newest - back + History) % History;
                alpha[j] = rho[j] * Dot(s[j], dir);
                Axpy(-alpha[j], yy[j], dir);
            }

            var gamma = stored > 0 ? Dot(s[newest], yy[newest]) / Dot(yy[newest], yy[newest]) : 1.0 / Math.Max(1.0, Norm(pg));
            for (var k = 0; k < d; k++)
            {
                dir[k] *= gamma;
            }

            for (var forward = stored - 1; forward >= 0; forward--)
            {
                var j = (newest - forward + History) % History;
                var beta = rho[j] * Dot(yy[j], dir);
                Axpy(alpha[j] - beta, s[j], dir);
            }

            if (l1 > 0)
            {
                // OWL-QN: keep only the components that descend along the pseudo-gradient.
                for (var k = 1; k < d; k++)
                {
                    if (dir[k] * pg[k] >= 0)
                    {
                        dir[k] = 0;
                    }
                }
            }

            var step = 1.0;
            var accepted = false;
            double trialObjective = 0, predicted = 0;
            for (var attempt = 0; attempt < 60; attempt++)
            {
                predicted = 0;
                for (var k = 0; k < d; k++)
                {
                    var t = theta[k] + (step * dir[k]);
                    if (l1 > 0 && k > 0)
                    {
                        // The orthant of θ (or, for a zero, of −pg); a coordinate that would leave it stops at 0.
                        var orthant = theta[k] != 0 ? Math.Sign(theta[k]) : -Math.Sign(pg[k]);
                        if (Math.Sign(t) != orthant)
                        {
                            t = 0;
                        }
                    }

                    trial[k] = t;
                    predicted += pg[k] * (t - theta[k]);
                }

                if (!(predicted < 0))
                {
                    // No descent left at machine precision.
                    return Result(theta, act, columns, iteration, optimality, objective);
                }

                Eta(cols, trial, scratch2, parallel);
                var bound = objective + (Armijo * predicted);
                var safe = step == 1.0 && -predicted < 1e-12 * (Math.Abs(objective) + 1);
                trialObjective = Objective(scratch2, y, w, trial, l2, l1, scratch, h, safe ? double.PositiveInfinity : bound);
                if (trialObjective <= bound || safe)
                {
                    (eta, scratch2) = (scratch2, eta);
                    accepted = true;
                    break;
                }

                step *= 0.5;
            }

            if (!accepted)
            {
                return Result(theta, act, columns, iteration + 1, optimality, objective);
            }

            Gradient(cols, eta, y, w, trial, l2, r, h, trialG, scratch, parallel);
            var slot = (newest + 1) % History;
            double sy = 0;
            for (var k = 0; k < d; k++)
            {
                s[slot][k] = trial[k] - theta[k];
                yy[slot][k] = trialG[k] - g[k];
                sy += s[slot][k] * yy[slot][k];
            }

            if (sy > 1e-16 * Dot(yy[slot], yy[slot]))
            {
                rho[slot] = 1 / sy;
                newest = slot;
                stored = Math.Min(stored + 1, History);
            }

            (theta, trial) = (trial, theta);
            (g, trialG) = (trialG, g);
            objective = trialObjective;
        }
    }

    /// <summary>
    /// η = θ₀ + Σₖ θₖ₊₁·colₖ, accumulated column by column in a fixed order within blocks of rows; the blocks run in parallel,
    /// and each row's sum has the same order on any number of threads.
    /// </summary>
    private static void Eta(double[][] cols, double[] theta, double[] eta, ParallelOptions parallel)
    {
        const int block = 4096;
        var blocks = (eta.Length + block - 1) / block;
        Parallel.For(0, blocks, parallel, b =>
        {
            var start = b * block;
            var rows = eta.AsSpan(start, Math.Min(block, eta.Length - start));
            rows.Fill(theta[0]);
            for (var k = 0; k < cols.Length; k++)
            {
                if (theta[k + 1] != 0)
                {
                    TensorPrimitives.MultiplyAdd<double>(cols[k].AsSpan(start, rows.Length), theta[k + 1], rows, rows);
                }
            }
        });
    }

    /// <summary>The minimum-norm subgradient of the L1-penalised objective (the intercept is unpenalised); the gradient without L1.</summary>
    private static void PseudoGradient(double[] g, double[] theta, double l1, double[] pg)
    {
        pg[0] = g[0];
        for (var k = 1; k < g.Length; k++)
        {
            pg[k] = l1 == 0 ? g[k]
                : theta[k] > 0 ? g[k] + l1
                : theta[k] < 0 ? g[k] - l1
                : g[k] + l1 < 0 ? g[k] + l1
                : g[k] - l1 > 0 ? g[k] - l1
                : 0;
        }
    }

    private static double Dot(double[] a, double[] b) => TensorPrimitives.Dot<double>(a, b);

    private static double Norm(double[] a) => TensorPrimitives.Norm<double>(a);

    private static void Axpy(double a, double[] x, double[] y) => TensorPrimitives.MultiplyAdd<double>(x, a, y, y);

    private static LogisticSolution Result(double[] theta, List<int> act, int columns, int iterations, double optimality, double objective)
    {
        var beta = new double[columns];
        for (var k = 0; k < act.Count; k++)
        {
            beta[act[k]] = theta[k + 1];
        }

        return new LogisticSolution(theta[0], beta, iterations, optimality, objective);
    }

    /// <summary>Rows per chunk of a line-search trial's objective, which stops once its partial sum rules the trial out.</summary>
    private const int ObjectiveChunkRows = 16384;

    /// <summary>
    /// Σ w·(softplus(η) − y·η) + penalties, with softplus(x) = max(x, 0) + log(1 + e^−|x|) (no overflow), vectorised.
    /// A line search's trial only needs to know whether it stays at or below <paramref name="bound"/>: every term is
    /// non-negative (softplus(η) ≥ max(η, 0) ≥ y·η, and weights are non-negative), so once a partial sum over the first
    /// chunks of rows is above the bound (with a margin of 1e-9 relative, far above the sums' rounding) the trial is
    /// rejected, +∞ returned, without the exponentials and logarithms of the remaining rows. A trial that is not ruled out
    /// early gets the value computed exactly as without a bound: each term is the same element-wise operation on a
    /// chunk of at least 16,384 rows as on the whole array, and the sum is one dot product over all rows.
    /// </summary>
    internal static double Objective(double[] eta, double[] y, double[] w, double[] theta, double l2, double l1, double[] a, double[] b, double bound = double.PositiveInfinity)
    {
        double squares = 0, absolute = 0;
        for (var k = 1; k < theta.Length; k++)
        {
            squares += theta[k] * theta[k];
            absolute += Math.Abs(theta[k]);
        }

        var n = eta.Length;
        if (double.IsFinite(bound) && n >= 2 * ObjectiveChunkRows)
        {
            var limit = bound + (1e-9 * (Math.Abs(bound) + 1)) - (0.5 * l2 * squares) - (l1 * absolute);
            var partial = 0.0;
            for (int start = 0, length; start < n; start += length)
            {
                length = n - start < 2 * ObjectiveChunkRows ? n - start : ObjectiveChunkRows;
                Terms(eta.AsSpan(start, length), y.AsSpan(start, length), a.AsSpan(start, length), b.AsSpan(start, length));
                partial += TensorPrimitives.Dot<double>(w.AsSpan(start, length), a.AsSpan(start, length));
                if (partial > limit)
                {
                    return double.PositiveInfinity;
                }
            }
        }
        else
        {
            Terms(eta, y, a, b);
        }

        return TensorPrimitives.Dot<double>(w, a) + (0.5 * l2 * squares) + (l1 * absolute);
    }

    /// <summary>a = softplus(η) − y·η, element by element (b is scratch).</summary>
    private static void Terms(ReadOnlySpan<double> eta, ReadOnlySpan<double> y, Span<double> a, Span<double> b)
    {
        TensorPrimitives.Abs<double>(eta, a);
        TensorPrimitives.Negate<double>(a, a);
        TensorPrimitives.Exp<double>(a, a);
        TensorPrimitives.LogP1<double>(a, a);
        TensorPrimitives.Max<double>(eta, 0.0, b);
        TensorPrimitives.Add<double>(a, b, a);
        TensorPrimitives.Multiply<double>(y, eta, b);
        TensorPrimitives.Subtract<double>(a, b, a);
    }

    /// <summary>p = σ(η), r = w·(p − y), h = w·p·(1 − p); g₀ = Σr, gₖ = zₖ·r + λ₂βₖ. Vectorised; the columns' dot products are independent, so they may run in parallel.</summary>
    private static void Gradient(double[][] cols, double[] eta, double[] y, double[] w, double[] theta, double l2, double[] r, double[] h, double[] g, double[] p, ParallelOptions? parallel = null)
    {
        TensorPrimitives.Sigmoid<double>(eta, p);
        TensorPrimitives.Subtract<double>(p, y, r);
        TensorPrimitives.Multiply<double>(r, w, r);
        TensorPrimitives.Subtract<double>(1.0, p, h);
        TensorPrimitives.Multiply<double>(h, p, h);
        TensorPrimitives.Multiply<double>(h, w, h);
        g[0] = TensorPrimitives.Sum<double>(r);
        if (parallel is { MaxDegreeOfParallelism: > 1 })
        {
            Parallel.For(0, cols.Length, parallel, k => g[k + 1] = TensorPrimitives.Dot<double>(cols[k], r) + (l2 * theta[k + 1]));
            return;
        }

        for (var k = 0; k < cols.Length; k++)
        {
            g[k + 1] = TensorPrimitives.Dot<double>(cols[k], r) + (l2 * theta[k + 1]);
        }
    }

    private static double Optimality(double[] g, double[] theta, double l1)
    {
        var worst = Math.Abs(g[0]);
        for (var k = 1; k < g.Length; k++)
        {
            double v;
            if (l1 == 0)
            {
                v = Math.Abs(g[k]);
            }
            else if (theta[k] != 0)
            {
                v = Math.Abs(g[k] + (l1 * Math.Sign(theta[k])));
            }
            else
            {
                v = Math.Max(0, Math.Abs(g[k]) - l1);
            }

            worst = Math.Max(worst, v);
        }

        return worst;
    }

    /// <summary>Rows per block of the Hessian's accumulation: a block's columns (and one product column) stay in a core's L2 cache.</summary>
    internal const int HessianBlockRows = 2048;

    /// <summary>
    /// H = [Σh, (h·z_k); (h·z_j), Σ h z_j z_k] + λ₂ on the coefficient diagonal, accumulated block of rows by block of rows:
    /// each block's m(m+1)/2 + m + 1 sums are computed while its columns are in cache (one pass over the design per
    /// Newton iteration, instead of one per product), then the blocks' sums are added in block order. The blocks are
    /// fixed by the row count alone, so the result does not depend on the number of threads.
    /// </summary>
    private static void Hessian(double[][] cols, double[] h, double l2, double[] hessian, int d, int threads)
    {
        var n = h.Length;
        var m = cols.Length;
        var entries = 1 + m + (m * (m + 1) / 2);
        var blocks = Math.Max(1, (n + HessianBlockRows - 1) / HessianBlockRows);
        var partial = ArrayPool<double>.Shared.Rent(blocks * entries);
        try
        {
            var parallel = (long)n * m * m >= 4_000_000;
            var options = new ParallelOptions { MaxDegreeOfParallelism = parallel ? threads : 1 };
            Parallel.For(0, blocks, options, () => ArrayPool<double>.Shared.Rent(HessianBlockRows), (b, _, hz) =>
            {
                var start = b * HessianBlockRows;
                var length = Math.Min(HessianBlockRows, n - start);
                var hb = h.AsSpan(start, length);
                var sums = partial.AsSpan(b * entries, entries);
                var product = hz.AsSpan(0, length);
                var e = 0;
                sums[e++] = TensorPrimitives.Sum<double>(hb);
                for (var j = 0; j < m; j++)
                {
                    TensorPrimitives.Multiply<double>(hb, cols[j].AsSpan(start, length), product);
                    sums[e++] = TensorPrimitives.Sum<double>(product);
                    for (var k = j; k < m; k++)
                    {
                        sums[e++] = TensorPrimitives.Dot<double>(product, cols[k].AsSpan(start, length));
                    }
                }

                return hz;
            }, hz => ArrayPool<double>.Shared.Return(hz));

            var total = new double[entries];
            for (var b = 0; b < blocks; b++)
            {
                TensorPrimitives.Add<double>(total, partial.AsSpan(b * entries, entries), total);
            }

            var at = 0;
            hessian[0] = total[at++];
            for (var j = 0; j < m; j++)
            {
                var row = (j + 1) * d;
                hessian[j + 1] = hessian[row] = total[at++];
                for (var k = j; k < m; k++)
                {
                    hessian[row + k + 1] = hessian[((k + 1) * d) + j + 1] = total[at++];
                }

                hessian[row + j + 1] += l2;
            }
        }
        finally
        {
            ArrayPool<double>.Shared.Return(partial);
        }
    }

    /// <summary>Solves H·dir = −g by Cholesky; if H is singular (collinear features without L2), adds the smallest damping that makes it positive definite.</summary>
    private static void NewtonDirection(double[] hessian, double[] g, double[] dir, int d)
    {
        var factor = new double[d * d];
        var trace = 0.0;
        for (var k = 0; k < d; k++)
        {
            trace += hessian[(k * d) + k];
        }

        var damping = 0.0;
        while (!Cholesky(hessian, factor, d, damping))
        {
            damping = damping == 0 ? 1e-12 * Math.Max(trace / d, 1e-300) : damping * 10;
        }

        // Forward then back substitution: L·u = −g, Lᵀ·dir = u.
        for (var i = 0; i < d; i++)
        {
            var s = -g[i];
            for (var k = 0; k < i; k++)
            {
                s -= factor[(i * d) + k] * dir[k];
            }

            dir[i] = s / factor[(i * d) + i];
        }

        for (var i = d - 1; i >= 0; i--)
        {
            var s = dir[i];
            for (var k = i + 1; k < d; k++)
            {
                s -= factor[(k * d) + i] * dir[k];
            }

            dir[i] = s / factor[(i * d) + i];
        }
    }

    private static bool Cholesky(double[] a, double[] l, int d, double damping)
    {
        Array.Clear(l);
        for (var i = 0; i < d; i++)
        {
            for (var j = 0; j <= i; j++)
            {
                var s = a[(i * d) + j] + (i == j ? damping : 0);
                for (var k = 0; k < j; k++)
                {
                    s -= l[(i * d) + k] * l[(j * d) + k];
                }

                if (i == j)
                {
                    if (!(s > 1e-14 * Math.Max(1.0, Math.Abs(a[(i * d) + i]))))
                    {
                        return false;
                    }

                    l[(i * d) + i] = Math.Sqrt(s);
                }
                else
                {
                    l[(i * d) + j] = s / l[(j * d) + j];
                }
            }
        }

        return true;
    }

    /// <summary>
    /// Minimizes gᵀd + ½dᵀHd + λ₁‖β + d‖₁ over d by cyclic coordinate descent (intercept unpenalised),
    /// keeping H·d up to date so that each coordinate step costs O(dimension).
    /// </summary>
    private static void ProximalDirection(double[] hessian, double[] g, double[] theta, double l1, double[] dir, int d)
    {
        Array.Clear(dir);
        var hd = new double[d];
        for (var sweep = 0; sweep < 10_000; sweep++)
        {
            var largest = 0.0;
            for (var k = 0; k < d; k++)
            {
                var a = hessian[(k * d) + k];
                if (!(a > 0))
                {
                    continue;
                }

                var gk = g[k] + hd[k];
                double delta;
                if (k == 0)
                {
                    delta = -gk / a;
                }
                else
                {
                    var u = theta[k] + dir[k];
                    var target = u - (gk / a);
                    var threshold = l1 / a;
                    var shrunk = target > threshold ? target - threshold : target < -threshold ? target + threshold : 0.0;
                    delta = shrunk - u;
                }

                if (delta != 0)
                {
                    dir[k] += delta;
                    var row = k * d;
                    for (var i = 0; i < d; i++)
                    {
                        hd[i] += delta * hessian[row + i];
                    }

                    largest = Math.Max(largest, Math.Abs(delta) / (1 + Math.Abs(theta[k] + dir[k])));
                }
            }

            if (largest < 1e-15)
            {
                return;
            }
        }
    }

}

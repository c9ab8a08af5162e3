using System.Numerics;
using System.Runtime.CompilerServices;
using CreditScoring.Sdk.Internal;

namespace CreditScoring.Sdk.Resampling;

/// <summary>
/// Exact k-nearest-neighbor search by squared Euclidean distance over row-major points: a k-d tree
/// (Friedman, Bentley and Finkel, "An algorithm for finding best matches in logarithmic expected time",
/// 1977; sliding-midpoint splits, bounding-box pruning) for low dimensions and a SIMD brute-force scan
/// above <see cref="TreeDimensionLimit"/> dimensions or below <see cref="BruteForceRows"/> points, where
/// the tree no longer prunes. Ties are broken by the lower point index, so the neighbors found are the
/// same set, in the same order, whichever search runs and however the queries are spread over threads.
/// </summary>
internal sealed class NearestNeighbors
{
    /// <summary>Above this many dimensions the brute-force scan is used.</summary>
    public const int TreeDimensionLimit = 16;

    /// <summary>Below this many points the brute-force scan is used.</summary>
    public const int BruteForceRows = 512;

    private const int LeafSize = 24;

    private readonly double[] _points;   // row-major, in tree order when a tree is built
    private readonly int[] _order;       // tree position -> original index
    private readonly int _dimensions;
    private readonly int _count;
    private readonly Node[]? _nodes;
    private readonly double[]? _bounds;  // per node: d lower then d upper bounds

    public NearestNeighbors(double[] points, int count, int dimensions)
    {
        _dimensions = dimensions;
        _count = count;
        _order = new int[count];
        for (var i = 0; i < count; i++)
        {
            _order[i] = i;
        }

        if (dimensions > TreeDimensionLimit || count < BruteForceRows)
        {
            _points = points;
            return;
        }

        var nodes = new List<Node>();
        var bounds = new List<double>();
        Build(points, 0, count, nodes, bounds);
        _nodes = [.. nodes];
        _bounds = [.. bounds];
        _points = new double[count * dimensions];
        for (var i = 0; i < count; i++)
        {
            Array.Copy(points, (long)_order[i] * dimensions, _points, (long)i * dimensions, dimensions);
        }
    }

    public bool UsesTree => _nodes is not null;

    /// <summary>
    /// Finds the <paramref name="k"/> points nearest to <paramref name="query"/>, skipping the point with
    /// original index <paramref name="exclude"/> (−1 for none); nearest first.
    /// </summary>
    public void Query(ReadOnlySpan<double> query, int k, int exclude, Span<int> indices, Span<double> distances)
    {
        indices[..k].Fill(-1);
        distances[..k].Fill(double.PositiveInfinity);
        if (_nodes is null)
        {
            for (var i = 0; i < _count; i++)
            {
                if (i != exclude)
                {
                    Offer(Distance(query, _points.AsSpan(i * _dimensions, _dimensions)), i, k, indices, distances);
                }
            }

            return;
        }

        Search(0, query, k, exclude, indices, distances);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Distance(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        var sum = 0.0;
        var j = 0;
        if (Vector.IsHardwareAccelerated && a.Length >= Vector<double>.Count)
        {
            var acc = Vector<double>.Zero;
            for (; j <= a.Length - Vector<double>.Count; j += Vector<double>.Count)
            {
                var d = new Vector<double>(a[j..]) - new Vector<double>(b[j..]);
                acc += d * d;
            }

            sum = Vector.Sum(acc);
        }

        for (; j < a.Length; j++)
        {
            var d = a[j] - b[j];
            sum += d * d;
        }

        return sum;
    }

    /// <summary>Inserts a candidate into the sorted best list when it beats the worst: by distance, then by lower index.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Offer(double distance, int index, int k, Span<int> indices, Span<double> distances)
    {
        var last = k - 1;
        if (distance > distances[last] || (distance == distances[last] && (uint)index >= (uint)indices[last]))
        {
            return;
        }

        var p = last;
        while (p > 0 && (distance < distances[p - 1] || (distance == distances[p - 1] && index < indices[p - 1])))
        {
            distances[p] = distances[p - 1];
            indices[p] = indices[p - 1];
            p--;
        }

        distances[p] = distance;
        indices[p] = index;
    }

    private void Search(int node, ReadOnlySpan<double> query, int k, int exclude, Span<int> indices, Span<double> distances)
    {
        var n = _nodes![node];
        if (n.Left < 0)
        {
            for (var i = n.Start; i < n.End; i++)
            {
                var original = _order[i];
                if (original != exclude)
                {
                    Offer(Distance(query, _points.AsSpan(i * _dimensions, _dimensions)), original, k, indices, distances);
                }
            }

            return;
        }

        var goLeftFirst = query[n.Dimension] <= n.Split;
        var first = goLeftFirst ? n.Left : n.Right;
        var second = goLeftFirst ? n.Right : n.Left;
        if (BoxDistance(first, query) <= distances[k - 1])
        {
            Search(first, query, k, exclude, indices, distances);
        }

        if (BoxDistance(second, query) <= distances[k - 1])
        {
            Search(second, query, k, exclude, indices, distances);
        }
    }

    private double BoxDistance(int node, ReadOnlySpan<double> query)
    {
        var b = _bounds.AsSpan(node * 2 * _dimensions, 2 * _dimensions);
        var sum = 0.0;
        for (var j = 0; j < _dimensions; j++)
        {
            var q = query[j];
            var d = q < b[j] ? b[j] - q : q > b[_dimensions + j] ? q - b[_dimensions + j] : 0.0;
            sum += d * d;
        }

        return sum;
    }

    private int Build(double[] points, int start, int end, List<Node> nodes, List<double> bounds)
    {
        var d = _dimensions;
        var id = nodes.Count;
        nodes.Add(default);
        var lower = new double[d];
        var upper = new double[d];
        lower.AsSpan().Fill(double.PositiveInfinity);
        upper.AsSpan().Fill(double.NegativeInfinity);
        for (var i = start; i < end; i++)
        {
            var row = _order[i] * d;
            for (var j = 0; j < d; j++)
            {
                var v = points[row + j];
                if (v < lower[j])
                {
                    lower[j] = v;
                }

                if (v > upper[j])
                {
                    upper[j] = v;
                }
            }
        }

        bounds.AddRange(lower);
        bounds.AddRange(upper);
        var widest = 0;
        for (var j = 1; j < d; j++)
        {
            if (upper[j] - lower[j] > upper[widest] - lower[widest])
            {
                widest = j;
            }
        }

        if (end - start <= LeafSize || !(upper[widest] > lower[widest]))
        {
            nodes[id] = new Node(start, end, -1, -1, 0, 0);
            return id;
        }

        // Median split on the widest dimension; values equal to the split go left, so that "query <= split" goes to
        // the side holding them. When the median is the largest value, split just below it instead.
        var scratch = new double[end - start];
        for (var i = start; i < end; i++)
        {
            scratch[i - start] = points[(_order[i] * d) + widest];
        }

        var split = Selection.SelectInplace(scratch, (scratch.Length - 1) / 2);
        var m = Partition(points, start, end, widest, split, inclusive: true);
        if (m >= end)
        {
            m = Partition(points, start, end, widest, split, inclusive: false);
            split = double.BitDecrement(split);
        }

        var left = Build(points, start, m, nodes, bounds);
        var right = Build(points, m, end, nodes, bounds);
        nodes[id] = new Node(start, end, left, right, widest, split);
        return id;
    }

    /// <summary>Moves the rows whose value is below (or at, when inclusive) the split to the front; returns the boundary.</summary>
    private int Partition(double[] points, int start, int end, int dimension, double split, bool inclusive)
    {
        var m = start;
        for (var i = start; i < end; i++)
        {
            var v = points[(_order[i] * _dimensions) + dimension];
            if (v < split || (inclusive && v == split))
            {
                (_order[i], _order[m]) = (_order[m], _order[i]);
                m++;
            }
        }

        return m;
    }

    private readonly record struct Node(int Start, int End, int Left, int Right, int Dimension, double Split);
}

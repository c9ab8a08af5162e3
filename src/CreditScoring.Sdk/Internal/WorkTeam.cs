using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace CreditScoring.Sdk.Internal;

/// <summary>
/// A fork-join team for the many short parallel loops of one fit (a tree is grown in dozens of them):
/// the calling thread and <c>threads − 1</c> dedicated workers that spin for a moment between loops
/// before they block, as OpenMP teams do. <see cref="Parallel.For(int, int, Action{int})"/> pays a
/// thread-pool wake-up and a few allocations per loop, which at tens of microseconds per loop was a
/// fifth of a gradient-boosting fit on two cores. Which thread runs an index never matters to the
/// callers: each index writes its own outputs, so results do not depend on the thread count.
/// </summary>
internal sealed class WorkTeam : IDisposable
{
    /// <summary>How long an idle worker spins before it blocks: long enough to span the serial steps between the loops of a fit.</summary>
    private static readonly long SpinTicks = Stopwatch.Frequency / 500;

    [ThreadStatic]
    private static int t_member;

    private readonly Thread[] _workers;
    private readonly object _gate = new();
    private Action<int>? _body;
    private int _count;
    private int _next;
    private int _running;
    private int _generation;
    private int _sleepers;
    private bool _stopping;
    private Exception? _error;

    /// <summary>Creates a team of <paramref name="threads"/> threads, the caller included (1: every loop runs inline).</summary>
    public WorkTeam(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        _workers = new Thread[threads - 1];
        for (var i = 0; i < _workers.Length; i++)
        {
            var member = i + 1;
            _workers[i] = new Thread(() => Serve(member)) { IsBackground = true, Name = $"CreditScoring.Sdk worker {member}" };
            _workers[i].Start();
        }
    }

    /// <summary>The number of threads, the caller included.</summary>
    public int Size => _workers.Length + 1;

    /// <summary>Inside a loop body: which of the team's threads runs it, in [0, <see cref="Size"/>) (0: the caller), for per-thread scratch buffers.</summary>
    public static int Member => t_member;

    /// <summary>
    /// Runs <paramref name="body"/> once for each index in [0, <paramref name="count"/>) and returns when all have
    /// run; the first exception thrown is rethrown after the loop. One caller at a time, and a body must not
    /// call <see cref="For"/> on the same team.
    /// </summary>
    public void For(int count, Action<int> body)
    {
        ObjectDisposedException.ThrowIf(_stopping, this);
        if (_workers.Length == 0 || count <= 1)
        {
            t_member = 0;
            for (var i = 0; i < count; i++)
            {
                body(i);
            }

            return;
        }

        _body = body;
        _count = count;
        _next = 0;
        _error = null;
        Volatile.Write(ref _running, _workers.Length);
        Interlocked.Increment(ref _generation);
        if (Volatile.Read(ref _sleepers) > 0)
        {
            lock (_gate)
            {
                Monitor.PulseAll(_gate);
            }
        }

        Work(0);
        var wait = default(SpinWait);
        while (Volatile.Read(ref _running) != 0)
        {
            wait.SpinOnce(sleep1Threshold: -1);
        }

        _body = null;
        if (_error is { } error)
        {
            ExceptionDispatchInfo.Throw(error);
        }
    }

    /// <summary>Stops and joins the workers.</summary>
    public void Dispose()
    {
        if (_stopping)
        {
            return;
        }

        Volatile.Write(ref _stopping, true);
        Interlocked.Increment(ref _generation);
        lock (_gate)
        {
            Monitor.PulseAll(_gate);
        }

        foreach (var worker in _workers)
        {
            worker.Join();
        }
    }

    private void Work(int member)
    {
        t_member = member;
        var body = _body!;
        var count = _count;
        int i;
        while ((i = Interlocked.Increment(ref _next) - 1) < count)
        {
            try
            {
                body(i);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _error, e, null);
            }
        }
    }

    private void Serve(int member)
    {
        var seen = 0;
        while (true)
        {
            var deadline = Stopwatch.GetTimestamp() + SpinTicks;
            int generation;
            while ((generation = Volatile.Read(ref _generation)) == seen)
            {
                if (Stopwatch.GetTimestamp() < deadline)
                {
                    Thread.SpinWait(16);
                    continue;
                }

                // The counter is raised before the generation is read again, and the caller raises the
                // generation before it reads the counter: one of the two sees the other, so no round is missed.
                Interlocked.Increment(ref _sleepers);
                lock (_gate)
                {
                    while (Volatile.Read(ref _generation) == seen)
                    {
                        Monitor.Wait(_gate);
                    }
                }

                Interlocked.Decrement(ref _sleepers);
            }

            seen = generation;
            if (Volatile.Read(ref _stopping))
            {
                return;
            }

            Work(member);
            Interlocked.Decrement(ref _running);
        }
    }
}

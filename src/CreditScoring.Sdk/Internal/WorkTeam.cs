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
/// <para>
/// The caller never waits for a worker that has not started: workers take indices as they come, and when the
/// caller has run out of indices it closes the round and waits only for the workers inside it. On a busy
/// machine, where a worker may not get a core for milliseconds, the caller then does the round alone, as a
/// one-thread fit would, instead of waiting for the worker (which made two-thread fits 4 to 10 times slower
/// than one-thread fits under load). Joining a round is a Dekker handshake: a worker raises the count of
/// workers inside before it reads whether the round is open, and the caller closes the round before it reads
/// that count, so either the caller waits for the worker or the worker sees the round closed.
/// </para>
/// </summary>
internal sealed class WorkTeam : IDisposable
{
    /// <summary>How long an idle worker spins before it blocks: long enough to span the serial steps between the loops of a fit.</summary>
    private static readonly long SpinTicks = Stopwatch.Frequency / 500;

    /// <summary>The first stretch the team runs alone (on the caller) after its workers kept coming late; it doubles while they do, up to <see cref="MaximumSoloTicks"/>.</summary>
    private static readonly long FirstSoloTicks = Stopwatch.Frequency / 5;

    private static readonly long MaximumSoloTicks = Stopwatch.Frequency;

    /// <summary>How late a worker may join a round before the round counts as slow: 250 µs, several wake-ups.</summary>
    private static readonly long LateTicks = Stopwatch.Frequency / 4000;

    private long _soloUntil;
    private long _soloTicks = FirstSoloTicks;

    [ThreadStatic]
    private static int t_member;

    private readonly Thread[] _workers;
    private readonly object _gate = new();
    private Action<int>? _body;
    private int _count;
    private int _next;
    private int _open;
    private int _inside;
    private long _arrived;
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
        if (_workers.Length == 0 || count <= 1 || Stopwatch.GetTimestamp() < _soloUntil)
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
        _arrived = long.MaxValue;
        _error = null;
        var started = Stopwatch.GetTimestamp();
        Volatile.Write(ref _open, 1);
        Interlocked.Increment(ref _generation);
        if (Volatile.Read(ref _sleepers) > 0)
        {
            lock (_gate)
            {
                Monitor.PulseAll(_gate);
            }
        }

        Work(0);

        // Every index is taken: close the round, then wait only for the workers inside it (each finishing an index it took).
        Interlocked.Exchange(ref _open, 0);
        var worked = Stopwatch.GetTimestamp();
        var wait = default(SpinWait);
        while (Volatile.Read(ref _inside) != 0)
        {
            wait.SpinOnce(sleep1Threshold: -1);
        }

        Adapt(started, worked, Interlocked.Read(ref _arrived), Stopwatch.GetTimestamp());

        _body = null;
        if (_error is { } error)
        {
            ExceptionDispatchInfo.Throw(error);
        }
    }

    /// <summary>
    /// Detects a machine that does not give the team its cores: a worker that spins between rounds joins a new round within
    /// microseconds, and one that was asleep within a wake-up; when no worker joins within <see cref="LateTicks"/> of the
    /// round's start while the round lasts longer than that, the workers are not getting cores, and their spinning only takes
    /// cores from the threads that do run. The team then runs alone for a stretch that doubles while this goes on, its workers
    /// asleep; a round a worker joins on time resets it. Which thread runs an index
    /// never changes results.
    /// </summary>
    private void Adapt(long started, long worked, long arrived, long ended)
    {
        // Late: no worker joined within LateTicks of a round that lasted longer, or a worker that did join kept the caller
        // waiting for over two milliseconds, twice as long as the caller worked (preempted in the middle of its index).
        var late = (arrived - started > LateTicks && worked - started > LateTicks)
            || (ended - worked > 8 * LateTicks && ended - worked > 2 * (worked - started));
        if (!late)
        {
            _soloTicks = FirstSoloTicks;
            return;
        }

        _soloUntil = worked + _soloTicks;
        _soloTicks = Math.Min(_soloTicks * 2, MaximumSoloTicks);
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

    /// <summary>Runs indices until none is left.</summary>
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

            Interlocked.Increment(ref _inside);
            if (Volatile.Read(ref _open) == 1 && Volatile.Read(ref _generation) == seen)
            {
                var now = Stopwatch.GetTimestamp();
                if (now < Interlocked.Read(ref _arrived))
                {
                    Interlocked.Exchange(ref _arrived, now);
                }

                Work(member);
            }

            Interlocked.Decrement(ref _inside);
        }
    }
}

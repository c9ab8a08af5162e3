using CreditScoring.Sdk.Internal;

namespace CreditScoring.Sdk.Tests.Learners;

public class WorkTeamTests
{
    /// <summary>
    /// Runs <paramref name="action"/> on a background thread and fails, instead of hanging the suite, if it has not
    /// finished after a minute (a stuck thread is left behind and does not keep the test host alive).
    /// </summary>
    private static void WithinAMinute(Action action)
    {
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                action();
            }
            catch (Exception e)
            {
                error = e;
            }
        })
        { IsBackground = true };
        thread.Start();
        Assert.True(thread.Join(TimeSpan.FromMinutes(1)), "The team did not finish: a round was lost.");
        if (error is not null)
        {
            throw new Xunit.Sdk.XunitException($"The team's loop failed: {error}");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void For_RunsEveryIndexOnce_OverManyBackToBackRounds(int threads) => WithinAMinute(() =>
    {
        using var team = new WorkTeam(threads);
        Assert.Equal(threads, team.Size);
        var counts = new int[1000];
        var members = new int[threads];
        var expected = 0;
        for (var round = 0; round < 3000; round++)
        {
            var count = round % 37 == 0 ? 0 : 1 + (round * 7919 % 999);
            expected += count;
            Array.Clear(counts);
            team.For(count, i =>
            {
                Interlocked.Increment(ref counts[i]);
                Interlocked.Increment(ref members[WorkTeam.Member]);
            });
            for (var i = 0; i < counts.Length; i++)
            {
                Assert.Equal(i < count ? 1 : 0, counts[i]);
            }
        }

        Assert.Equal(expected, members.Sum());
    });

    [Fact]
    public void For_WakesWorkersThatFellAsleepBetweenRounds() => WithinAMinute(() =>
    {
        using var team = new WorkTeam(3);
        for (var round = 0; round < 5; round++)
        {
            // Longer than a worker spins, so each round finds the workers blocked.
            Thread.Sleep(30);
            var sum = 0L;
            team.For(64, i =>
            {
                Thread.SpinWait(2000);
                Interlocked.Add(ref sum, i);
            });
            Assert.Equal(64L * 63 / 2, sum);
        }
    });

    [Fact]
    public void For_GivesEachMemberItsOwnThread() => WithinAMinute(() =>
    {
        using var team = new WorkTeam(2);
        var threadOf = new int[2];
        var gate = new Barrier(2);
        team.For(2, _ =>
        {
            // Both indices must be running at once to pass the barrier: the caller and the worker.
            Assert.True(gate.SignalAndWait(TimeSpan.FromSeconds(30)));
            threadOf[WorkTeam.Member] = Environment.CurrentManagedThreadId;
        });

        Assert.NotEqual(threadOf[0], threadOf[1]);
        Assert.Equal(Environment.CurrentManagedThreadId, threadOf[0]);
    });

    [Fact]
    public void For_RethrowsTheBodysException_AndStaysUsable() => WithinAMinute(() =>
    {
        using var team = new WorkTeam(2);
        var e = Assert.Throws<InvalidOperationException>(() => team.For(100, i =>
        {
            if (i == 57)
            {
                throw new InvalidOperationException("index 57");
            }
        }));
        Assert.Equal("index 57", e.Message);

        var ran = 0;
        team.For(10, _ => Interlocked.Increment(ref ran));
        Assert.Equal(10, ran);
    });

    [Fact]
    public void For_RunsAloneForAWhile_AfterAWorkerKeptTheCallerWaiting() => WithinAMinute(() =>
    {
        using var team = new WorkTeam(2);

        // A worker that holds its index for 20 ms while the caller's is instant looks like a worker preempted mid-index.
        var gate = new Barrier(2);
        team.For(2, _ =>
        {
            gate.SignalAndWait(TimeSpan.FromSeconds(30));
            if (WorkTeam.Member == 1)
            {
                Thread.Sleep(20);
            }
        });

        // The next rounds (within the first 200 ms stretch) run on the caller alone, and give the same results.
        var members = new int[2];
        var sum = 0L;
        for (var round = 0; round < 20; round++)
        {
            team.For(64, i =>
            {
                Interlocked.Increment(ref members[WorkTeam.Member]);
                Interlocked.Add(ref sum, i);
            });
        }

        Assert.Equal(20 * 64, members[0]);
        Assert.Equal(20L * 64 * 63 / 2, sum);

        // After the stretch the workers are asked again.
        Thread.Sleep(300);
        var both = new Barrier(2);
        var threadOf = new int[2];
        team.For(2, _ =>
        {
            Assert.True(both.SignalAndWait(TimeSpan.FromSeconds(30)));
            threadOf[WorkTeam.Member] = Environment.CurrentManagedThreadId;
        });
        Assert.NotEqual(threadOf[0], threadOf[1]);
    });

    [Fact]
    public void Dispose_StopsTheTeam_AndRejectsLaterLoops()
    {
        var team = new WorkTeam(2);
        team.Dispose();
        team.Dispose();
        Assert.Throws<ObjectDisposedException>(() => team.For(3, _ => { }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new WorkTeam(0));
    }
}

using Daos.Harness.Scheduling;

namespace Daos.Harness.Tests.Scheduling;

public sealed class DeterministicSchedulerTests
{
    /// <summary>Many tasks interleaving through yields, delays and a shared log.</summary>
    private static (string Log, ulong Trace) RunWorkload(ulong seed, bool randomize = true)
    {
        var scheduler = new DeterministicScheduler(seed, new DeterministicSchedulerOptions { RandomizeOrder = randomize, Output = null });
        var log = new List<string>();
        scheduler.Run(async () =>
        {
            var tasks = new List<Task>();
            for (int w = 0; w < 8; w++)
            {
                int worker = w;
                // Tasks started on the scheduler's TaskScheduler join the same ready queue as posted continuations.
                tasks.Add(Task.Factory.StartNew(() => log.Add($"start{worker}"), CancellationToken.None, TaskCreationOptions.None, scheduler.TaskScheduler));
                tasks.Add(Worker(worker));
            }

            await Task.WhenAll(tasks);
        });
        return (string.Join(",", log), scheduler.TraceHash);

        async Task Worker(int worker)
        {
            for (int i = 0; i < 20; i++)
            {
                if (scheduler.Random.Chance(0.3))
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(scheduler.Random.Next(1, 10)), scheduler.Time);
                }
                else
                {
                    await Task.Yield();
                }

                log.Add($"{worker}:{i}@{scheduler.Elapsed.TotalMilliseconds}");
                scheduler.Trace((ulong)worker, (ulong)i);
            }
        }
    }

    [Fact]
    public void Same_seed_gives_the_same_interleaving_and_trace_hash()
    {
        for (ulong seed = 1; seed <= 20; seed++)
        {
            var a = RunWorkload(seed);
            var b = RunWorkload(seed);
            Assert.True(a.Log == b.Log, $"seed {seed}: interleavings differ");
            Assert.True(a.Trace == b.Trace, $"seed {seed}: trace hashes differ");
        }
    }

    [Fact]
    public void Different_seeds_explore_different_interleavings()
    {
        var hashes = new HashSet<ulong>();
        var logs = new HashSet<string>();
        for (ulong seed = 1; seed <= 20; seed++)
        {
            var run = RunWorkload(seed);
            hashes.Add(run.Trace);
            logs.Add(run.Log);
        }

        Assert.True(logs.Count >= 15, $"only {logs.Count} distinct interleavings from 20 seeds");
        Assert.True(hashes.Count >= 15, $"only {hashes.Count} distinct hashes from 20 seeds");
    }

    [Fact]
    public void Fifo_order_runs_yields_round_robin()
    {
        var scheduler = new DeterministicScheduler(1, new DeterministicSchedulerOptions { RandomizeOrder = false, Output = null });
        var order = new List<int>();
        scheduler.Run(async () =>
        {
            await Task.WhenAll(Loop(0), Loop(1), Loop(2));
        });
        Assert.Equal(new[] { 0, 1, 2, 0, 1, 2, 0, 1, 2 }, order);

        async Task Loop(int id)
        {
            for (int i = 0; i < 3; i++)
            {
                order.Add(id);
                await Task.Yield();
            }
        }
    }

    [Fact]
    public void Time_advances_only_when_nothing_is_ready_and_lands_exactly_on_timers()
    {
        var scheduler = new DeterministicScheduler(3, new DeterministicSchedulerOptions { Output = null });
        var seen = new List<double>();
        scheduler.Run(async () =>
        {
            await Task.Delay(TimeSpan.FromSeconds(5), scheduler.Time);
            seen.Add(scheduler.Elapsed.TotalSeconds);
            await Task.Delay(TimeSpan.FromMilliseconds(250), scheduler.Time);
            seen.Add(scheduler.Elapsed.TotalSeconds);
        });
        Assert.Equal(new[] { 5.0, 5.25 }, seen);
    }

    [Fact]
    public void A_stuck_run_fails_naming_its_seed()
    {
        var scheduler = new DeterministicScheduler(77, new DeterministicSchedulerOptions { Output = null });
        var never = new TaskCompletionSource();
        var e = Assert.Throws<InvalidOperationException>(() => scheduler.Run(() => never.Task));
        Assert.Contains("seed=77", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Runaway_time_is_bounded()
    {
        var scheduler = new DeterministicScheduler(5, new DeterministicSchedulerOptions { SimulatedTimeLimit = TimeSpan.FromMinutes(1), Output = null });
        Assert.Throws<TimeoutException>(() => scheduler.Run(async () =>
        {
            while (true)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), scheduler.Time);
            }
        }));
    }

    [Fact]
    public void A_run_prints_its_seed_and_trace_hash()
    {
        var output = new StringWriter();
        var scheduler = new DeterministicScheduler(1234, new DeterministicSchedulerOptions { Output = output });
        scheduler.Run(async () => await Task.Yield());
        Assert.Contains("seed=1234", output.ToString(), StringComparison.Ordinal);
        Assert.Contains($"trace={scheduler.TraceHash:x16}", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Work_posted_from_another_thread_fails_the_run()
    {
        var scheduler = new DeterministicScheduler(9, new DeterministicSchedulerOptions { Output = null });
        var e = Assert.Throws<InvalidOperationException>(() => scheduler.Run(async () =>
        {
            var thread = new Thread(() => scheduler.Post(_ => { }, null));
            thread.Start();
            thread.Join();
            await Task.Delay(TimeSpan.FromMilliseconds(1), scheduler.Time);
        }));
        Assert.Contains("other threads", e.Message, StringComparison.Ordinal);
    }
}

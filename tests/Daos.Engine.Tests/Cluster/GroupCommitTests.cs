using System.Globalization;
using Daos.Engine.Targets;
using Daos.Protocol;
using Daos.Protocol.Objects;
using Daos.Transport;
using static Daos.Engine.Tests.Cluster.PoolFixture;

namespace Daos.Engine.Tests.Cluster;

/// <summary>
/// Group commit on a target: updates in flight share one durability barrier, are acknowledged only after it, and a
/// read never replies with data that is applied but not yet durable.
/// </summary>
public sealed class GroupCommitTests
{
    [Fact]
    public async Task Thirty_two_updates_in_flight_on_one_target_share_one_barrier()
    {
        HoldingExecutor? target0 = null;
        await using EngineCluster cluster = await EngineCluster.StartAsync(1, 1, _ => new SimulatedEngineStorage("rank0"),
            wrapExecutor: (_, target, inner) => target == 0 ? target0 = new HoldingExecutor(inner) : inner);
        PoolFixture pool = await CreateAsync(cluster);
        await UpdateAsync(pool, 1000, "warm"); // the handle is cached and the container shard exists from here on
        TargetShard shard = cluster.Engine(0).PoolOf(pool.Location.Uuid)!.Shards[0];
        long before = shard.BarrierCount;

        // All 32 requests are queued on the target before it runs any: each applies, the first schedules the barrier
        // behind the other 31, and that one barrier acknowledges them all.
        target0!.Hold();
        Task[] updates = [.. Enumerable.Range(0, 32).Select(i => UpdateAsync(pool, (ulong)(i % 8), $"value-{i}"))];
        await target0.WaitUntilHeldAsync(32);
        target0.Release(keepHolding: false);
        await Task.WhenAll(updates).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(1, shard.BarrierCount - before);
        for (int i = 24; i < 32; i++)
        {
            Assert.Equal($"value-{i}", await FetchAsync(pool, (ulong)(i % 8)));
        }
    }

    [Fact]
    public async Task Updates_one_at_a_time_each_get_their_own_barrier()
    {
        await using EngineCluster cluster = await EngineCluster.StartAsync(1, 1, _ => new SimulatedEngineStorage("rank0"));
        PoolFixture pool = await CreateAsync(cluster);
        await UpdateAsync(pool, 1000, "warm");
        TargetShard shard = cluster.Engine(0).PoolOf(pool.Location.Uuid)!.Shards[0];
        long before = shard.BarrierCount;
        for (int i = 0; i < 8; i++)
        {
            await UpdateAsync(pool, (ulong)i, $"value-{i}");
        }

        // Nothing to share: the acknowledgement of each waited for its own barrier.
        Assert.Equal(8, shard.BarrierCount - before);
    }

    [Fact]
    public async Task A_read_of_an_object_with_an_applied_but_not_durable_update_waits_for_the_barrier()
    {
        HoldingExecutor? target0 = null;
        await using EngineCluster cluster = await EngineCluster.StartAsync(1, 1, _ => new SimulatedEngineStorage("rank0"),
            wrapExecutor: (_, target, inner) => target == 0 ? target0 = new HoldingExecutor(inner) : inner);
        PoolFixture pool = await CreateAsync(cluster);
        await UpdateAsync(pool, 1, "old-a");
        await UpdateAsync(pool, 2, "old-b");
        TargetShard shard = cluster.Engine(0).PoolOf(pool.Location.Uuid)!.Shards[0];
        long before = shard.BarrierCount;

        target0!.Hold();
        Task update = UpdateAsync(pool, 1, "new-a");
        await target0.WaitUntilHeldAsync(1);
        Task<string?> readA = FetchAsync(pool, 1);
        await target0.WaitUntilHeldAsync(2);
        Task<string?> readB = FetchAsync(pool, 2);
        await target0.WaitUntilHeldAsync(3);

        // Run the update and both reads, but hold the barrier the update scheduled.
        target0.Release(keepHolding: true);
        await target0.DrainAsync();
        Assert.Equal("old-b", await readB.WaitAsync(TimeSpan.FromSeconds(30))); // nothing undurable in object 2: no wait
        await Task.WhenAny(readA, Task.Delay(200));
        Assert.False(readA.IsCompleted, "the read of object 1 replied before the barrier covering the update it saw");
        Assert.False(update.IsCompleted, "the update was acknowledged before its barrier");
        Assert.Equal(1, target0.HeldCount); // the barrier
        Assert.Equal(before, shard.BarrierCount);

        target0.Release(keepHolding: false);
        await update.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("new-a", await readA.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(before + 1, shard.BarrierCount);
    }

    [Fact]
    public async Task A_refused_conditional_update_waits_for_the_barrier_of_what_refused_it()
    {
        HoldingExecutor? target0 = null;
        await using EngineCluster cluster = await EngineCluster.StartAsync(1, 1, _ => new SimulatedEngineStorage("rank0"),
            wrapExecutor: (_, target, inner) => target == 0 ? target0 = new HoldingExecutor(inner) : inner);
        PoolFixture pool = await CreateAsync(cluster);
        await UpdateAsync(pool, 9, "warm");

        target0!.Hold();
        Task insert = UpdateAsync(pool, 1, "first", UpdateCondition.InsertOnly);
        await target0.WaitUntilHeldAsync(1);
        Task second = UpdateAsync(pool, 1, "second", UpdateCondition.InsertOnly);
        await target0.WaitUntilHeldAsync(2);
        target0.Release(keepHolding: true);
        await target0.DrainAsync();
        await Task.WhenAny(second, Task.Delay(200));
        Assert.False(second.IsCompleted, "the insert was refused on the strength of an insert that was not durable yet");

        target0.Release(keepHolding: false);
        await insert.WaitAsync(TimeSpan.FromSeconds(30));
        DaosException refused = await Assert.ThrowsAnyAsync<DaosException>(() => second.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(DaosError.Exists, refused.Error);
    }

    /// <summary>
    /// Writers (each key has one, writing 1, 2, 3, ... and awaiting each acknowledgement) and readers run against
    /// one engine with two targets; the engine is killed at a seeded point, its media lose what was not durable,
    /// and it restarts. Every key must then hold at least its last acknowledged value and at least every value a
    /// reader was shown, and nothing that was never written.
    /// </summary>
    [Theory]
    [InlineData(11UL)]
    [InlineData(12UL)]
    [InlineData(13UL)]
    public async Task Killed_during_group_commits_keeps_every_acknowledged_write_and_every_value_a_reader_saw(ulong seed)
    {
        const int Writers = 8;
        const int KeysPerWriter = 2;
        const int Readers = 4;
        const int Keys = Writers * KeysPerWriter;
        var storage = new SimulatedEngineStorage("rank0");
        var targets = new HoldingExecutor?[2];
        await using EngineCluster cluster = await EngineCluster.StartAsync(1, 2, _ => storage,
            wrapExecutor: (_, target, inner) => target < 2 ? targets[target] = new HoldingExecutor(inner) : inner);
        PoolFixture pool = await CreateAsync(cluster);
        cluster.CallTimeout = TimeSpan.FromSeconds(3); // requests in flight at the kill fail soon after it
        var random = new DeterministicRandom(seed);
        var sent = new long[Keys];
        var acknowledged = new long[Keys];
        var seen = new long[Keys];
        var gate = new Lock();

        for (int round = 0; round < 2; round++)
        {
            int killAfter = random.Next(20, 160);
            int acknowledgements = 0;
            var kill = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var stop = new CancellationTokenSource();
            var tasks = new List<Task>();
            for (int w = 0; w < Writers; w++)
            {
                int writer = w;
                tasks.Add(Task.Run(async () =>
                {
                    for (int i = 0; !stop.IsCancellationRequested; i++)
                    {
                        int key = writer * KeysPerWriter + i % KeysPerWriter;
                        long n;
                        lock (gate)
                        {
                            n = ++sent[key];
                        }

                        try
                        {
                            await UpdateAsync(pool, (ulong)key, n.ToString(CultureInfo.InvariantCulture), target: (uint)(key % 2));
                        }
                        catch (DaosException)
                        {
                            return; // the engine is gone: this write's outcome is unknown
                        }

                        lock (gate)
                        {
                            acknowledged[key] = Math.Max(acknowledged[key], n);
                        }

                        if (Interlocked.Increment(ref acknowledgements) == killAfter)
                        {
                            kill.TrySetResult();
                        }
                    }
                }));
            }

            for (int r = 0; r < Readers; r++)
            {
                var readerRandom = new DeterministicRandom(seed * 31 + (ulong)(round * Readers + r));
                tasks.Add(Task.Run(async () =>
                {
                    while (!stop.IsCancellationRequested)
                    {
                        int key = readerRandom.Next(Keys);
                        string? value;
                        try
                        {
                            value = await FetchAsync(pool, (ulong)key, target: (uint)(key % 2));
                        }
                        catch (DaosException)
                        {
                            return;
                        }

                        long n = value is null ? 0 : long.Parse(value, CultureInfo.InvariantCulture);
                        lock (gate)
                        {
                            seen[key] = Math.Max(seen[key], n);
                        }
                    }
                }));
            }

            await kill.Task.WaitAsync(TimeSpan.FromSeconds(60));

            // From here no barrier runs: updates still apply and reads still run, over changes that are not durable;
            // then the kill (its drain gives up on the handlers waiting for barriers) and the crash drop them all.
            foreach (HoldingExecutor? target in targets)
            {
                target!.HoldOnly = static state => state is TargetShard.ScheduledCommitWork;
                target.Hold();
            }

            await Task.Delay(200);
            await cluster.StopEngineAsync(0, kill: true);
            storage.Crash(seed * 1000 + (ulong)round);
            await stop.CancelAsync();
            await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(60));

            await cluster.StartEngineAsync(0);
            await cluster.Engine(0).WaitForJoinAsync().WaitAsync(TimeSpan.FromSeconds(30));
            for (int key = 0; key < Keys; key++)
            {
                string? value = await RetryUntilServedAsync(() => FetchAsync(pool, (ulong)key, target: (uint)(key % 2)));
                long n = value is null ? 0 : long.Parse(value, CultureInfo.InvariantCulture);
                string context = $"seed {seed}, round {round}, key {key}: after restart {n}, acknowledged {acknowledged[key]}, " +
                    $"seen by a reader {seen[key]}, sent {sent[key]}";
                Assert.True(n >= acknowledged[key], "an acknowledged write was lost; " + context);
                Assert.True(n >= seen[key], "a reader was shown a write that the crash then lost; " + context);
                Assert.True(n <= sent[key], "a value that was never written; " + context);
                acknowledged[key] = seen[key] = n;
            }
        }
    }

    private static async Task UpdateAsync(PoolFixture pool, ulong oid, string value, UpdateCondition condition = UpdateCondition.None,
        uint target = 0) =>
        await pool.TargetAsync<ObjectUpdateRequest, EpochReply>(0, target, ProtocolOpcodes.ObjectUpdate, new ObjectUpdateRequest(
            pool.Address(Oid(oid)), Epoch.Zero, condition, Bytes("dkey"), [new IodUpdate(Bytes("akey"), IodKind.Single, 0, 0, Bytes(value))]));

    private static async Task<string?> FetchAsync(PoolFixture pool, ulong oid, uint target = 0)
    {
        ObjectFetchReply reply = await pool.TargetAsync<ObjectFetchRequest, ObjectFetchReply>(0, target, ProtocolOpcodes.ObjectFetch,
            new ObjectFetchRequest(pool.Address(Oid(oid)), Epoch.Max, Bytes("dkey"), [new IodFetch(Bytes("akey"), IodKind.Single, 0, 0, 0)]));
        IodResult result = reply.Results[0];
        return result.Exists ? System.Text.Encoding.UTF8.GetString(result.Data.Span) : null;
    }

    private static async Task<T> RetryUntilServedAsync<T>(Func<Task<T>> call)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (DaosException e) when (attempt < 200 && e.Error is DaosError.Unreachable or DaosError.Timeout or DaosError.NonExistent
                or DaosError.Shutdown or DaosError.NotLeader)
            {
                await Task.Delay(50);
            }
        }
    }

    /// <summary>
    /// An executor that can hold what is posted to it and release it, in order, to the target's real executor:
    /// the test decides which requests (and which barriers) are queued together.
    /// </summary>
    private sealed class HoldingExecutor(IRpcExecutor inner) : IRpcExecutor
    {
        private readonly Lock _lock = new();
        private readonly List<(SendOrPostCallback Callback, object? State)> _held = [];
        private bool _holding;

        /// <summary>While holding, which posts (by state) are held; null: all of them.</summary>
        public Func<object?, bool>? HoldOnly { get; set; }

        public int HeldCount
        {
            get
            {
                lock (_lock)
                {
                    return _held.Count;
                }
            }
        }

        public void Post(SendOrPostCallback callback, object? state)
        {
            lock (_lock)
            {
                if (_holding && (HoldOnly is null || HoldOnly(state)))
                {
                    _held.Add((callback, state));
                    return;
                }
            }

            inner.Post(callback, state);
        }

        public void Hold()
        {
            lock (_lock)
            {
                _holding = true;
            }
        }

        /// <summary>Passes on everything held, in order; with <paramref name="keepHolding"/> later posts are held again.</summary>
        public void Release(bool keepHolding)
        {
            lock (_lock)
            {
                foreach ((SendOrPostCallback callback, object? state) in _held)
                {
                    inner.Post(callback, state);
                }

                _held.Clear();
                _holding = keepHolding;
            }
        }

        public async Task WaitUntilHeldAsync(int count)
        {
            for (int i = 0; HeldCount < count; i++)
            {
                Assert.True(i < 10_000, $"only {HeldCount} of {count} posts arrived");
                await Task.Delay(1);
            }
        }

        /// <summary>Completes once the real executor has run everything passed on to it so far.</summary>
        public Task DrainAsync()
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            inner.Post(static state => ((TaskCompletionSource)state!).SetResult(), done);
            return done.Task;
        }
    }
}

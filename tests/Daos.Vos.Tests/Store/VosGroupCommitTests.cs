using Daos.Harness.Storage;
using static Daos.Vos.Tests.Store.VosTestKit;

namespace Daos.Vos.Tests.Store;

/// <summary>
/// A pool with a commit scheduler: changes applied through the engine's path share one barrier and are lost together
/// by a crash before it; the public operations still return durable; freed blob blocks wait for durability.
/// </summary>
public sealed class VosGroupCommitTests
{
    private static readonly ReadOnlyMemory<byte> D = K("dkey");
    private static readonly ReadOnlyMemory<byte> A = K("akey");

    private sealed class QueueScheduler
    {
        public Queue<(Action<object?> Work, object? State)> Work { get; } = new();

        public void Schedule(Action<object?> work, object? state) => Work.Enqueue((work, state));

        public void RunAll()
        {
            while (Work.TryDequeue(out (Action<object?> Work, object? State) item))
            {
                item.Work(item.State);
            }
        }
    }

    [Fact]
    public async Task Applied_changes_share_one_scheduled_barrier()
    {
        var scheduler = new QueueScheduler();
        (SimulatedMedium medium, VosPool pool, VosContainer c) = await NewAsync(Options() with { CommitScheduler = scheduler.Schedule });
        long before = pool.Heap.WalBarrierCount;
        ulong last = 0;
        for (int i = 0; i < 10; i++)
        {
            last = await c.ApplyUpdateAsync(Hashed, E((ulong)i + 1), K($"k{i}"), A, Bytes(32, i));
        }

        // Applied (visible to the next operation) but not durable: one barrier scheduled, none run.
        Assert.Equal(Bytes(32, 9), await c.FetchAsync(Hashed, E(100), K("k9"), A));
        Assert.Single(scheduler.Work);
        Assert.Equal(before, pool.Heap.WalBarrierCount);
        Task durable = pool.WaitDurableAsync(last).AsTask();
        Assert.False(durable.IsCompleted);

        scheduler.RunAll();
        await durable.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(before + 1, pool.Heap.WalBarrierCount);
        await pool.WaitDurableAsync(last); // already durable: no barrier
        Assert.Equal(before + 1, pool.Heap.WalBarrierCount);

        medium.Crash(3);
        VosPool reopened = await VosPool.OpenAsync(medium, null);
        VosContainer c2 = await reopened.OpenContainerAsync(ContainerId);
        for (int i = 0; i < 10; i++)
        {
            Assert.Equal(Bytes(32, i), await c2.FetchAsync(Hashed, E(100), K($"k{i}"), A));
        }

        await reopened.DisposeAsync();
    }

    [Fact]
    public async Task A_crash_before_the_barrier_loses_the_applied_changes_and_nothing_durable()
    {
        var scheduler = new QueueScheduler();
        (SimulatedMedium medium, VosPool pool, VosContainer c) = await NewAsync(Options() with { CommitScheduler = scheduler.Schedule });
        await c.UpdateAsync(Hashed, E(1), K("kept"), A, Bytes(32, 1)); // public: durable on return
        for (int i = 0; i < 10; i++)
        {
            await c.ApplyUpdateAsync(Hashed, E((ulong)i + 2), K($"k{i}"), A, Bytes(32, i));
        }

        Task durable = pool.WaitDurableAsync(pool.LastCommitSequence).AsTask();
        pool.Abandon();
        await Assert.ThrowsAsync<DaosException>(() => durable.WaitAsync(TimeSpan.FromSeconds(30)));
        medium.Crash(4);

        VosPool reopened = await VosPool.OpenAsync(medium, null);
        VosContainer c2 = await reopened.OpenContainerAsync(ContainerId);
        Assert.Equal(Bytes(32, 1), await c2.FetchAsync(Hashed, E(100), K("kept"), A));
        for (int i = 0; i < 10; i++)
        {
            Assert.Null(await c2.FetchAsync(Hashed, E(100), K($"k{i}"), A));
        }

        await reopened.DisposeAsync();
    }

    [Fact]
    public async Task Public_operations_return_durable_with_a_scheduler()
    {
        var scheduler = new QueueScheduler();
        (SimulatedMedium medium, VosPool pool, VosContainer c) = await NewAsync(Options() with { CommitScheduler = scheduler.Schedule });
        long before = pool.Heap.WalBarrierCount;
        await c.UpdateAsync(Hashed, E(1), D, A, Bytes(32, 1));
        await c.PunchDkeyAsync(Hashed, E(2), K("other"));
        Assert.Equal(before + 2, pool.Heap.WalBarrierCount);
        Assert.Equal(pool.LastCommitSequence, pool.DurableSequence);
        scheduler.RunAll(); // the barrier scheduled by the first commit finds nothing left to do

        medium.Crash(5);
        VosPool reopened = await VosPool.OpenAsync(medium, null);
        VosContainer c2 = await reopened.OpenContainerAsync(ContainerId);
        Assert.Equal(Bytes(32, 1), await c2.FetchAsync(Hashed, E(100), D, A));
        await reopened.DisposeAsync();
    }

    [Fact]
    public async Task Blob_blocks_freed_by_a_commit_are_not_reused_before_it_is_durable()
    {
        const int Value = 4 * 4096;
        var scheduler = new QueueScheduler();
        (SimulatedMedium medium, VosPool pool, VosContainer c) = await NewAsync(
            Options(inlineThresholdBytes: 64, blobBytes: 16 * 4096) with { CommitScheduler = scheduler.Schedule });
        await c.UpdateAsync(Hashed, E(1), K("one"), A, Bytes(Value, 1)); // durable, in blocks [0, 4)

        // Replacing the value at the same epoch frees its blocks, but that free is not durable yet: the next value must
        // not land on them (best fit would pick exactly those four), or a crash brings back a record over new bytes.
        await c.ApplyUpdateAsync(Hashed, E(1), K("one"), A, Bytes(Value, 2));
        await c.ApplyUpdateAsync(Hashed, E(1), K("two"), A, Bytes(Value, 3));
        medium.Crash(6);

        VosPool reopened = await VosPool.OpenAsync(medium, null);
        VosContainer c2 = await reopened.OpenContainerAsync(ContainerId);
        Assert.Equal(Bytes(Value, 1), await c2.FetchAsync(Hashed, E(100), K("one"), A));
        Assert.Null(await c2.FetchAsync(Hashed, E(100), K("two"), A));
        await reopened.DisposeAsync();
    }

    [Fact]
    public async Task A_reservation_that_needs_blocks_freed_by_an_undurable_commit_flushes_first()
    {
        const int Value = 8 * 4096;
        var scheduler = new QueueScheduler();
        (_, VosPool pool, VosContainer c) = await NewAsync(
            Options(inlineThresholdBytes: 64, blobBytes: 16 * 4096) with { CommitScheduler = scheduler.Schedule });
        await c.UpdateAsync(Hashed, E(1), K("one"), A, Bytes(Value, 1));        // blocks [0, 8)
        await c.ApplyUpdateAsync(Hashed, E(1), K("one"), A, Bytes(Value, 2));   // blocks [8, 16), frees [0, 8)
        long before = pool.Heap.WalBarrierCount;
        await c.ApplyUpdateAsync(Hashed, E(1), K("two"), A, Bytes(Value, 3));   // only [0, 8) is left: flush, then reuse
        Assert.Equal(before + 1, pool.Heap.WalBarrierCount);
        Assert.Equal(Bytes(Value, 2), await c.FetchAsync(Hashed, E(100), K("one"), A));
        Assert.Equal(Bytes(Value, 3), await c.FetchAsync(Hashed, E(100), K("two"), A));
        scheduler.RunAll();
        await pool.DisposeAsync();
    }
}

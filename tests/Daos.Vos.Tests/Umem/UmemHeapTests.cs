using Daos.Harness.Storage;
using Daos.Harness.Time;
using Daos.Vos.Umem;
using static Daos.Vos.Tests.Umem.HeapTestKit;

namespace Daos.Vos.Tests.Umem;

public sealed class UmemHeapTests
{
    [Fact]
    public void Committed_writes_survive_reopen_and_crash()
    {
        SimulatedMedium medium = NewMedium();
        long block;
        using (UmemHeap heap = Create(medium))
        {
            using UmemTransaction tx = heap.Begin();
            block = tx.Allocate(100);
            tx.Write(block, Bytes(100, 1));
            tx.Write(UmemHeap.RootOffset, block);
            Commit(tx);
        }

        medium.Crash(7);
        using UmemHeap reopened = Open(medium);
        Assert.Equal(block, reopened.Read<long>(UmemHeap.RootOffset));
        Assert.Equal(Bytes(100, 1), reopened.Read(block, 100).ToArray());
        Assert.Equal(1, reopened.Recovery.RecordsReplayed);
        Assert.True(reopened.Recovery.BytesReplayed > 100);
    }

    [Fact]
    public void Reads_see_own_writes_and_abort_restores_every_byte()
    {
        using UmemHeap heap = Create(NewMedium());
        long a;
        using (UmemTransaction setup = heap.Begin())
        {
            a = setup.Allocate(256);
            setup.Write(a, Bytes(256, 2));
            Commit(setup);
        }

        ulong before = ImageHash(heap);
        HeapSpace spaceBefore = heap.Space;
        using (UmemTransaction tx = heap.Begin())
        {
            tx.Write(a + 10, Bytes(20, 3));
            Assert.Equal(Bytes(20, 3), heap.Read(a + 10, 20).ToArray());
            tx.Set(a + 100, 0xAB, 50);
            Assert.Equal(0xAB, heap.Read(a + 120, 1)[0]);
            tx.Move(a + 200, a, 56);
            Span<byte> range = tx.AddRange(a + 30, 8);
            range.Fill(9);
            long b = tx.Allocate(3000);
            tx.Write(b, Bytes(3000, 4));
            tx.Free(a);
            Assert.NotEqual(before, ImageHash(heap));
            tx.Abort();
        }

        Assert.Equal(before, ImageHash(heap));
        Assert.Equal(spaceBefore, heap.Space);
        Assert.Equal(Bytes(256, 2), heap.Read(a, 256).ToArray());
    }

    [Fact]
    public void Added_ranges_are_logged_with_their_final_content()
    {
        SimulatedMedium medium = NewMedium();
        using (UmemHeap heap = Create(medium))
        {
            using UmemTransaction tx = heap.Begin();
            Span<byte> range = tx.AddRange(UmemHeap.RootOffset, 16);
            range.Fill(5);
            tx.Move(UmemHeap.RootOffset + 100, UmemHeap.RootOffset, 16);
            Commit(tx);
        }

        medium.Crash(1);
        using UmemHeap reopened = Open(medium);
        Assert.All(reopened.Read(UmemHeap.RootOffset + 100, 16).ToArray(), b => Assert.Equal(5, b));
        Assert.All(reopened.Read(UmemHeap.RootOffset, 16).ToArray(), b => Assert.Equal(5, b));
    }

    [Fact]
    public void A_wrapping_wal_checkpoints_by_fill_ratio_and_keeps_every_commit()
    {
        SimulatedMedium medium = NewMedium();
        var expected = new Dictionary<long, byte[]>();
        using (UmemHeap heap = Create(medium))
        {
            for (int i = 0; i < 2000; i++)
            {
                using UmemTransaction tx = heap.Begin();
                long offset = UmemHeap.RootOffset + i % 300 * 8;
                byte[] value = Bytes(8, i);
                tx.Write(offset, value);
                expected[offset] = value;
                Commit(tx);
            }

            Assert.True(heap.CheckpointCount >= 2, $"only {heap.CheckpointCount} checkpoints");
            Assert.True(heap.WalUsedBytes <= heap.WalCapacityBytes);
        }

        medium.Crash(3);
        using UmemHeap reopened = Open(medium);
        foreach ((long offset, byte[] value) in expected)
        {
            Assert.Equal(value, reopened.Read(offset, 8).ToArray());
        }
    }

    [Fact]
    public void A_full_wal_forces_a_checkpoint_without_leaking_the_open_transaction()
    {
        SimulatedMedium medium = NewMedium();
        using (UmemHeap heap = Create(medium, Options(fillRatio: 1.0)))
        {
            for (int i = 0; i < 60; i++)
            {
                using UmemTransaction tx = heap.Begin();
                tx.Write(UmemHeap.RootOffset + 64 * (i % 40), Bytes(2000, i).AsSpan(0, 64));
                tx.Write(20 * 4096 + (i % 10) * 2000, Bytes(2000, i));
                Commit(tx);
            }

            Assert.True(heap.CheckpointCount > 0);
        }

        medium.Crash(5);
        using UmemHeap reopened = Open(medium, Options(fillRatio: 1.0));
        for (int i = 50; i < 60; i++)
        {
            Assert.Equal(Bytes(2000, i), reopened.Read(20 * 4096 + (i % 10) * 2000, 2000).ToArray());
        }
    }

    [Fact]
    public void A_transaction_larger_than_its_wal_share_fails_with_no_space_and_can_abort()
    {
        using UmemHeap heap = Create(NewMedium());
        ulong before = ImageHash(heap);
        UmemTransaction tx = heap.Begin();
        var e = Assert.Throws<DaosException>(() => tx.Write(UmemHeap.RootOffset, new byte[20_000]));
        Assert.Equal(DaosError.NoSpace, e.Error);
        tx.Abort();
        Assert.Equal(before, ImageHash(heap));
    }

    [Fact]
    public async Task Group_commit_shares_one_barrier_and_acknowledges_only_after_it()
    {
        var scheduled = new Queue<(Action<object?> Work, object? State)>();
        SimulatedMedium medium = NewMedium();
        using UmemHeap heap = Create(medium, Options(scheduler: (work, state) => scheduled.Enqueue((work, state))));
        long barriers = heap.WalBarrierCount;
        var commits = new List<Task>();
        for (int i = 0; i < 10; i++)
        {
            UmemTransaction tx = heap.Begin();
            tx.Write(UmemHeap.RootOffset + 8 * i, (long)i);
            commits.Add(tx.CommitAsync().AsTask());
        }

        Assert.Single(scheduled);
        Assert.All(commits, c => Assert.False(c.IsCompleted));
        Assert.True(medium.HasPendingWrites(UmemHeap.WalFileName(Name)) || barriers == heap.WalBarrierCount);
        (Action<object?> work, object? state) = scheduled.Dequeue();
        work(state);
        Assert.Equal(barriers + 1, heap.WalBarrierCount);
        await Task.WhenAll(commits);
    }

    [Fact]
    public void Checkpoint_by_time_follows_the_time_provider()
    {
        var time = new ManualTimeProvider();
        using UmemHeap heap = Create(NewMedium(), Options(time: time));
        using (UmemTransaction tx = heap.Begin())
        {
            tx.Write(UmemHeap.RootOffset, 1L);
            Commit(tx);
        }

        Assert.False(heap.CheckpointIfDue());
        time.Advance(TimeSpan.FromSeconds(61));
        Assert.True(heap.CheckpointIfDue());
        Assert.Equal(1, heap.CheckpointCount);
    }

    [Fact]
    public void An_idle_heap_checkpoints_when_its_timer_hands_the_check_to_the_owner()
    {
        var time = new ManualTimeProvider();
        var scheduled = new Queue<(Action<object?> Work, object? State)>();
        using UmemHeap heap = Create(NewMedium(), Options(time: time, scheduler: (work, state) => scheduled.Enqueue((work, state))));
        UmemTransaction tx = heap.Begin();
        tx.Write(UmemHeap.RootOffset, 5L);
        _ = tx.CommitAsync().AsTask();
        while (scheduled.TryDequeue(out (Action<object?> Work, object? State) item))
        {
            item.Work(item.State);
        }

        Assert.Equal(0, heap.CheckpointCount);
        time.Advance(TimeSpan.FromSeconds(61));
        Assert.Single(scheduled);
        Assert.Equal(0, heap.CheckpointCount); // nothing runs off the owner thread
        (Action<object?> work, object? state) = scheduled.Dequeue();
        work(state);
        Assert.Equal(1, heap.CheckpointCount);
    }

    [Fact]
    public void A_checkpoint_when_the_head_sits_at_the_end_of_the_region_is_replayable()
    {
        SimulatedMedium medium = NewMedium();
        UmemOptions options = Options(walBytes: 16 * 1024, fillRatio: 1.0);
        using (UmemHeap heap = UmemHeap.Create(medium, Name, options))
        {
            // 48 records of exactly 256 bytes fill the 12 KiB region to its last byte.
            for (int i = 0; i < 48; i++)
            {
                using UmemTransaction tx = heap.Begin();
                tx.Write(UmemHeap.RootOffset + i, Bytes(200, i));
                Commit(tx);
            }

            Assert.Equal(0, heap.CheckpointCount);
            Checkpoint(heap);
        }

        using (UmemHeap reopened = UmemHeap.Open(medium, Name, options))
        {
            Assert.Equal(0, reopened.Recovery.RecordsReplayed);
            using UmemTransaction tx = reopened.Begin();
            tx.Write(UmemHeap.RootOffset, 99L);
            Commit(tx);
        }

        using UmemHeap again = UmemHeap.Open(medium, Name, options);
        Assert.Equal(1, again.Recovery.RecordsReplayed);
        Assert.Equal(99L, again.Read<long>(UmemHeap.RootOffset));
    }

    [Fact]
    public void Recovering_twice_gives_the_same_image()
    {
        SimulatedMedium medium = NewMedium();
        using (UmemHeap heap = Create(medium))
        {
            for (int i = 0; i < 30; i++)
            {
                using UmemTransaction tx = heap.Begin();
                long b = tx.Allocate(64 + i);
                tx.Write(b, Bytes(64 + i, i));
                Commit(tx);
            }
        }

        medium.Crash(11);
        ulong first;
        using (UmemHeap once = Open(medium))
        {
            first = ImageHash(once);
        }

        medium.Crash(12);
        using UmemHeap twice = Open(medium);
        Assert.Equal(first, ImageHash(twice));
    }

    [Fact]
    public void Transactions_do_not_nest_and_ended_handles_refuse_use()
    {
        using UmemHeap heap = Create(NewMedium());
        UmemTransaction tx = heap.Begin();
        Assert.Throws<InvalidOperationException>(() => heap.Begin());
        Commit(tx);
        Assert.Throws<InvalidOperationException>(() => tx.Write(UmemHeap.RootOffset, 1L));
        UmemTransaction next = heap.Begin();
        Assert.Throws<DaosException>(() => next.Write(heap.SizeBytes - 4, 1L));
        next.Abort();
    }
}

using System.Buffers.Binary;
using Daos.Harness.Storage;
using static Daos.Vos.Tests.Store.VosTestKit;

namespace Daos.Vos.Tests.Store;

/// <summary>Named scenarios for the visibility rules of DAOS VOS (REFERENCE.md 2.3-2.5 and 9).</summary>
public sealed class VosScenarioTests
{
    private static readonly ReadOnlyMemory<byte> D = K("dkey"), A = K("akey"), Arr = K("array");

    private static byte[] Fill(int length, byte value)
    {
        byte[] b = new byte[length];
        b.AsSpan().Fill(value);
        return b;
    }

    [Fact]
    public async Task Overlapping_writes_split_the_older_extent_and_older_epochs_still_see_it_whole()
    {
        (_, VosPool pool, VosContainer c) = await NewAsync();
        await c.WriteAsync(Hashed, E(1), D, Arr, 0, 2, Fill(20, 0xAA));
        await c.WriteAsync(Hashed, E(2), D, Arr, 3, 2, Fill(6, 0xBB));
        byte[] at2 = new byte[20];
        ArrayReadResult r2 = await c.ReadAsync(Hashed, E(2), D, Arr, 0, 2, at2);
        Assert.Equal(20, r2.Length);
        Assert.Empty(r2.Holes);
        Assert.Equal([.. Fill(6, 0xAA), .. Fill(6, 0xBB), .. Fill(8, 0xAA)], at2);
        byte[] at1 = new byte[20];
        await c.ReadAsync(Hashed, E(1), D, Arr, 0, 2, at1);
        Assert.Equal(Fill(20, 0xAA), at1);
        Assert.Equal([new Extent(0, 10)], await ToListAsync(c.ListExtentsAsync(Hashed, E(2), D, Arr)));
        await pool.DisposeAsync();
    }

    [Fact]
    public async Task A_punch_then_a_rewrite_shows_each_state_at_its_epoch()
    {
        (_, VosPool pool, VosContainer c) = await NewAsync();
        await c.UpdateAsync(Hashed, E(1), D, A, K("one"));
        await c.PunchAkeyAsync(Hashed, E(2), D, A);
        await c.UpdateAsync(Hashed, E(3), D, A, K("three"));
        Assert.Equal(K("one").ToArray(), await c.FetchAsync(Hashed, E(1), D, A));
        Assert.Null(await c.FetchAsync(Hashed, E(2), D, A));
        Assert.Equal(K("three").ToArray(), await c.FetchAsync(Hashed, E(3), D, A));
        Assert.Empty(await ToListAsync(c.ListAkeysAsync(Hashed, E(2), D)));
        Assert.Single(await ToListAsync(c.ListAkeysAsync(Hashed, E(3), D)));
        await pool.DisposeAsync();
    }

    [Fact]
    public async Task An_object_punch_hides_children_only_up_to_its_epoch()
    {
        (_, VosPool pool, VosContainer c) = await NewAsync();
        await c.UpdateAsync(Hashed, E(1), D, A, K("old"));
        await c.WriteAsync(Hashed, E(1), K("d2"), Arr, 0, 1, Fill(4, 1));
        await c.UpdateAsync(Hashed, E(5), K("d3"), A, K("new"));
        await c.PunchObjectAsync(Hashed, E(3));
        Assert.Equal(K("old").ToArray(), await c.FetchAsync(Hashed, E(2), D, A));
        Assert.Null(await c.FetchAsync(Hashed, E(4), D, A));
        Assert.Equal(0, (await c.ReadAsync(Hashed, E(4), K("d2"), Arr, 0, 1, new byte[4])).Length);
        Assert.Empty(await ToListAsync(c.ListObjectsAsync(E(4))));
        Assert.Equal([Hashed], await ToListAsync(c.ListObjectsAsync(E(5))));
        Assert.Equal(K("new").ToArray(), await c.FetchAsync(Hashed, E(5), K("d3"), A));
        Assert.Equal(2, (await ToListAsync(c.ListDkeysAsync(Hashed, E(2)))).Count);
        Assert.Single(await ToListAsync(c.ListDkeysAsync(Hashed, E(5))));
        await pool.DisposeAsync();
    }

    [Fact]
    public async Task A_nonexistent_akey_fetches_null_and_reads_nothing()
    {
        (_, VosPool pool, VosContainer c) = await NewAsync();
        await c.UpdateAsync(Hashed, E(1), D, A, K("x"));
        Assert.Null(await c.FetchAsync(Hashed, E(1), D, K("missing")));
        Assert.Null(await c.FetchAsync(Lexical, E(1), D, A));
        byte[] destination = Fill(8, 0x5A);
        ArrayReadResult r = await c.ReadAsync(Hashed, E(1), D, K("missing"), 0, 1, destination);
        Assert.Equal(0, r.Length);
        Assert.Empty(r.Holes);
        Assert.Equal(Fill(8, 0x5A), destination);
        Assert.Null(await c.QueryMaxIndexAsync(Hashed, E(1), D, K("missing")));
        Assert.Empty(await ToListAsync(c.ListExtentsAsync(Hashed, E(1), D, K("missing"))));
        Assert.Empty(await ToListAsync(c.ListAkeysAsync(Hashed, E(1), K("nodkey"))));
        await pool.DisposeAsync();
    }

    [Fact]
    public async Task Trailing_holes_are_trimmed_and_inner_holes_are_listed_and_left_untouched()
    {
        (_, VosPool pool, VosContainer c) = await NewAsync();
        await c.WriteAsync(Hashed, E(1), D, Arr, 0, 4, Fill(8, 1));
        await c.WriteAsync(Hashed, E(1), D, Arr, 5, 4, Fill(4, 2));
        await c.WriteAsync(Hashed, E(2), D, Arr, 8, 4, Fill(4, 3));
        await c.PunchExtentsAsync(Hashed, E(3), D, Arr, new Extent(8, 1));
        byte[] destination = Fill(40, 0xEE);
        ArrayReadResult r = await c.ReadAsync(Hashed, E(3), D, Arr, 0, 4, destination);
        Assert.Equal(24, r.Length);
        Assert.Equal([new Extent(2, 3)], r.Holes);
        Assert.Equal([.. Fill(8, 1), .. Fill(12, 0xEE), .. Fill(4, 2), .. Fill(16, 0xEE)], destination);
        Assert.Equal(5, await c.QueryMaxIndexAsync(Hashed, E(3), D, Arr));
        Assert.Equal(8, await c.QueryMaxIndexAsync(Hashed, E(2), D, Arr));
        Assert.Equal([new Extent(0, 2), new Extent(5, 1)], await ToListAsync(c.ListExtentsAsync(Hashed, E(3), D, Arr)));
        await pool.DisposeAsync();
    }

    [Fact]
    public async Task Conditional_updates_check_existence_at_their_epoch_and_change_nothing_when_they_fail()
    {
        (_, VosPool pool, VosContainer c) = await NewAsync();
        await ThrowsDaos(DaosError.NonExistent, () => c.UpdateAsync(Hashed, E(1), D, A, K("u"), VosCondition.UpdateOnly).AsTask());
        Assert.Equal(0, c.RecordCount);
        await c.UpdateAsync(Hashed, E(2), D, A, K("first"), VosCondition.InsertOnly);
        await ThrowsDaos(DaosError.Exists, () => c.UpdateAsync(Hashed, E(3), D, A, K("again"), VosCondition.InsertOnly).AsTask());
        Assert.Equal(K("first").ToArray(), await c.FetchAsync(Hashed, E(3), D, A));
        await c.UpdateAsync(Hashed, E(1), D, A, K("earlier"), VosCondition.InsertOnly); // absent at epoch 1
        await c.UpdateAsync(Hashed, E(4), D, A, K("second"), VosCondition.UpdateOnly);
        await c.PunchDkeyAsync(Hashed, E(5), D);
        await ThrowsDaos(DaosError.NonExistent, () => c.UpdateAsync(Hashed, E(6), D, A, K("x"), VosCondition.UpdateOnly).AsTask());
        await c.UpdateAsync(Hashed, E(6), D, A, K("reborn"), VosCondition.InsertOnly);
        Assert.Equal(K("reborn").ToArray(), await c.FetchAsync(Hashed, E(6), D, A));
        Assert.Equal(K("earlier").ToArray(), await c.FetchAsync(Hashed, E(1), D, A));
        await pool.DisposeAsync();
    }

    [Fact]
    public async Task A_retry_at_the_same_epoch_replaces_and_a_later_punch_at_that_epoch_wins()
    {
        (_, VosPool pool, VosContainer c) = await NewAsync();
        await c.UpdateAsync(Hashed, E(5), D, A, K("a"));
        await c.UpdateAsync(Hashed, E(5), D, A, K("b"));
        Assert.Equal(1, c.RecordCount);
        Assert.Equal(K("b").ToArray(), await c.FetchAsync(Hashed, E(5), D, A));
        await c.PunchAkeyAsync(Hashed, E(5), D, A);
        Assert.Null(await c.FetchAsync(Hashed, E(5), D, A));
        await c.UpdateAsync(Hashed, E(5), D, A, K("c"));
        Assert.Equal(K("c").ToArray(), await c.FetchAsync(Hashed, E(9), D, A));
        await pool.DisposeAsync();
    }

    [Fact]
    public async Task Large_values_live_in_the_blob_store_and_survive_reopen_and_crash()
    {
        (SimulatedMedium medium, VosPool pool, VosContainer c) = await NewAsync();
        byte[] big = Bytes(10_000, 7);
        byte[] records = Bytes(64 * 100, 8);
        await c.UpdateAsync(Hashed, E(1), D, A, big);
        await c.WriteAsync(Hashed, E(1), D, Arr, 10, 64, records);
        VosSpace space = pool.QuerySpace();
        Assert.Equal(3 * 4096 + 2 * 4096, space.BlobUsedBytes);
        medium.Crash(99);
        pool = await VosPool.OpenAsync(medium, null);
        c = await pool.OpenContainerAsync(ContainerId);
        Assert.Equal(big, await c.FetchAsync(Hashed, E(1), D, A));
        byte[] part = new byte[64 * 30];
        ArrayReadResult r = await c.ReadAsync(Hashed, E(1), D, Arr, 50, 64, part);
        Assert.Equal(part.Length, r.Length);
        Assert.Equal(records.AsSpan(64 * 40, 64 * 30).ToArray(), part);
        await c.PunchAkeyAsync(Hashed, E(2), D, A);
        await c.AggregateAsync(E(2));
        Assert.Equal(2 * 4096, pool.QuerySpace().BlobUsedBytes);
        await pool.DisposeAsync();
    }

    [Fact]
    public async Task Keys_list_in_the_object_types_order()
    {
        (_, VosPool pool, VosContainer c) = await NewAsync();
        foreach (string k in new[] { "pear", "apple", "fig", "apricot" })
        {
            await c.UpdateAsync(Lexical, E(1), K(k), A, K("v"));
        }

        foreach (ulong k in new ulong[] { 300, 2, 70_000, 1 })
        {
            await c.UpdateAsync(UInt64Keys, E(1), K(k), K(9UL), K("v"));
        }

        List<string> lexical = (await ToListAsync(c.ListDkeysAsync(Lexical, E(1)))).Select(b => System.Text.Encoding.UTF8.GetString(b)).ToList();
        Assert.Equal(["apple", "apricot", "fig", "pear"], lexical);
        List<ulong> numbers = (await ToListAsync(c.ListDkeysAsync(UInt64Keys, E(1)))).Select(b => BinaryPrimitives.ReadUInt64LittleEndian(b)).ToList();
        Assert.Equal([1UL, 2, 300, 70_000], numbers);
        await pool.DisposeAsync();
    }

    [Fact]
    public async Task Aggregation_keeps_reads_at_and_above_its_bound_and_frees_history()
    {
        (_, VosPool pool, VosContainer c) = await NewAsync();
        for (ulong e = 1; e <= 50; e++)
        {
            await c.UpdateAsync(Hashed, E(e), D, A, Bytes(40, (int)e));
            await c.WriteAsync(Hashed, E(e), D, Arr, (long)(e % 5), 8, Bytes(8 * 10, (int)e));
        }

        await c.PunchDkeyAsync(Hashed, E(20), K("gone"));
        long before = pool.QuerySpace().HeapUsedBytes;
        byte[] expectedArray = new byte[8 * 20];
        await c.ReadAsync(Hashed, E(45), D, Arr, 0, 8, expectedArray);
        await c.AggregateAsync(E(45));
        Assert.True(pool.QuerySpace().HeapUsedBytes < before, "aggregation freed nothing");
        Assert.True(c.RecordCount < 20, $"{c.RecordCount} records remain");
        Assert.Equal(Bytes(40, 45), await c.FetchAsync(Hashed, E(45), D, A));
        Assert.Equal(Bytes(40, 50), await c.FetchAsync(Hashed, E(60), D, A));
        byte[] actual = new byte[8 * 20];
        await c.ReadAsync(Hashed, E(45), D, Arr, 0, 8, actual);
        Assert.Equal(expectedArray, actual);
        await pool.DisposeAsync();
    }

    [Fact]
    public async Task Discard_removes_exactly_the_writes_of_its_epoch_range()
    {
        (_, VosPool pool, VosContainer c) = await NewAsync();
        await c.UpdateAsync(Hashed, E(1), D, A, K("1"));
        await c.UpdateAsync(Hashed, E(2), D, A, K("2"));
        await c.PunchAkeyAsync(Hashed, E(3), D, A);
        await c.UpdateAsync(Hashed, E(4), D, A, K("4"));
        await c.DiscardAsync(E(2), E(3));
        Assert.Equal(K("1").ToArray(), await c.FetchAsync(Hashed, E(3), D, A));
        Assert.Equal(K("4").ToArray(), await c.FetchAsync(Hashed, E(4), D, A));
        Assert.Equal(2, c.RecordCount);
        await pool.DisposeAsync();
    }

    [Fact]
    public async Task Destroying_a_container_frees_its_records_and_it_stays_gone_after_reopen()
    {
        (SimulatedMedium medium, VosPool pool, VosContainer c) = await NewAsync();
        long empty = pool.QuerySpace().HeapUsedBytes;
        for (int i = 0; i < 600; i++)
        {
            await c.UpdateAsync(Hashed, E(1), K($"d{i}"), A, Bytes(100, i));
        }

        await c.UpdateAsync(Hashed, E(1), D, A, Bytes(9000, 1));
        Guid other = Guid.Parse("5c3d6f4e-0000-4000-8000-000000000001");
        VosContainer kept = await pool.CreateContainerAsync(other);
        await kept.UpdateAsync(Lexical, E(3), D, A, K("kept"));
        long keptBytes = pool.QuerySpace().HeapUsedBytes;
        await pool.DestroyContainerAsync(ContainerId);
        await ThrowsDaos(DaosError.NonExistent, () => c.FetchAsync(Hashed, E(1), D, A).AsTask());
        await ThrowsDaos(DaosError.NonExistent, () => pool.OpenContainerAsync(ContainerId).AsTask());
        Assert.True(pool.QuerySpace().HeapUsedBytes < keptBytes);
        Assert.Equal(0, pool.QuerySpace().BlobUsedBytes);
        await pool.DisposeAsync();
        pool = await VosPool.OpenAsync(medium, null);
        await ThrowsDaos(DaosError.NonExistent, () => pool.OpenContainerAsync(ContainerId).AsTask());
        Assert.Equal(K("kept").ToArray(), await (await pool.OpenContainerAsync(other)).FetchAsync(Lexical, E(3), D, A));
        Assert.True(pool.QuerySpace().HeapUsedBytes > empty);

        // What a pool that only ever held the kept container uses, give or take the blob store's free-extent array:
        // the destroyed container's blob values are freed in dkey order, not block order, so the array grows while
        // they are freed (to one 16 KiB chunk here) and keeps that capacity.
        (_, VosPool alone, _) = await NewAsync();
        await alone.DestroyContainerAsync(ContainerId);
        VosContainer keptAlone = await alone.CreateContainerAsync(other);
        await keptAlone.UpdateAsync(Lexical, E(3), D, A, K("kept"));
        long used = pool.QuerySpace().HeapUsedBytes, aloneUsed = alone.QuerySpace().HeapUsedBytes;
        Assert.True(used <= aloneUsed + 16384, $"{used} used, {aloneUsed} by the kept container alone");
        await alone.DisposeAsync();
        await pool.DisposeAsync();
    }

    [Fact]
    public async Task Entering_a_pool_that_is_busy_throws_instead_of_corrupting()
    {
        (_, VosPool pool, VosContainer c) = await NewAsync();
        pool.Enter();
        await Assert.ThrowsAsync<InvalidOperationException>(() => c.UpdateAsync(Hashed, E(1), D, A, K("x")).AsTask());
        Assert.Throws<InvalidOperationException>(() => pool.QuerySpace());
        pool.Exit();
        await c.UpdateAsync(Hashed, E(1), D, A, K("x"));
        await pool.DisposeAsync();
    }
}

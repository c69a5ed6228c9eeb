using Daos.Harness.Storage;
using static Daos.Vos.Tests.Store.VosTestKit;

namespace Daos.Vos.Tests.Store;

/// <summary>Aggregation merging partly covered array writes into new records (REFERENCE.md 1.9, 2.6-2.7).</summary>
public sealed class VosAggregationMergeTests
{
    private static readonly ReadOnlyMemory<byte> D = K("dkey"), Arr = K("array");

    private static async Task<byte[]> ReadAsync(VosContainer c, ulong epoch, int records, int recordSize)
    {
        byte[] bytes = new byte[records * recordSize];
        bytes.AsSpan().Fill(0xEE);
        await c.ReadAsync(Hashed, E(epoch), D, Arr, 0, recordSize, bytes);
        return bytes;
    }

    [Fact]
    public async Task Three_overlapping_writes_become_one_record_and_their_blob_space_is_freed()
    {
        (SimulatedMedium medium, VosPool pool, VosContainer c) = await NewAsync(Options(inlineThresholdBytes: 4096));
        const int RecordSize = 4096;
        await c.WriteAsync(Hashed, E(1), D, Arr, 0, RecordSize, Bytes(10 * RecordSize, 1));   // [0, 10)
        await c.WriteAsync(Hashed, E(2), D, Arr, 5, RecordSize, Bytes(10 * RecordSize, 2));   // [5, 15)
        await c.WriteAsync(Hashed, E(3), D, Arr, 12, RecordSize, Bytes(8 * RecordSize, 3));   // [12, 20)
        byte[] before = await ReadAsync(c, 3, 24, RecordSize);
        long blobBefore = pool.QuerySpace().BlobUsedBytes;
        Assert.Equal(28L * RecordSize, blobBefore);

        await c.AggregateAsync(E(3));
        Assert.Equal(1, c.RecordCount);
        Assert.Equal(1, c.MergedRecordCount);
        Assert.Equal(20L * RecordSize, pool.QuerySpace().BlobUsedBytes);
        Assert.Equal(before, await ReadAsync(c, 3, 24, RecordSize));
        Assert.Equal([new Extent(0, 20)], await ToListAsync(c.ListExtentsAsync(Hashed, E(3), D, Arr)));

        // A write above the bound still wins over the merged record, and a crash keeps the merged state.
        await c.WriteAsync(Hashed, E(4), D, Arr, 2, RecordSize, Bytes(RecordSize, 4));
        medium.Crash(5);
        pool = await VosPool.OpenAsync(medium, null);
        c = await pool.OpenContainerAsync(ContainerId);
        Assert.Equal(before, await ReadAsync(c, 3, 24, RecordSize));
        byte[] at4 = await ReadAsync(c, 4, 24, RecordSize);
        Assert.Equal(Bytes(RecordSize, 4), at4.AsSpan(2 * RecordSize, RecordSize).ToArray());
        await pool.DisposeAsync();
    }

    [Fact]
    public async Task A_write_split_by_a_newer_hole_is_rewritten_as_its_visible_parts()
    {
        (_, VosPool pool, VosContainer c) = await NewAsync();
        await c.WriteAsync(Hashed, E(1), D, Arr, 0, 4, Bytes(400, 1));                 // [0, 100)
        await c.PunchExtentsAsync(Hashed, E(2), D, Arr, new Extent(40, 10));         // hole [40, 50)
        await c.PunchAkeyAsync(Hashed, E(5), D, Arr);                                // above the bound: hides everything from 5
        byte[] at2 = await ReadAsync(c, 2, 100, 4);
        await c.AggregateAsync(E(3));
        Assert.Equal(2, c.MergedRecordCount);
        Assert.Equal(4, c.RecordCount); // two merged records, the hole, the punch
        Assert.Equal(at2, await ReadAsync(c, 3, 100, 4));
        Assert.Equal([new Extent(0, 40), new Extent(50, 50)], await ToListAsync(c.ListExtentsAsync(Hashed, E(3), D, Arr)));
        Assert.Empty(await ToListAsync(c.ListExtentsAsync(Hashed, E(5), D, Arr)));

        // Merged history is stable: aggregating again rewrites nothing.
        await c.AggregateAsync(E(3));
        Assert.Equal(2, c.MergedRecordCount);
        await pool.DisposeAsync();
    }

    [Fact]
    public async Task Runs_larger_than_the_merge_limit_are_cut_into_several_records()
    {
        (_, VosPool pool, VosContainer c) = await NewAsync(Options(inlineThresholdBytes: 4096, blobBytes: 16L << 20));
        const int RecordSize = 4096;
        await c.WriteAsync(Hashed, E(1), D, Arr, 0, RecordSize, Bytes(300 * RecordSize, 1));  // 1.2 MB
        await c.WriteAsync(Hashed, E(2), D, Arr, 100, RecordSize, Bytes(300 * RecordSize, 2));
        byte[] before = await ReadAsync(c, 2, 400, RecordSize);
        await c.AggregateAsync(E(2));
        Assert.Equal(2, c.MergedRecordCount); // 400 records of 4 KiB: one 1 MiB record and the rest
        Assert.Equal(2, c.RecordCount);
        Assert.Equal(400L * RecordSize, pool.QuerySpace().BlobUsedBytes);
        Assert.Equal(before, await ReadAsync(c, 2, 400, RecordSize));
        await pool.DisposeAsync();
    }

    [Fact]
    public async Task A_run_of_many_small_writes_is_merged_in_bounded_records()
    {
        (_, VosPool pool, VosContainer c) = await NewAsync();
        for (int i = 0; i < 600; i++)
        {
            await c.WriteAsync(Hashed, E(1 + (ulong)i), D, Arr, i, 4, Bytes(4, i));
        }

        byte[] before = await ReadAsync(c, 700, 600, 4);
        await c.AggregateAsync(E(700));
        Assert.Equal(3, c.MergedRecordCount); // 256 + 256 + 88 writes each
        Assert.Equal(3, c.RecordCount);
        Assert.Equal(before, await ReadAsync(c, 700, 600, 4));
        Assert.Equal([new Extent(0, 600)], await ToListAsync(c.ListExtentsAsync(Hashed, E(700), D, Arr)));
        await pool.DisposeAsync();
    }
}

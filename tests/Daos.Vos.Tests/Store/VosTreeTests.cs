using System.Buffers.Binary;
using Daos.Harness.Storage;
using Daos.Vos.Btree;
using Daos.Vos.Store;
using Daos.Vos.Umem;
using static Daos.Vos.Tests.Store.VosTestKit;

namespace Daos.Vos.Tests.Store;

/// <summary>
/// Format 3's trees under each object: a dkey is read alone, listings seek to their anchor, the trees verify and
/// hold exactly what was written, and damage below one dkey stays below that dkey.
/// </summary>
public sealed class VosTreeTests
{
    private static readonly ReadOnlyMemory<byte> A = K("akey");

    private static ReadOnlyMemory<byte> Dkey(int i) => K($"dkey-{i:D6}");

    private static async Task<(SimulatedMedium Medium, VosPool Pool, VosContainer Container)> BigObjectAsync(ObjectId oid, int dkeys)
    {
        var medium = new SimulatedMedium("big");
        VosPool pool = await VosPool.CreateAsync(medium, Options(heapBytes: 32L << 20) with { WalSizeBytes = 8L << 20 });
        VosContainer c = await pool.CreateContainerAsync(ContainerId);
        for (int i = 0; i < dkeys; i++)
        {
            await c.UpdateAsync(oid, E(1), Dkey(i), A, K($"value {i}"));
        }

        await pool.DisposeAsync();
        pool = await VosPool.OpenAsync(medium, null);
        return (medium, pool, await pool.OpenContainerAsync(ContainerId));
    }

    [Fact]
    public async Task Touching_one_dkey_of_a_10000_dkey_object_reads_a_bounded_number_of_nodes()
    {
        const int Dkeys = 10_000;
        (_, VosPool pool, VosContainer c) = await BigObjectAsync(Hashed, Dkeys);
        Assert.Equal(0, c.TreeNodesRead);

        Assert.Equal(K("value 4321").ToArray(), await c.FetchAsync(Hashed, E(1), Dkey(4321), A));
        Assert.Equal(1, c.ObjectsLoaded);
        Assert.Equal(1, c.DkeysLoaded);
        Assert.Equal(1, c.RecordsLoaded);
        // One path down the dkey tree (order 16: five levels hold 10,000 keys) and the dkey's own small trees,
        // which keep their single record in their roots.
        long fetchNodes = c.TreeNodesRead;
        Assert.True(fetchNodes <= 6, $"the fetch read {fetchNodes} tree nodes");

        // A write to another dkey, and a fetch of a dkey that does not exist, read one more path each.
        await c.UpdateAsync(Hashed, E(2), Dkey(77), A, K("new"));
        Assert.Null(await c.FetchAsync(Hashed, E(2), K("no such dkey"), A));
        Assert.Equal(2, c.DkeysLoaded);
        Assert.Equal(2, c.RecordsLoaded);
        Assert.True(c.TreeNodesRead - fetchNodes <= 24, $"the write and the miss read {c.TreeNodesRead - fetchNodes} tree nodes");
        Assert.Equal(K("new").ToArray(), await c.FetchAsync(Hashed, E(2), Dkey(77), A));
        Assert.Equal(K("value 77").ToArray(), await c.FetchAsync(Hashed, E(1), Dkey(77), A));

        TreeReport report = c.VerifyTrees();
        Assert.Equal(1, report.Objects);
        Assert.Equal(Dkeys, report.Dkeys);
        Assert.Equal(Dkeys + 1, report.Records);
        await pool.DisposeAsync();
    }

    [Theory]
    [InlineData(ObjectType.MultiHashed)]
    [InlineData(ObjectType.MultiLexical)]
    [InlineData(ObjectType.DkeyUInt64)]
    public async Task A_dkey_page_after_an_anchor_seeks_to_it_and_reads_only_that_page(ObjectType type)
    {
        const int Dkeys = 3000, Page = 10;
        ObjectId oid = ObjectId.Create(type, ObjectClass.S1, 9);
        bool uint64 = type == ObjectType.DkeyUInt64;
        ReadOnlyMemory<byte> KeyOf(int i) => uint64 ? K((ulong)i * 7919) : Dkey(i);
        var medium = new SimulatedMedium("anchor");
        VosPool pool = await VosPool.CreateAsync(medium, Options(heapBytes: 32L << 20) with { WalSizeBytes = 8L << 20 });
        VosContainer c = await pool.CreateContainerAsync(ContainerId);
        for (int i = 0; i < Dkeys; i++)
        {
            await c.UpdateAsync(oid, E(1), KeyOf(i), A, K($"value {i}"));
        }

        List<byte[]> all = await ToListAsync(c.ListDkeysAsync(oid, E(1)));
        Assert.Equal(Dkeys, all.Count);
        await pool.DisposeAsync();
        pool = await VosPool.OpenAsync(medium, null);
        c = await pool.OpenContainerAsync(ContainerId);

        // Resume from the anchor after the 2,000th key: the page holds the next ten keys in the object's order, and
        // only those dkeys (plus none before them) were read.
        VosPage<byte[]> first = await c.ListDkeysAsync(oid, E(1), VosAnchor.Start, 2000);
        Assert.Equal(2000, first.Items.Count);
        long walkNodes = c.TreeNodesRead;
        Assert.True(walkNodes >= 2000, $"walking 2,000 dkeys read {walkNodes} nodes"); // each key read checks its leaf
        await pool.DisposeAsync();
        pool = await VosPool.OpenAsync(medium, null);
        c = await pool.OpenContainerAsync(ContainerId);
        VosPage<byte[]> page = await c.ListDkeysAsync(oid, E(1), VosAnchor.FromBytes(first.Next.ToBytes()), Page);
        Assert.Equal(all.GetRange(2000, Page).Select(k => Convert.ToHexString(k)), page.Items.Select(k => Convert.ToHexString(k)));
        Assert.True(c.DkeysLoaded <= Page + 1, $"the page read {c.DkeysLoaded} dkeys");
        // One descent to the anchor (at most five levels) and about two leaf reads per key listed (its key, the step
        // to the next), whatever the keys before the anchor.
        Assert.True(c.TreeNodesRead <= 5 + 2 * (Page + 2), $"the page read {c.TreeNodesRead} tree nodes, walking from the start {walkNodes}");
        await pool.DisposeAsync();
    }

    [Fact]
    public async Task An_akey_page_after_an_anchor_seeks_the_akey_tree()
    {
        const int Akeys = 2000;
        (_, VosPool pool, VosContainer c) = await NewAsync(Options(heapBytes: 32L << 20) with { WalSizeBytes = 8L << 20 });
        for (int i = 0; i < Akeys; i++)
        {
            await c.UpdateAsync(Lexical, E(1), K("dkey"), K($"akey-{i:D5}"), K($"v{i}"));
        }

        await c.PunchAkeyAsync(Lexical, E(2), K("dkey"), K("akey-01501"));
        _ = await c.ListAkeysAsync(Lexical, E(2), K("dkey"), VosAnchor.Start, 1); // the dkey is in memory now
        long before = c.TreeNodesRead;
        VosPage<byte[]> first = await c.ListAkeysAsync(Lexical, E(2), K("dkey"), VosAnchor.Start, 1500);
        VosPage<byte[]> page = await c.ListAkeysAsync(Lexical, E(2), K("dkey"), first.Next, 3);
        Assert.Equal(["akey-01500", "akey-01502", "akey-01503"], page.Items.Select(k => System.Text.Encoding.UTF8.GetString(k)));
        long walkNodes = c.TreeNodesRead - before;
        long seekBefore = c.TreeNodesRead;
        VosPage<byte[]> next = await c.ListAkeysAsync(Lexical, E(2), K("dkey"), page.Next, 3);
        Assert.Equal(["akey-01504", "akey-01505", "akey-01506"], next.Items.Select(k => System.Text.Encoding.UTF8.GetString(k)));
        // A walk from the start reads every leaf on the way (about two reads per key); a seek reads one path (order
        // 8: at most five levels for 2,000 keys) and two or three reads per key listed (its key, the step to the
        // next, a parent when the step leaves the leaf), the page's look-ahead key included.
        long seekNodes = c.TreeNodesRead - seekBefore;
        Assert.True(seekNodes <= 5 + 3 * (3 + 2), $"a seek to the anchor read {seekNodes} nodes, the walk {walkNodes}");
        await pool.DisposeAsync();
    }

    [Fact]
    public async Task The_trees_hold_every_record_once_and_nodes_go_when_they_empty()
    {
        (SimulatedMedium medium, VosPool pool, VosContainer c) = await NewAsync();
        long emptyHeap = pool.QuerySpace().HeapUsedBytes;
        for (int d = 0; d < 30; d++)
        {
            for (ulong e = 1; e <= 3; e++)
            {
                await c.UpdateAsync(Hashed, E(e), K($"d{d}"), A, K($"v{d}.{e}"));
                await c.WriteAsync(Hashed, E(e), K($"d{d}"), K("array"), (long)e * 2, 4, Bytes(12, d));
            }

            await c.PunchAkeyAsync(Hashed, E(4), K($"d{d}"), A);
        }

        await c.PunchDkeyAsync(Hashed, E(5), K("d3"));
        await c.PunchObjectAsync(Hashed, E(6));
        TreeReport report = c.VerifyTrees();
        Assert.Equal(1, report.Objects);
        Assert.Equal(30, report.Dkeys);
        Assert.Equal(60, report.Akeys.Count);
        Assert.Equal(30 * 7 + 2, report.Records);
        Assert.Equal(report.Records, c.RecordCount);

        await pool.DisposeAsync();
        pool = await VosPool.OpenAsync(medium, null);
        c = await pool.OpenContainerAsync(ContainerId);
        Assert.Equal(report.Records, c.VerifyTrees().Records);
        Assert.Null(await c.FetchAsync(Hashed, E(6), K("d7"), A));
        Assert.Equal(K("v7.3").ToArray(), await c.FetchAsync(Hashed, E(3), K("d7"), A));

        // Discarding every epoch empties every tree: the nodes, key blocks and records all go.
        await c.DiscardAsync(E(1), E(6));
        report = c.VerifyTrees();
        Assert.Equal(0, report.Objects);
        Assert.Equal(0, report.Records);
        Assert.Equal(emptyHeap, pool.QuerySpace().HeapUsedBytes);
        await pool.DisposeAsync();
    }

    [Fact]
    public async Task Removing_thousands_of_dkeys_at_once_fits_a_small_wal()
    {
        // Each removed record here empties a dkey, so a removal slice also rewrites dkey tree nodes; it must still fit
        // the transaction's share of a 256 KiB WAL (a slice that outgrows it is retried smaller).
        const int Dkeys = 3000;
        (SimulatedMedium medium, VosPool pool, VosContainer c) = await NewAsync(Options(heapBytes: 32L << 20) with { WalSizeBytes = 256 * 1024 });
        long emptyHeap = pool.QuerySpace().HeapUsedBytes;
        for (int i = 0; i < Dkeys; i++)
        {
            await c.UpdateAsync(Hashed, E(1 + (ulong)(i % 2)), Dkey(i), A, K($"value {i}"));
        }

        await c.PunchObjectAsync(Hashed, E(3));
        await c.DiscardAsync(E(2), E(2));
        Assert.Equal(Dkeys / 2 + 1, c.RecordCount);
        await c.AggregateAsync(E(4));
        Assert.Equal(0, c.VerifyTrees().Records);
        Assert.Equal(emptyHeap, pool.QuerySpace().HeapUsedBytes);
        await pool.DisposeAsync();
        pool = await VosPool.OpenAsync(medium, null);
        Assert.Equal(0, (await pool.OpenContainerAsync(ContainerId)).RecordCount);
        await pool.DisposeAsync();
    }

    [Fact]
    public async Task A_damaged_dkey_node_is_Corrupted_for_that_dkey_only()
    {
        var medium = new SimulatedMedium("dkey-node");
        VosPool pool = await VosPool.CreateAsync(medium, Options());
        VosContainer c = await pool.CreateContainerAsync(ContainerId);
        for (int d = 0; d < 40; d++)
        {
            await c.UpdateAsync(Hashed, E(1), K($"d{d}"), A, K($"value {d}"));
        }

        await pool.CheckpointAsync();
        await pool.DisposeAsync();
        string heapFile = UmemHeap.HeapFileName(VosPool.FileBaseName);
        byte[] image = medium.ReadDurable(heapFile);
        Span<byte> magic = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(magic, RecordFormat.DkeyNodeMagic);
        int at = image.AsSpan().IndexOf(magic);
        Assert.True(at > 0, "no dkey node was checkpointed into the heap file");
        medium.FlipBit(heapFile, at + 1, 3);

        await using VosPool damaged = await VosPool.OpenAsync(medium, null);
        VosContainer opened = await damaged.OpenContainerAsync(ContainerId);
        int corrupted = 0;
        for (int d = 0; d < 40; d++)
        {
            try
            {
                Assert.Equal(K($"value {d}").ToArray(), await opened.FetchAsync(Hashed, E(1), K($"d{d}"), A));
            }
            catch (DaosException e) when (e.Error == DaosError.Corrupted)
            {
                corrupted++;
                await ThrowsDaos(DaosError.Corrupted, () => opened.FetchAsync(Hashed, E(1), K($"d{d}"), A).AsTask());
            }
        }

        Assert.Equal(1, corrupted);
        Assert.Throws<DaosException>(() => opened.VerifyTrees());
    }

    [Fact]
    public async Task A_tree_entry_naming_another_record_is_Corrupted()
    {
        var medium = new SimulatedMedium("entry");
        VosPool pool = await VosPool.CreateAsync(medium, Options());
        VosContainer c = await pool.CreateContainerAsync(ContainerId);
        await c.UpdateAsync(Lexical, E(1), K("d"), K("first"), K("one"));
        await c.UpdateAsync(Lexical, E(1), K("d"), K("second"), K("two"));
        await pool.CheckpointAsync();
        await pool.DisposeAsync();

        // Point the akey "second" value tree's embedded entry at the record of "first": a well-formed record in
        // the wrong place (the root's CRC is rewritten so only the cross-check can catch it).
        string heapFile = UmemHeap.HeapFileName(VosPool.FileBaseName);
        byte[] image = medium.ReadDurable(heapFile);
        long first = RecordAt(image, "first"u8) - HeapFormat.ImageOffset, second = RecordAt(image, "second"u8) - HeapFormat.ImageOffset;
        Span<byte> needle = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(needle, second);
        int valueAt = image.AsSpan().IndexOf(needle);
        Assert.True(valueAt > 0);
        int rootAt = valueAt - BtreeFormat.RootValueAt;
        Assert.Equal(BtreeFormat.RootMagic, BinaryPrimitives.ReadUInt32LittleEndian(image.AsSpan(rootAt)));
        byte[] root = image.AsSpan(rootAt, BtreeFormat.RootBytes(8)).ToArray();
        BinaryPrimitives.WriteInt64LittleEndian(root.AsSpan(BtreeFormat.RootValueAt), first);
        root.AsSpan(BtreeFormat.RootCrcAt, 4).Clear();
        uint crc = ~Crc32C.Update(~0u, root);
        BinaryPrimitives.WriteUInt32LittleEndian(root.AsSpan(BtreeFormat.RootCrcAt), crc);
        for (int i = 0; i < root.Length; i++)
        {
            for (int bit = 0; bit < 8; bit++)
            {
                if (((root[i] ^ image[rootAt + i]) >> bit & 1) != 0)
                {
                    medium.FlipBit(heapFile, rootAt + i, bit);
                }
            }
        }

        await using VosPool damaged = await VosPool.OpenAsync(medium, null);
        VosContainer opened = await damaged.OpenContainerAsync(ContainerId);
        await ThrowsDaos(DaosError.Corrupted, () => opened.FetchAsync(Lexical, E(1), K("d"), K("second")).AsTask());
        await ThrowsDaos(DaosError.Corrupted, () => opened.FetchAsync(Lexical, E(1), K("d"), K("first")).AsTask());
    }

    /// <summary>The heap offset of the VOS record whose keys contain <paramref name="text"/> (not a key block).</summary>
    private static int RecordAt(byte[] image, ReadOnlySpan<byte> text)
    {
        for (int from = 0; ;)
        {
            int hit = image.AsSpan(from).IndexOf(text);
            Assert.True(hit >= 0, "the record was not checkpointed into the heap file");
            hit += from;
            for (int keysAt = hit; keysAt >= hit - 8; keysAt--)
            {
                int at = keysAt - RecordFormat.HeaderBytes;
                if (at > 0 && BinaryPrimitives.ReadUInt32LittleEndian(image.AsSpan(at)) == RecordFormat.RecordMagic)
                {
                    return at;
                }
            }

            from = hit + 1;
        }
    }
}

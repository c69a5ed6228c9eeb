using System.Buffers.Binary;
using Daos.Harness.Storage;
using Daos.Vos.Store;
using Daos.Vos.Umem;
using static Daos.Vos.Tests.Store.VosTestKit;

namespace Daos.Vos.Tests.Store;

/// <summary>
/// The container's object index on the heap: opening reads no records, objects load on first use and leave memory
/// beyond the cache limit, destroy frees every object in slices, and an older layout is refused.
/// </summary>
public sealed class VosObjectIndexTests
{
    private static readonly ReadOnlyMemory<byte> A = K("akey");

    private static ObjectId Oid(int i) => ObjectId.Create(ObjectType.MultiHashed, ObjectClass.S1, (ulong)i + 100);

    [Fact]
    public async Task Opening_a_pool_of_20000_records_reads_none_and_a_fetch_reads_only_its_dkey()
    {
        const int Objects = 2000, DkeysPerObject = 5, Epochs = 2;
        var medium = new SimulatedMedium("index");
        VosPool pool = await VosPool.CreateAsync(medium, Options(heapBytes: 32L << 20));
        VosContainer c = await pool.CreateContainerAsync(ContainerId);
        for (int i = 0; i < Objects; i++)
        {
            for (int d = 0; d < DkeysPerObject; d++)
            {
                for (ulong e = 1; e <= Epochs; e++)
                {
                    await c.UpdateAsync(Oid(i), E(e), K($"d{d}"), A, K($"v{i}.{d}.{e}"));
                }
            }
        }

        Assert.Equal(Objects * DkeysPerObject * Epochs, c.RecordCount);
        await pool.DisposeAsync();

        pool = await VosPool.OpenAsync(medium, null);
        c = await pool.OpenContainerAsync(ContainerId);
        Assert.Equal(Objects * DkeysPerObject * Epochs, c.RecordCount);
        Assert.Equal(0, c.RecordsLoaded);
        Assert.Equal(0, c.ObjectsLoaded);
        Assert.Equal(0, c.CachedObjectCount);

        Assert.Equal(K("v1234.3.2").ToArray(), await c.FetchAsync(Oid(1234), E(5), K("d3"), A));
        Assert.Equal(K("v1234.3.1").ToArray(), await c.FetchAsync(Oid(1234), E(1), K("d3"), A));
        Assert.Equal(1, c.ObjectsLoaded);
        Assert.Equal(1, c.DkeysLoaded);
        Assert.Equal(Epochs, c.RecordsLoaded);

        VosPage<ObjectId> page = await c.ListObjectsAsync(E(5), VosAnchor.Start, 10);
        Assert.Equal(10, page.Items.Count);
        // The fetched object, the page's ten and the one the page looks ahead to for its next anchor.
        Assert.True(c.ObjectsLoaded <= 12, $"a page of 10 objects loaded {c.ObjectsLoaded} objects");
        await pool.DisposeAsync();
    }

    [Fact]
    public async Task Objects_beyond_the_cache_limit_leave_memory_and_read_back_unchanged()
    {
        const int Limit = 4, Objects = 40;
        var medium = new SimulatedMedium("lru");
        VosPoolOptions options = Options() with { ObjectCacheLimit = Limit };
        VosPool pool = await VosPool.CreateAsync(medium, options);
        VosContainer c = await pool.CreateContainerAsync(ContainerId);
        for (int round = 1; round <= 3; round++)
        {
            for (int i = 0; i < Objects; i++)
            {
                await c.UpdateAsync(Oid(i), E((ulong)round), K("d"), A, K($"v{i}.{round}"));
                await c.WriteAsync(Oid(i), E((ulong)round), K("d"), K("array"), round * 4, 4, Bytes(16, i * 10 + round));
                Assert.True(c.CachedObjectCount <= Limit + 1, $"round {round}, object {i}: {c.CachedObjectCount} cached");
            }

            await c.PunchDkeyAsync(Oid(round), E((ulong)round), K("d"));
        }

        long loadsBefore = c.ObjectsLoaded;
        for (int i = 0; i < Objects; i++)
        {
            byte[]? value = await c.FetchAsync(Oid(i), E(3), K("d"), A);
            if (i == 3)
            {
                Assert.Null(value); // punched at epoch 3 after the write at 3
            }
            else
            {
                Assert.Equal(K($"v{i}.3").ToArray(), value);
            }

            byte[]? first = await c.FetchAsync(Oid(i), E(1), K("d"), A);
            Assert.Equal(i == 1 ? null : K($"v{i}.1").ToArray(), first); // object 1's dkey is punched at 1
            var buffer = new byte[16];
            await c.ReadAsync(Oid(i), E(2), K("d"), K("array"), 8, 4, buffer);
            Assert.Equal(i == 2 ? new byte[16] : Bytes(16, i * 10 + 2), buffer);
            Assert.True(c.CachedObjectCount <= Limit + 1, $"object {i}: {c.CachedObjectCount} cached");
        }

        Assert.True(c.ObjectsLoaded - loadsBefore >= Objects - Limit, "objects were not read back from the heap");
        List<ObjectId> listed = await ToListAsync(c.ListObjectsAsync(E(3)));
        Assert.Equal(Objects - 1, listed.Count); // object 3's only dkey is punched at 3
        await pool.DisposeAsync();
    }

    [Fact]
    public async Task Destroying_a_container_of_many_objects_frees_every_record_node_and_index_node()
    {
        var medium = new SimulatedMedium("destroy");
        VosPool pool = await VosPool.CreateAsync(medium, Options());
        long emptyHeap = pool.QuerySpace().HeapUsedBytes;
        long emptyBlob = pool.QuerySpace().BlobUsedBytes;
        VosContainer c = await pool.CreateContainerAsync(ContainerId);
        for (int i = 0; i < 700; i++)
        {
            await c.UpdateAsync(Oid(i), E(1), K("d"), A, K($"value {i}"));
            if (i % 50 == 0)
            {
                await c.WriteAsync(Oid(i), E(2), K("d"), K("big"), 0, 1, Bytes(8192, i));
            }
        }

        await c.UpdateAsync(new VosTransactionId(7), Oid(1), E(3), K("d"), A, K("prepared"));
        Assert.True(pool.QuerySpace().BlobUsedBytes > emptyBlob);
        await pool.DestroyContainerAsync(ContainerId);
        Assert.Equal(emptyHeap, pool.QuerySpace().HeapUsedBytes);
        Assert.Equal(emptyBlob, pool.QuerySpace().BlobUsedBytes);
        await pool.DisposeAsync();
    }

    [Theory]
    [InlineData(1u)]
    [InlineData(2u)]
    public async Task A_pool_of_an_earlier_layout_version_is_refused_as_incompatible(uint oldVersion)
    {
        var medium = new SimulatedMedium("old");
        VosPool pool = await VosPool.CreateAsync(medium, Options());
        await pool.CheckpointAsync();
        await pool.DisposeAsync();
        string heapFile = UmemHeap.HeapFileName(VosPool.FileBaseName);
        byte[] image = medium.ReadDurable(heapFile);
        Span<byte> magic = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(magic, RecordFormat.RootMagic);
        int at = image.AsSpan().IndexOf(magic);
        Assert.True(at > 0, "the VOS root was not checkpointed into the heap file");
        Assert.Equal(RecordFormat.Version, BinaryPrimitives.ReadUInt32LittleEndian(image.AsSpan(at + 8)));
        // Version 2 kept one record list per object, version 1 one list per container.
        for (int bit = 0; bit < 32; bit++)
        {
            if ((((RecordFormat.Version ^ oldVersion) >> bit) & 1) != 0)
            {
                medium.FlipBit(heapFile, at + 8 + bit / 8, bit % 8);
            }
        }

        await ThrowsDaos(DaosError.DurableFormatIncompatible, () => VosPool.OpenAsync(medium, null).AsTask());
    }

    [Fact]
    public async Task A_damaged_object_node_is_refused_on_first_use_with_Corrupted()
    {
        var medium = new SimulatedMedium("node");
        VosPool pool = await VosPool.CreateAsync(medium, Options());
        VosContainer c = await pool.CreateContainerAsync(ContainerId);
        await c.UpdateAsync(Oid(1), E(1), K("d"), A, K("one"));
        await c.UpdateAsync(Oid(2), E(1), K("d"), A, K("two"));
        await pool.CheckpointAsync();
        await pool.DisposeAsync();
        string heapFile = UmemHeap.HeapFileName(VosPool.FileBaseName);
        byte[] image = medium.ReadDurable(heapFile);
        Span<byte> node = stackalloc byte[24];
        BinaryPrimitives.WriteUInt32LittleEndian(node, RecordFormat.ObjectNodeMagic);
        BinaryPrimitives.WriteUInt64LittleEndian(node[8..], Oid(1).Hi);
        BinaryPrimitives.WriteUInt64LittleEndian(node[16..], Oid(1).Lo);
        int at = image.AsSpan().IndexOf(node);
        Assert.True(at > 0, "the object node was not checkpointed into the heap file");
        medium.FlipBit(heapFile, at + RecordFormat.ObjectNodeOidLoAt, 5);
        await using VosPool damaged = await VosPool.OpenAsync(medium, null);
        VosContainer opened = await damaged.OpenContainerAsync(ContainerId);
        await ThrowsDaos(DaosError.Corrupted, () => opened.FetchAsync(Oid(1), E(1), K("d"), A).AsTask());
        Assert.Equal(K("two").ToArray(), await opened.FetchAsync(Oid(2), E(1), K("d"), A));
    }

    [Fact]
    public async Task A_write_after_a_prepared_one_at_the_same_epoch_wins_after_its_object_was_dropped_and_reloaded()
    {
        var medium = new SimulatedMedium("minor");
        VosPool pool = await VosPool.CreateAsync(medium, Options() with { ObjectCacheLimit = 1 });
        VosContainer c = await pool.CreateContainerAsync(ContainerId);
        var tx = new VosTransactionId(3);
        await c.UpdateAsync(tx, Oid(1), E(5), K("d"), A, K("prepared"));
        await pool.DisposeAsync();
        pool = await VosPool.OpenAsync(medium, Options() with { ObjectCacheLimit = 1 });
        c = await pool.OpenContainerAsync(ContainerId);
        await c.UpdateAsync(Oid(2), E(5), K("d"), A, K("other object")); // drops nothing yet: object 1 is not loaded
        await c.UpdateAsync(Oid(1), E(5), K("d"), A, K("later"));
        await c.CommitTransactionAsync(tx);
        await c.FetchAsync(Oid(2), E(5), K("d"), A); // object 1 leaves the cache
        Assert.Equal(K("later").ToArray(), await c.FetchAsync(Oid(1), E(5), K("d"), A));
        await pool.DisposeAsync();
    }
}

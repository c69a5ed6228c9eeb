using System.Buffers.Binary;
using Daos.Harness.Storage;
using Daos.Vos.Store;
using Daos.Vos.Umem;
using static Daos.Vos.Tests.Store.VosTestKit;

namespace Daos.Vos.Tests.Store;

/// <summary>Bad arguments and damaged files: a typed <see cref="DaosException"/> and no partial effect.</summary>
public sealed class VosBadInputTests
{
    private static readonly ReadOnlyMemory<byte> D = K("dkey"), A = K("akey"), Arr = K("array");

    [Fact]
    public async Task Bad_arguments_fail_typed_and_change_nothing()
    {
        (_, VosPool pool, VosContainer c) = await NewAsync();
        await c.UpdateAsync(Hashed, E(1), D, A, K("value"));
        await c.WriteAsync(Hashed, E(1), D, Arr, 0, 4, new byte[16]);
        VosSpace space = pool.QuerySpace();
        long records = c.RecordCount;
        byte[] tooBig = new byte[RecordFormat.KeySizeBytesMax + 1];
        var cases = new (DaosError Error, Func<Task> Action)[]
        {
            (DaosError.InvalidArgument, () => c.UpdateAsync(Hashed, E(0), D, A, K("v")).AsTask()),
            (DaosError.InvalidArgument, () => c.UpdateAsync(Hashed, Epoch.Max, D, A, K("v")).AsTask()),
            (DaosError.InvalidArgument, () => c.UpdateAsync(Hashed, E(2), ReadOnlyMemory<byte>.Empty, A, K("v")).AsTask()),
            (DaosError.InvalidArgument, () => c.UpdateAsync(Hashed, E(2), D, ReadOnlyMemory<byte>.Empty, K("v")).AsTask()),
            (DaosError.KeyTooBig, () => c.UpdateAsync(Hashed, E(2), tooBig, A, K("v")).AsTask()),
            (DaosError.InvalidArgument, () => c.UpdateAsync(UInt64Keys, E(2), K("seven77"), K(1UL), K("v")).AsTask()),
            (DaosError.InvalidArgument, () => c.UpdateAsync(Hashed, E(2), D, A, ReadOnlyMemory<byte>.Empty).AsTask()),
            (DaosError.InvalidArgument, () => c.UpdateAsync(Hashed, E(2), D, Arr, K("v")).AsTask()),
            (DaosError.InvalidArgument, () => c.WriteAsync(Hashed, E(2), D, A, 0, 1, new byte[4]).AsTask()),
            (DaosError.InvalidArgument, () => c.WriteAsync(Hashed, E(2), D, Arr, 0, 8, new byte[16]).AsTask()),
            (DaosError.InvalidArgument, () => c.WriteAsync(Hashed, E(2), D, Arr, 0, 4, new byte[6]).AsTask()),
            (DaosError.InvalidArgument, () => c.WriteAsync(Hashed, E(2), D, Arr, -1, 4, new byte[4]).AsTask()),
            (DaosError.InvalidArgument, () => c.WriteAsync(Hashed, E(2), D, Arr, long.MaxValue, 4, new byte[8]).AsTask()),
            (DaosError.InvalidArgument, () => c.WriteAsync(Hashed, E(2), D, Arr, 0, 0, new byte[8]).AsTask()),
            (DaosError.InvalidArgument, () => c.PunchExtentsAsync(Hashed, E(2), D, Arr, new Extent(0, 0)).AsTask()),
            (DaosError.InvalidArgument, () => c.PunchExtentsAsync(Hashed, E(2), D, A, new Extent(0, 1)).AsTask()),
            (DaosError.InvalidArgument, () => c.PunchDkeyAsync(Hashed, E(2), ReadOnlyMemory<byte>.Empty).AsTask()),
            (DaosError.InvalidArgument, () => c.PunchObjectAsync(Hashed, E(0)).AsTask()),
            (DaosError.InvalidArgument, () => c.ReadAsync(Hashed, E(2), D, Arr, 0, 8, new byte[16]).AsTask()),
            (DaosError.InvalidArgument, () => c.ReadAsync(Hashed, E(2), D, Arr, 0, 4, new byte[6]).AsTask()),
            (DaosError.InvalidArgument, () => c.ReadAsync(Hashed, E(2), D, Arr, -4, 4, new byte[4]).AsTask()),
            (DaosError.InvalidArgument, () => c.DiscardAsync(E(5), E(4)).AsTask()),
            (DaosError.InvalidArgument, () => ToListAsync(c.ListAkeysAsync(UInt64Keys, E(1), K("x")))),
            (DaosError.Exists, () => pool.CreateContainerAsync(ContainerId).AsTask()),
            (DaosError.NonExistent, () => pool.OpenContainerAsync(Guid.Empty).AsTask()),
            (DaosError.NonExistent, () => pool.DestroyContainerAsync(Guid.Empty).AsTask()),
        };

        for (int i = 0; i < cases.Length; i++)
        {
            DaosException e = await Assert.ThrowsAsync<DaosException>(cases[i].Action);
            Assert.True(e.Error == cases[i].Error, $"case {i}: {e.Error}, expected {cases[i].Error}: {e.Message}");
            Assert.True(c.RecordCount == records, $"case {i} left {c.RecordCount - records} records");
            Assert.True(pool.QuerySpace() == space, $"case {i} changed space: {pool.QuerySpace()} vs {space}");
        }

        Assert.Equal(K("value").ToArray(), await c.FetchAsync(Hashed, E(9), D, A));
        await pool.DisposeAsync();
    }

    [Fact]
    public async Task Bad_pool_options_and_missing_pools_fail_typed()
    {
        await ThrowsDaos(DaosError.InvalidArgument, () => VosPool.CreateAsync(new SimulatedMedium(), Options() with { InlineThresholdBytes = 0 }).AsTask());
        await ThrowsDaos(DaosError.InvalidArgument, () => VosPool.CreateAsync(new SimulatedMedium(), Options() with { BlobSizeBytes = 1000 }).AsTask());
        await ThrowsDaos(DaosError.NonExistent, () => VosPool.OpenAsync(new SimulatedMedium(), null).AsTask());
        await ThrowsDaos(DaosError.NonExistent, () => VosPool.OpenAsync("/nonexistent/vos/pool/dir").AsTask());
        (SimulatedMedium medium, VosPool pool, _) = await NewAsync();
        await pool.DisposeAsync();
        await ThrowsDaos(DaosError.Exists, () => VosPool.CreateAsync(medium, Options()).AsTask());
    }

    [Fact]
    public async Task A_damaged_record_is_refused_on_first_use_with_Corrupted_and_other_objects_stay_readable()
    {
        (SimulatedMedium medium, VosPool pool, VosContainer c) = await NewAsync();
        await c.UpdateAsync(Hashed, E(1), K("needle-dkey"), A, K("value"));
        await c.UpdateAsync(Lexical, E(1), D, A, K("intact"));
        await pool.CheckpointAsync();
        await pool.DisposeAsync();
        string heapFile = UmemHeap.HeapFileName(VosPool.FileBaseName);
        byte[] image = medium.ReadDurable(heapFile);
        int at = image.AsSpan().IndexOf("needle-dkey"u8);
        Assert.True(at > 0, "the record was not checkpointed into the heap file");
        Assert.Equal(RecordFormat.RecordMagic, BinaryPrimitives.ReadUInt32LittleEndian(image.AsSpan(at - RecordFormat.HeaderBytes)));
        foreach ((int offset, int bit) in new[] { (at + 3, 2), (at - RecordFormat.HeaderBytes + RecordFormat.DkeyLengthAt + 1, 7) })
        {
            medium.FlipBit(heapFile, offset, bit);
            await using (VosPool damaged = await VosPool.OpenAsync(medium, null))
            {
                VosContainer opened = await damaged.OpenContainerAsync(ContainerId);
                Assert.Equal(0, opened.RecordsLoaded);
                await ThrowsDaos(DaosError.Corrupted, () => opened.FetchAsync(Hashed, E(9), K("needle-dkey"), A).AsTask());
                await ThrowsDaos(DaosError.Corrupted, () => opened.UpdateAsync(Hashed, E(9), K("needle-dkey"), A, K("other")).AsTask());
                Assert.Equal(K("intact").ToArray(), await opened.FetchAsync(Lexical, E(9), D, A));
            }

            medium.FlipBit(heapFile, offset, bit);
        }
    }

    [Fact]
    public async Task A_full_pool_answers_NoSpace_stays_readable_and_writes_again_after_aggregation()
    {
        (_, VosPool pool, VosContainer c) = await NewAsync(Options(heapBytes: 512 * 1024, blobBytes: 64 * 4096));
        ulong epoch = 0;
        int written = 0;
        DaosException? full = null;
        while (full is null)
        {
            epoch++;
            try
            {
                await c.UpdateAsync(Hashed, E(epoch), K($"d{epoch % 8}"), A, Bytes(60, (int)epoch));
                written++;
            }
            catch (DaosException e)
            {
                full = e;
            }
        }

        Assert.Equal(DaosError.NoSpace, full.Error);
        Assert.True(written > 100, $"only {written} updates fit");
        VosSpace space = pool.QuerySpace();
        long records = c.RecordCount;
        await ThrowsDaos(DaosError.NoSpace, () => c.UpdateAsync(Hashed, E(epoch), K("new"), A, Bytes(60, 1)).AsTask());
        Assert.Equal(space, pool.QuerySpace());
        Assert.Equal(records, c.RecordCount);
        Assert.Equal(Bytes(60, (int)epoch - 1), await c.FetchAsync(Hashed, E(epoch), K($"d{(epoch - 1) % 8}"), A));

        // The blob store fills on its own and answers NoSpace too.
        await ThrowsDaos(DaosError.NoSpace, () => c.UpdateAsync(Hashed, E(epoch), K("big"), A, new byte[65 * 4096]).AsTask());

        await c.AggregateAsync(E(epoch));
        Assert.True(pool.QuerySpace().HeapUsedBytes < space.HeapUsedBytes, "aggregation freed nothing");
        for (int i = 0; i < 50; i++)
        {
            await c.UpdateAsync(Hashed, E(epoch + 1), K($"after{i}"), A, Bytes(60, i));
        }

        Assert.Equal(Bytes(60, 49), await c.FetchAsync(Hashed, E(epoch + 1), K("after49"), A));
        await pool.DisposeAsync();
    }
}

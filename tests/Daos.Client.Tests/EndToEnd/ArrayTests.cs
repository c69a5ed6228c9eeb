using Daos.Client.Arrays;
using static Daos.Client.Tests.EndToEnd.ClusterFixture;

namespace Daos.Client.Tests.EndToEnd;

[Collection(SharedCluster.Name)]
public sealed class ArrayTests(ClusterFixture fixture)
{
    [Fact]
    public async Task An_array_spans_chunks_and_reads_holes_as_zeros_up_to_its_size()
    {
        await using DaosContainer container = await fixture.NewContainerAsync();
        ObjectId oid = await container.AllocateObjectIdAsync(ObjectType.ByteArray);
        await using DaosArray array = await container.CreateArrayAsync(oid, 1, 1000);
        byte[] data = Enumerable.Range(0, 2500).Select(i => (byte)(i % 251 + 1)).ToArray();

        await array.WriteAsync(1500, data);
        byte[] buffer = Enumerable.Repeat((byte)0xEE, 5000).ToArray();
        int read = await array.ReadAsync(0, buffer);

        Assert.Equal(4000, read);
        Assert.Equal(4000L, await array.GetSizeAsync());
        Assert.All(buffer[..1500], b => Assert.Equal(0, b));
        Assert.True(buffer.AsSpan(1500, 2500).SequenceEqual(data));
        Assert.Equal(0, await array.ReadAsync(4000, new byte[10]));
        DaosObject raw = container.OpenObject(oid);
        Assert.Equal([0UL, 2UL, 3UL, 4UL], (await ToListAsync(raw.ListDkeysAsync())).Select(k => BitConverter.ToUInt64(k)).Order());
        Assert.Equal(ArrayChunkMap.EncodeMetadata(1, 1000), await raw.GetAsync(new byte[8], Bytes("0")));
    }

    [Fact]
    public async Task Create_open_size_changes_and_destroy()
    {
        await using DaosContainer container = await fixture.NewContainerAsync();
        ObjectId oid = await container.AllocateObjectIdAsync(ObjectType.Array, ObjectClass.S2);
        DaosArray created = await container.CreateArrayAsync(oid, 4, 256);
        await created.WriteAsync(0, new byte[4 * 1000].Select((_, i) => (byte)i).ToArray());

        DaosArray opened = await container.OpenArrayAsync(oid);
        Assert.Equal((4, 256L), (opened.CellSize, opened.ChunkSize));
        Assert.Equal(4000L, await opened.GetSizeAsync());

        await opened.SetSizeAsync(4 * 300);
        Assert.Equal(1200L, await opened.GetSizeAsync());
        byte[] tail = new byte[8];
        Assert.Equal(0, await opened.ReadAsync(1200, tail));

        await opened.SetSizeAsync(4 * 5000);
        Assert.Equal(20000L, await opened.GetSizeAsync());
        byte[] grown = Enumerable.Repeat((byte)0xEE, 4 * 10).ToArray();
        Assert.Equal(40, await opened.ReadAsync(4 * 4990, grown));
        Assert.All(grown, b => Assert.Equal(0, b));

        await opened.SetSizeAsync(0);
        Assert.Equal(0L, await opened.GetSizeAsync());

        Assert.Equal(DaosError.Exists, await ErrorOf(() => container.CreateArrayAsync(oid, 4, 256).AsTask()));
        await opened.DestroyAsync();
        Assert.Equal(DaosError.NonExistent, await ErrorOf(() => container.OpenArrayAsync(oid).AsTask()));
        ObjectId kvId = await container.AllocateObjectIdAsync(ObjectType.KeyValue);
        Assert.Equal(DaosError.InvalidArgument, await ErrorOf(() => container.CreateArrayAsync(kvId, 1, 16).AsTask()));
    }

    [Fact]
    public async Task The_stream_adapter_reads_writes_seeks_and_truncates()
    {
        await using DaosContainer container = await fixture.NewContainerAsync();
        DaosArray array = await container.CreateArrayAsync(await container.AllocateObjectIdAsync(ObjectType.ByteArray), 1, 4096);
        await using Stream stream = array.AsStream();
        byte[] payload = new byte[100_000];
        new Random(3).NextBytes(payload);

        await stream.WriteAsync(payload);
        Assert.Equal((100_000L, 100_000L), (stream.Length, stream.Position));
        stream.Seek(-1000, SeekOrigin.End);
        byte[] last = new byte[2000];
        Assert.Equal(1000, await stream.ReadAsync(last));
        Assert.True(last.AsSpan(0, 1000).SequenceEqual(payload.AsSpan(99_000)));

        stream.Position = 200_000;
        stream.WriteByte(7);
        stream.Position = 150_000;
        byte[] hole = new byte[10];
        Assert.Equal(10, stream.Read(hole));
        Assert.All(hole, b => Assert.Equal(0, b));

        stream.SetLength(50_000);
        Assert.Equal((50_000L, 50_000L), (stream.Length, stream.Position));
        stream.Position = 0;
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        Assert.True(copy.ToArray().AsSpan().SequenceEqual(payload.AsSpan(0, 50_000)));
    }
}

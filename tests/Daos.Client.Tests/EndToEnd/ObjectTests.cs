using static Daos.Client.Tests.EndToEnd.ClusterFixture;

namespace Daos.Client.Tests.EndToEnd;

[Collection(SharedCluster.Name)]
public sealed class ObjectTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Single_values_are_put_and_got_and_absent_ones_read_as_null()
    {
        await using DaosContainer container = await fixture.NewContainerAsync();
        DaosObject obj = container.OpenObject(await container.AllocateObjectIdAsync(ObjectType.MultiHashed, ObjectClass.S2));

        await obj.PutAsync("dkey", "akey", Bytes("first"));
        await obj.PutAsync("dkey", "akey", Bytes("second"));
        await obj.PutAsync(Bytes("binary\0dkey"), new byte[] { 0, 1, 2 }, new byte[] { 9 });

        Assert.Equal("second", Text(await obj.GetAsync("dkey", "akey")));
        Assert.Equal(new byte[] { 9 }, await obj.GetAsync(Bytes("binary\0dkey"), new byte[] { 0, 1, 2 }));
        Assert.Null(await obj.GetAsync("dkey", "other"));
        Assert.Null(await obj.GetAsync("other", "akey"));
        Assert.Equal(DaosError.InvalidArgument, await ErrorOf(() => obj.PutAsync("dkey", "empty", ReadOnlyMemory<byte>.Empty).AsTask()));
    }

    [Fact]
    public async Task Array_records_are_written_and_read_with_holes_left_untouched()
    {
        await using DaosContainer container = await fixture.NewContainerAsync();
        DaosObject obj = container.OpenObject(await container.AllocateObjectIdAsync(ObjectType.MultiHashed));
        await obj.WriteAsync("d", "a", 10, Enumerable.Range(0, 40).Select(i => (byte)i).ToArray(), recordSize: 4);
        await obj.WriteAsync("d", "a", 30, Enumerable.Repeat((byte)0xAB, 8).ToArray(), recordSize: 4);

        byte[] buffer = Enumerable.Repeat((byte)0xEE, 4 * 40).ToArray();
        ArrayReadResult result = await obj.ReadAsync("d", "a", 0, buffer, recordSize: 4);

        // As VOS: holes after the last visible record are implied by Length, not listed.
        Assert.Equal([new Extent(0, 10), new Extent(20, 10)], result.Holes);
        Assert.Equal(4 * 32, result.Length);
        Assert.All(buffer[..40], b => Assert.Equal(0xEE, b));
        Assert.Equal(Enumerable.Range(0, 40).Select(i => (byte)i), buffer[40..80]);
        Assert.Equal(Enumerable.Repeat((byte)0xAB, 8), buffer[120..128]);
        Assert.Equal([new Extent(10, 10), new Extent(30, 2)], await ToListAsync(obj.ListExtentsAsync("d", "a")));
        Assert.Equal(31L, await obj.QueryMaxIndexAsync(Bytes("d"), Bytes("a")));
        Assert.Null(await obj.QueryMaxIndexAsync(Bytes("d"), Bytes("none")));
    }

    [Fact]
    public async Task Large_array_io_is_split_into_many_requests_and_reassembled()
    {
        await using DaosContainer container = await fixture.NewContainerAsync();
        DaosObject obj = container.OpenObject(await container.AllocateObjectIdAsync(ObjectType.MultiHashed));
        byte[] data = new byte[3 * 1024 * 1024 + 12345];
        new Random(5).NextBytes(data);

        await obj.WriteAsync("big", "blob", 7, data);
        byte[] back = new byte[data.Length];
        ArrayReadResult read = await obj.ReadAsync("big", "blob", 7, back);

        Assert.Equal(data.Length, read.Length);
        Assert.Empty(read.Holes);
        Assert.True(back.AsSpan().SequenceEqual(data));
    }

    [Fact]
    public async Task Several_akeys_travel_in_one_update_and_one_fetch()
    {
        await using DaosContainer container = await fixture.NewContainerAsync();
        DaosObject obj = container.OpenObject(await container.AllocateObjectIdAsync(ObjectType.MultiHashed));

        await obj.UpdateAsync("user:1", [
            IoDescriptor.Single("name", Bytes("Ada")),
            IoDescriptor.Single("born", Bytes("1815")),
            IoDescriptor.Array("log", 0, Bytes("abcdef")),
        ]);
        IReadOnlyList<IoResult> results = await obj.FetchAsync("user:1", [
            IoDescriptor.Single("born"),
            IoDescriptor.ArrayRange("log", 2, 10),
            IoDescriptor.Single("missing"),
            IoDescriptor.Single("name"),
        ]);

        Assert.Equal("1815", Text(results[0].Value));
        Assert.Equal((IoKind.Array, 4), (results[1].Kind, results[1].Length));
        Assert.Equal("cdef", Text(results[1].Value![..4]));
        Assert.Empty(results[1].Holes); // records 6..11 lie after the last visible one: implied by Length
        Assert.Null(results[2].Value);
        Assert.Equal("Ada", Text(results[3].Value));
        Assert.Equal(["born", "log", "name"], (await ToListAsync(obj.ListAkeysAsync("user:1"))).Select(Text).Order());
        Assert.Equal(DaosError.InvalidArgument, await ErrorOf(() => obj.UpdateAsync("user:1", [IoDescriptor.Single("x", Bytes("1")), IoDescriptor.Single("x", Bytes("2"))]).AsTask()));
        Assert.Equal(DaosError.InvalidArgument, await ErrorOf(() => obj.UpdateAsync("user:1", [IoDescriptor.Single("x")]).AsTask()));
        Assert.Equal(DaosError.InvalidArgument, await ErrorOf(() => obj.FetchAsync("user:1", []).AsTask()));
    }

    [Fact]
    public async Task Punches_remove_objects_dkeys_akeys_and_extents()
    {
        await using DaosContainer container = await fixture.NewContainerAsync();
        DaosObject obj = container.OpenObject(await container.AllocateObjectIdAsync(ObjectType.MultiHashed, ObjectClass.S4));
        for (int d = 0; d < 20; d++)
        {
            await obj.UpdateAsync($"d{d}", [IoDescriptor.Single("a", Bytes($"v{d}")), IoDescriptor.Single("b", Bytes("w")), IoDescriptor.Array("r", 0, new byte[100])]);
        }

        await obj.PunchDkeyAsync("d3");
        await obj.PunchAkeyAsync("d4", "a");
        await obj.PunchExtentsAsync("d5", "r", new Extent(10, 80));

        Assert.Null(await obj.GetAsync("d3", "a"));
        Assert.Null(await obj.GetAsync("d4", "a"));
        Assert.Equal("w", Text(await obj.GetAsync("d4", "b")));
        Assert.Equal([new Extent(0, 10), new Extent(90, 10)], await ToListAsync(obj.ListExtentsAsync("d5", "r")));
        List<string> dkeys = (await ToListAsync(obj.ListDkeysAsync())).Select(Text).ToList();
        Assert.Equal(19, dkeys.Count);
        Assert.DoesNotContain("d3", dkeys);

        await obj.PunchAsync();

        Assert.Empty(await ToListAsync(obj.ListDkeysAsync()));
        Assert.Null(await obj.GetAsync("d0", "a"));
    }

    [Fact]
    public async Task Conditional_writes_insert_only_and_update_only()
    {
        await using DaosContainer container = await fixture.NewContainerAsync();
        DaosObject obj = container.OpenObject(await container.AllocateObjectIdAsync(ObjectType.MultiHashed));
        var insert = new WriteOptions { Condition = WriteCondition.InsertOnly };
        var update = new WriteOptions { Condition = WriteCondition.UpdateOnly };

        Assert.Equal(DaosError.NonExistent, await ErrorOf(() => obj.PutAsync("d", "a", Bytes("x"), update).AsTask()));
        await obj.PutAsync("d", "a", Bytes("first"), insert);
        Assert.Equal(DaosError.Exists, await ErrorOf(() => obj.PutAsync("d", "a", Bytes("again"), insert).AsTask()));
        await obj.PutAsync("d", "a", Bytes("second"), update);

        Assert.Equal("second", Text(await obj.GetAsync("d", "a")));
    }

    [Fact]
    public async Task Keys_and_values_over_the_limits_are_refused_before_sending()
    {
        await using DaosContainer container = await fixture.NewContainerAsync();
        DaosObject obj = container.OpenObject(await container.AllocateObjectIdAsync(ObjectType.MultiHashed));

        Assert.Equal(DaosError.KeyTooBig, await ErrorOf(() => obj.PutAsync(new byte[4097], Bytes("a"), Bytes("v")).AsTask()));
        Assert.Equal(DaosError.KeyTooBig, await ErrorOf(() => obj.GetAsync(Bytes("d"), new byte[5000]).AsTask()));
        Assert.Equal(DaosError.InvalidArgument, await ErrorOf(() => obj.PutAsync(ReadOnlyMemory<byte>.Empty, Bytes("a"), Bytes("v")).AsTask()));
        Assert.Equal(DaosError.RecordTooBig, await ErrorOf(() => obj.PutAsync("d", "a", new byte[(1 << 20) + 1]).AsTask()));
        Assert.Equal(DaosError.InvalidArgument, await ErrorOf(() => obj.WriteAsync("d", "a", -1, new byte[4]).AsTask()));
        Assert.Equal(DaosError.InvalidArgument, await ErrorOf(() => obj.WriteAsync("d", "a", 0, new byte[5], recordSize: 4).AsTask()));
        await obj.PutAsync(new byte[4096], Bytes("a"), new byte[1 << 20]);
        Assert.Equal(1 << 20, (await obj.GetAsync(new byte[4096], Bytes("a")))!.Length);
    }

    [Fact]
    public async Task A_thousand_operations_in_flight_all_complete()
    {
        await using DaosContainer container = await fixture.NewContainerAsync();
        DaosObject obj = container.OpenObject(await container.AllocateObjectIdAsync(ObjectType.MultiHashed, ObjectClass.S4));

        await Task.WhenAll(Enumerable.Range(0, 1000).Select(i => obj.PutAsync($"d{i % 97}", $"a{i}", Bytes($"v{i}")).AsTask()));
        byte[]?[] values = await Task.WhenAll(Enumerable.Range(0, 1000).Select(i => obj.GetAsync($"d{i % 97}", $"a{i}").AsTask()));

        Assert.Equal(Enumerable.Range(0, 1000).Select(i => $"v{i}"), values.Select(Text));
        Assert.Equal(97, (await ToListAsync(obj.ListDkeysAsync())).Count);
    }

    [Fact]
    public async Task Listing_pages_through_many_keys()
    {
        await using DaosContainer container = await fixture.NewContainerAsync();
        DaosObject obj = container.OpenObject(await container.AllocateObjectIdAsync(ObjectType.MultiHashed, ObjectClass.S1));
        await Task.WhenAll(Enumerable.Range(0, 2500).Select(i => obj.PutAsync($"d{i:D5}", "a", Bytes("v")).AsTask()));
        await Task.WhenAll(Enumerable.Range(0, 1500).Select(i => obj.PutAsync("one", $"a{i:D5}", Bytes("v")).AsTask()));

        List<string> dkeys = (await ToListAsync(obj.ListDkeysAsync())).Select(Text).ToList();
        List<string> akeys = (await ToListAsync(obj.ListAkeysAsync("one"))).Select(Text).ToList();

        Assert.Equal(2501, dkeys.Distinct().Count());
        Assert.Equal(1500, akeys.Distinct().Count());
    }
}

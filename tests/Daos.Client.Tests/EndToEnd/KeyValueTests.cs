using static Daos.Client.Tests.EndToEnd.ClusterFixture;

namespace Daos.Client.Tests.EndToEnd;

[Collection(SharedCluster.Name)]
public sealed class KeyValueTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Keys_are_put_got_listed_and_removed()
    {
        await using DaosContainer container = await fixture.NewContainerAsync();
        DaosKeyValue kv = container.OpenKeyValue(await container.AllocateObjectIdAsync(ObjectType.KeyValue));

        for (int i = 0; i < 50; i++)
        {
            await kv.PutAsync($"key{i}", Bytes($"value{i}"));
        }

        await kv.PutAsync("key7", Bytes("changed"));
        await kv.RemoveAsync("key8");
        await kv.RemoveAsync("never-there");

        Assert.Equal("value3", Text(await kv.GetAsync("key3")));
        Assert.Equal("changed", Text(await kv.GetAsync("key7")));
        Assert.Null(await kv.GetAsync("key8"));
        List<string> keys = (await ToListAsync(kv.ListKeysAsync())).Select(Text).ToList();
        Assert.Equal(49, keys.Count);
        Assert.Equal(Enumerable.Range(0, 50).Where(i => i != 8).Select(i => $"key{i}").Order(), keys.Order());
    }

    [Fact]
    public async Task A_key_value_object_is_a_dkey_per_key_with_the_akey_zero()
    {
        await using DaosContainer container = await fixture.NewContainerAsync();
        ObjectId oid = await container.AllocateObjectIdAsync(ObjectType.KeyValue);
        await container.OpenKeyValue(oid).PutAsync("name", Bytes("Ada"));

        DaosObject raw = container.OpenObject(oid);

        Assert.Equal("Ada", Text(await raw.GetAsync("name", "0")));
        Assert.Equal(["0"], (await ToListAsync(raw.ListAkeysAsync("name"))).Select(Text));
    }
}

using static Daos.Client.Tests.EndToEnd.ClusterFixture;

namespace Daos.Client.Tests.EndToEnd;

[Collection(SharedCluster.Name)]
public sealed class ContainerTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Object_ids_are_unique_across_handles_and_carry_type_and_class()
    {
        await using DaosContainer first = await fixture.NewContainerAsync();
        await using DaosContainer second = await fixture.Pool.OpenContainerAsync(first.Uuid.ToString());
        var ids = new HashSet<ObjectId>();

        for (int i = 0; i < 300; i++)
        {
            Assert.True(ids.Add(await first.AllocateObjectIdAsync(ObjectType.MultiHashed, ObjectClass.S1)));
            Assert.True(ids.Add(await second.AllocateObjectIdAsync(ObjectType.KeyValue, ObjectClass.S2)));
        }

        ObjectId kv = await first.AllocateObjectIdAsync(ObjectType.KeyValue);
        Assert.Equal(ObjectType.KeyValue, kv.Type);
        Assert.Equal(1, kv.Class.GroupSize);
        Assert.InRange(kv.Class.GroupCount, 1, 6);
        Assert.False(kv.Class.IsMaxGroups);
        ObjectId plain = await first.AllocateObjectIdAsync(ObjectType.MultiHashed);
        Assert.Equal(ObjectClass.S1, plain.Class);
    }

    [Fact]
    public async Task The_container_class_property_is_the_default_class()
    {
        await using DaosContainer container = await fixture.NewContainerAsync(new ContainerProperties { ObjectClass = ObjectClass.S2 });

        ObjectId oid = await container.AllocateObjectIdAsync(ObjectType.MultiHashed);

        Assert.Equal(ObjectClass.S2, oid.Class);
    }

    [Fact]
    public async Task Classes_that_do_not_fit_the_pool_or_have_redundancy_are_refused()
    {
        await using DaosContainer container = await fixture.NewContainerAsync();

        Assert.Equal(DaosError.InvalidArgument, await ErrorOf(() => container.AllocateObjectIdAsync(ObjectType.MultiHashed, ObjectClass.Parse("S32")).AsTask()));
        Assert.Equal(DaosError.Unsupported, await ErrorOf(() => container.AllocateObjectIdAsync(ObjectType.MultiHashed, ObjectClass.RP_2G1).AsTask()));
        DaosObject tooWide = container.OpenObject(ObjectId.Create(ObjectType.MultiHashed, ObjectClass.Parse("S32"), 1));
        Assert.Equal(DaosError.InvalidArgument, await ErrorOf(() => tooWide.PutAsync("d", "a", Bytes("v")).AsTask()));
    }

    [Fact]
    public async Task Snapshots_are_created_listed_read_at_and_destroyed()
    {
        await using DaosContainer container = await fixture.NewContainerAsync();
        DaosKeyValue kv = container.OpenKeyValue(await container.AllocateObjectIdAsync(ObjectType.KeyValue));
        await kv.PutAsync("k", Bytes("one"));
        Epoch first = await container.CreateSnapshotAsync("first");
        await kv.PutAsync("k", Bytes("two"));
        await kv.PutAsync("new", Bytes("later"));
        Epoch second = await container.CreateSnapshotAsync();
        await kv.RemoveAsync("k");

        Assert.True(first < second);
        Assert.Equal([new SnapshotInfo(first, "first"), new SnapshotInfo(second, null)], await ToListAsync(container.ListSnapshotsAsync()));
        Assert.Equal("one", Text(await kv.GetAsync("k", new ReadOptions { Snapshot = first })));
        Assert.Null(await kv.GetAsync("new", new ReadOptions { Snapshot = first }));
        Assert.Equal("two", Text(await kv.GetAsync("k", new ReadOptions { Snapshot = second })));
        Assert.Null(await kv.GetAsync("k"));
        Assert.Equal(["k"], (await ToListAsync(kv.ListKeysAsync(new ReadOptions { Snapshot = first }))).Select(Text));

        await container.DestroySnapshotAsync(first);

        Assert.Equal([new SnapshotInfo(second, null)], await ToListAsync(container.ListSnapshotsAsync()));
        Assert.Equal(DaosError.NonExistent, await ErrorOf(() => container.DestroySnapshotAsync(first).AsTask()));
    }

    [Fact]
    public async Task Properties_are_stored_and_changed_one_by_one()
    {
        await using DaosContainer container = await fixture.NewContainerAsync(new ContainerProperties
        {
            Type = ContainerType.Posix,
            Checksum = ChecksumType.Crc64,
            ChunkSize = 65536,
            ServerVerify = true,
            Acl = ["A::OWNER@:rwdtTaAo", "A:G:GROUP@:rwtT"],
        });

        ContainerProperties properties = await container.GetPropertiesAsync();
        Assert.Equal(container.Label, properties.Label);
        Assert.Equal((ContainerType.Posix, ChecksumType.Crc64, 65536L, true), (properties.Type, properties.Checksum, properties.ChunkSize, properties.ServerVerify));
        Assert.Equal(["A::OWNER@:rwdtTaAo", "A:G:GROUP@:rwtT"], properties.Acl);

        await container.SetPropertiesAsync(new ContainerProperties { Checksum = ChecksumType.Off, RedundancyFactor = 0 });

        ContainerProperties changed = await container.GetPropertiesAsync();
        Assert.Equal((ChecksumType.Off, 0, ContainerType.Posix), (changed.Checksum, changed.RedundancyFactor, changed.Type));
        Assert.Equal(DaosError.InvalidArgument, await ErrorOf(() => container.SetPropertiesAsync(new ContainerProperties { RedundancyFactor = 9 }).AsTask()));
    }

    [Fact]
    public async Task Attributes_are_set_read_listed_and_deleted()
    {
        await using DaosContainer container = await fixture.NewContainerAsync();
        await container.SetAttributeAsync("owner", Bytes("ada"));
        await container.SetAttributeAsync("purpose", Bytes("tests"));
        await container.SetAttributeAsync("owner", Bytes("grace"));

        Assert.Equal("grace", Text(await container.GetAttributeAsync("owner")));
        Assert.Null(await container.GetAttributeAsync("missing"));
        Assert.Equal(["owner", "purpose"], (await ToListAsync(container.ListAttributesAsync())).Order());

        await container.DeleteAttributeAsync("owner");

        Assert.Null(await container.GetAttributeAsync("owner"));
        Assert.Equal(["purpose"], await ToListAsync(container.ListAttributesAsync()));
        Assert.Equal(DaosError.InvalidArgument, await ErrorOf(() => container.SetAttributeAsync("", Bytes("x")).AsTask()));
    }

    [Fact]
    public async Task A_closed_container_handle_refuses_object_io_and_metadata_calls()
    {
        DaosContainer container = await fixture.NewContainerAsync();
        DaosObject obj = container.OpenObject(await container.AllocateObjectIdAsync(ObjectType.MultiHashed));
        await obj.PutAsync("d", "a", Bytes("v"));

        await container.DisposeAsync();

        Assert.Equal(DaosError.NoHandle, await ErrorOf(() => obj.GetAsync("d", "a").AsTask()));
        Assert.Equal(DaosError.NoHandle, await ErrorOf(() => obj.PutAsync("d", "a", Bytes("w")).AsTask()));
        Assert.Equal(DaosError.NoHandle, await ErrorOf(() => container.AllocateObjectIdAsync(ObjectType.MultiHashed).AsTask()));
        Assert.Equal(DaosError.NoHandle, await ErrorOf(() => container.GetPropertiesAsync().AsTask()));
        Assert.Equal(DaosError.NoHandle, Assert.Throws<DaosException>(() => container.OpenObject(obj.Id)).Error);
    }

    [Fact]
    public async Task A_read_only_container_handle_reads_but_does_not_write()
    {
        await using DaosContainer writer = await fixture.NewContainerAsync();
        ObjectId oid = await writer.AllocateObjectIdAsync(ObjectType.MultiHashed);
        await writer.OpenObject(oid).PutAsync("d", "a", Bytes("v"));
        await using DaosContainer reader = await fixture.Pool.OpenContainerAsync(writer.Label, ContainerAccess.ReadOnly);

        Assert.Equal("v", Text(await reader.OpenObject(oid).GetAsync("d", "a")));
        Assert.Equal(DaosError.NoPermission, await ErrorOf(() => reader.OpenObject(oid).PutAsync("d", "a", Bytes("w")).AsTask()));
        Assert.Equal(DaosError.NoPermission, await ErrorOf(() => reader.SetAttributeAsync("x", Bytes("y")).AsTask()));
    }

    [Fact]
    public async Task Containers_of_one_pool_are_not_found_through_another()
    {
        await using DaosContainer container = await fixture.NewContainerAsync();
        await fixture.Client.Admin.CreatePoolAsync("other-pool", new PoolCreateOptions { ScmSizeBytes = 16L << 20, NvmeSizeBytes = 16L << 20 });
        try
        {
            await using DaosPool other = await fixture.Client.ConnectPoolAsync("other-pool");
            Assert.Equal(DaosError.NonExistent, await ErrorOf(() => other.OpenContainerAsync(container.Label).AsTask()));
            Assert.Equal(DaosError.NonExistent, await ErrorOf(() => other.OpenContainerAsync(container.Uuid.ToString()).AsTask()));
        }
        finally
        {
            await fixture.Client.Admin.DestroyPoolAsync("other-pool", force: true);
        }
    }
}

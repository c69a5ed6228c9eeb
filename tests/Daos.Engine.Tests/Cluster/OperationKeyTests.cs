using Daos.Engine.Engine;
using Daos.Protocol;
using Daos.Protocol.Containers;
using Daos.Protocol.Pools;
using static Daos.Engine.Tests.Cluster.PoolFixture;

namespace Daos.Engine.Tests.Cluster;

/// <summary>
/// Duplicate-request detection of the container service: a request sent again with the operation key of one that
/// already took effect gets that first outcome (a recorded failure too) and changes nothing; outcomes age out per
/// client; the record is in RDB, so a new leader answers it the same way.
/// </summary>
public sealed class OperationKeyTests
{
    private static readonly Guid Client = new("5a5a5a5a-0000-4000-8000-000000000001");

    private static Task<EngineCluster> StartAsync(int engines) =>
        EngineCluster.StartAsync(engines, 1, rank => new SimulatedEngineStorage($"rank{rank}"));

    private static Task<ContainerAttributeReply> AttributeAsync(PoolFixture pool, AttributeOperation operation, string name, string? value, ulong sequence) =>
        pool.ServiceAsync<ContainerAttributeRequest, ContainerAttributeReply>(ProtocolOpcodes.ContainerAttribute,
            new ContainerAttributeRequest(pool.Location.Uuid, pool.ContainerHandle, operation, name, value is null ? default : Bytes(value),
                sequence == 0 ? OperationKey.None : new OperationKey(Client, sequence)));

    private static async Task<string?> GetAsync(PoolFixture pool, string name)
    {
        ContainerAttributeReply reply = await AttributeAsync(pool, AttributeOperation.Get, name, null, 0);
        return reply.Found ? System.Text.Encoding.UTF8.GetString(reply.Value.Span) : null;
    }

    [Fact]
    public async Task A_replayed_attribute_write_returns_its_first_outcome_and_is_not_applied_again()
    {
        await using EngineCluster cluster = await StartAsync(1);
        PoolFixture pool = await CreateAsync(cluster);

        await AttributeAsync(pool, AttributeOperation.Set, "a", "first", 1);
        await AttributeAsync(pool, AttributeOperation.Set, "a", "second", 2);
        ContainerAttributeReply replay = await AttributeAsync(pool, AttributeOperation.Set, "a", "first", 1);
        Assert.True(replay.Found);
        Assert.Equal("second", await GetAsync(pool, "a"));

        // A delete that succeeded, replayed after the attribute was set again, does not delete it.
        await AttributeAsync(pool, AttributeOperation.Delete, "a", null, 3);
        await AttributeAsync(pool, AttributeOperation.Set, "a", "third", 4);
        await AttributeAsync(pool, AttributeOperation.Delete, "a", null, 3);
        Assert.Equal("third", await GetAsync(pool, "a"));

        // Without a key (a version-2 client) a request is applied each time it arrives.
        await AttributeAsync(pool, AttributeOperation.Set, "b", "x", 0);
        await AttributeAsync(pool, AttributeOperation.Delete, "b", null, 0);
        Assert.Equal(DaosError.NonExistent, (await Assert.ThrowsAsync<DaosException>(() => AttributeAsync(pool, AttributeOperation.Delete, "b", null, 0))).Error);
    }

    [Fact]
    public async Task A_recorded_failure_is_answered_again_even_when_the_request_would_now_succeed()
    {
        await using EngineCluster cluster = await StartAsync(1);
        PoolFixture pool = await CreateAsync(cluster);

        DaosException first = await Assert.ThrowsAsync<DaosException>(() => AttributeAsync(pool, AttributeOperation.Delete, "x", null, 1));
        Assert.Equal(DaosError.NonExistent, first.Error);
        await AttributeAsync(pool, AttributeOperation.Set, "x", "present", 2);
        DaosException replay = await Assert.ThrowsAsync<DaosException>(() => AttributeAsync(pool, AttributeOperation.Delete, "x", null, 1));
        Assert.Equal(DaosError.NonExistent, replay.Error);
        Assert.Contains("no attribute 'x'", replay.Message, StringComparison.Ordinal);
        Assert.Equal("present", await GetAsync(pool, "x"));
    }

    [Fact]
    public async Task A_replayed_snapshot_create_returns_the_same_epoch_and_makes_one_snapshot()
    {
        await using EngineCluster cluster = await StartAsync(1);
        PoolFixture pool = await CreateAsync(cluster);
        Guid p = pool.Location.Uuid;
        var create = new ContainerSnapshotRequest(p, pool.ContainerHandle, SnapshotOperation.Create, "s", Epoch.Zero, new OperationKey(Client, 1));

        ContainerSnapshotReply first = await pool.ServiceAsync<ContainerSnapshotRequest, ContainerSnapshotReply>(ProtocolOpcodes.ContainerSnapshot, create);
        ContainerSnapshotReply again = await pool.ServiceAsync<ContainerSnapshotRequest, ContainerSnapshotReply>(ProtocolOpcodes.ContainerSnapshot, create);
        Assert.Equal(first.Snapshots[0].Epoch, again.Snapshots[0].Epoch);
        ContainerSnapshotReply listed = await pool.ServiceAsync<ContainerSnapshotRequest, ContainerSnapshotReply>(ProtocolOpcodes.ContainerSnapshot,
            new ContainerSnapshotRequest(p, pool.ContainerHandle, SnapshotOperation.List, "", Epoch.Zero));
        Assert.Equal(first.Snapshots[0].Epoch, Assert.Single(listed.Snapshots).Epoch);

        // A destroy replayed after a new snapshot was taken at another epoch still answers success and removes nothing more.
        var destroy = new ContainerSnapshotRequest(p, pool.ContainerHandle, SnapshotOperation.Destroy, "", first.Snapshots[0].Epoch, new OperationKey(Client, 2));
        await pool.ServiceAsync<ContainerSnapshotRequest, ContainerSnapshotReply>(ProtocolOpcodes.ContainerSnapshot, destroy);
        await pool.ServiceAsync<ContainerSnapshotRequest, ContainerSnapshotReply>(ProtocolOpcodes.ContainerSnapshot, destroy);
        listed = await pool.ServiceAsync<ContainerSnapshotRequest, ContainerSnapshotReply>(ProtocolOpcodes.ContainerSnapshot,
            new ContainerSnapshotRequest(p, pool.ContainerHandle, SnapshotOperation.List, "", Epoch.Zero));
        Assert.Empty(listed.Snapshots);
    }

    [Fact]
    public async Task Outcomes_age_out_per_client_and_an_aged_out_key_is_refused_not_applied()
    {
        await using EngineCluster cluster = await StartAsync(1);
        PoolFixture pool = await CreateAsync(cluster);
        ReplicatedService service = cluster.Engine(0).PoolOf(pool.Location.Uuid)!.Service!;
        service.OperationKeysPerClientMax = 4;

        for (ulong sequence = 1; sequence <= 10; sequence++)
        {
            await AttributeAsync(pool, AttributeOperation.Set, "n", sequence.ToString(System.Globalization.CultureInfo.InvariantCulture), sequence);
        }

        // Sequences 7..10 are kept (replays change nothing); 1..6 are forgotten and refused as uncertain.
        int kept = await service.ReadAsync(store => store.Iterate(ReplicatedService.OperationKeys.Append(Client.ToByteArray())).Count);
        Assert.Equal(4 + 1, kept); // four outcomes and the floor
        await AttributeAsync(pool, AttributeOperation.Set, "n", "7", 7);
        Assert.Equal("10", await GetAsync(pool, "n"));
        // Straight to the only replica: the test cluster's service helper would retry an uncertain outcome.
        DaosException aged = await Assert.ThrowsAsync<DaosException>(() => cluster.CallAsync<ContainerAttributeRequest, ContainerAttributeReply>(0,
            ProtocolOpcodes.ContainerAttribute, ProtocolTargets.System,
            new ContainerAttributeRequest(pool.Location.Uuid, pool.ContainerHandle, AttributeOperation.Set, "n", Bytes("6"), new OperationKey(Client, 6))));
        Assert.Equal(DaosError.TxUncertain, aged.Error);
        Assert.Equal("10", await GetAsync(pool, "n"));

        // Another client's table is its own.
        await pool.ServiceAsync<ContainerAttributeRequest, ContainerAttributeReply>(ProtocolOpcodes.ContainerAttribute,
            new ContainerAttributeRequest(pool.Location.Uuid, pool.ContainerHandle, AttributeOperation.Set, "n", Bytes("other"), new OperationKey(Guid.NewGuid(), 1)));
        Assert.Equal("other", await GetAsync(pool, "n"));
    }

    [Fact]
    public async Task A_new_leader_answers_a_retry_with_the_outcome_its_predecessor_recorded()
    {
        // Short call timeouts: after the kill, calls to the dead leader (from this test and between engines) fail soon.
        await using EngineCluster cluster = await EngineCluster.StartAsync(3, 1, rank => new SimulatedEngineStorage($"rank{rank}"),
            serviceCallTimeout: TimeSpan.FromSeconds(2));
        cluster.CallTimeout = TimeSpan.FromSeconds(3);
        PoolFixture pool = await CreateAsync(cluster);
        await AttributeAsync(pool, AttributeOperation.Set, "a", "first", 1);
        await AttributeAsync(pool, AttributeOperation.Set, "a", "second", 2);
        PoolInfoReply info = await pool.ServiceAsync<PoolHandleRequest, PoolInfoReply>(ProtocolOpcodes.PoolQuery, new PoolHandleRequest(pool.Location.Uuid, pool.PoolHandle));
        await cluster.StopEngineAsync(info.ServiceLeader, kill: true);

        await AttributeAsync(pool, AttributeOperation.Set, "a", "first", 1);
        Assert.Equal("second", await GetAsync(pool, "a"));
    }

    [Fact]
    public async Task A_replayed_container_destroy_does_not_destroy_a_new_container_of_the_same_label()
    {
        await using EngineCluster cluster = await StartAsync(1);
        PoolFixture pool = await CreateAsync(cluster);
        Guid p = pool.Location.Uuid;
        var destroy = new ContainerDestroyRequest(p, pool.PoolHandle, "cont1", true, new OperationKey(Client, 1));
        await pool.ServiceAsync<ContainerDestroyRequest, EmptyMessage>(ProtocolOpcodes.ContainerDestroy, destroy);
        Guid again = Guid.NewGuid();
        await pool.ServiceAsync<ContainerCreateRequest, ContainerInfoReply>(ProtocolOpcodes.ContainerCreate,
            new ContainerCreateRequest(p, pool.PoolHandle, again, [new ContainerProperty(ContainerPropertyId.Label, 0, "cont1")]));

        await pool.ServiceAsync<ContainerDestroyRequest, EmptyMessage>(ProtocolOpcodes.ContainerDestroy, destroy);
        ContainerListReply listed = await pool.ServiceAsync<PoolHandleRequest, ContainerListReply>(ProtocolOpcodes.ContainerList, new PoolHandleRequest(p, pool.PoolHandle));
        Assert.Equal(again, Assert.Single(listed.Containers).Uuid);

        // A refused destroy (Busy: a handle is open) is answered Busy again after the handle closed.
        Guid handle = Guid.NewGuid();
        await pool.ServiceAsync<ContainerOpenRequest, ContainerInfoReply>(ProtocolOpcodes.ContainerOpen,
            new ContainerOpenRequest(p, pool.PoolHandle, "cont1", handle, HandleAccess.ReadWrite));
        var busy = new ContainerDestroyRequest(p, pool.PoolHandle, "cont1", false, new OperationKey(Client, 2));
        Assert.Equal(DaosError.Busy, (await Assert.ThrowsAsync<DaosException>(() => pool.ServiceAsync<ContainerDestroyRequest, EmptyMessage>(ProtocolOpcodes.ContainerDestroy, busy))).Error);
        await pool.ServiceAsync<ContainerHandleRequest, EmptyMessage>(ProtocolOpcodes.ContainerClose, new ContainerHandleRequest(p, handle));
        Assert.Equal(DaosError.Busy, (await Assert.ThrowsAsync<DaosException>(() => pool.ServiceAsync<ContainerDestroyRequest, EmptyMessage>(ProtocolOpcodes.ContainerDestroy, busy))).Error);
        Assert.Single((await pool.ServiceAsync<PoolHandleRequest, ContainerListReply>(ProtocolOpcodes.ContainerList, new PoolHandleRequest(p, pool.PoolHandle))).Containers);
    }

    [Fact]
    public async Task A_replayed_property_change_returns_its_first_reply_and_does_not_undo_a_later_change()
    {
        await using EngineCluster cluster = await StartAsync(1);
        PoolFixture pool = await CreateAsync(cluster);
        Guid p = pool.Location.Uuid;
        var first = new ContainerSetPropertiesRequest(p, pool.ContainerHandle, [new ContainerProperty(ContainerPropertyId.RedundancyFactor, 1, "")], new OperationKey(Client, 1));
        ContainerInfoReply reply = await pool.ServiceAsync<ContainerSetPropertiesRequest, ContainerInfoReply>(ProtocolOpcodes.ContainerSetProperties, first);
        await pool.ServiceAsync<ContainerSetPropertiesRequest, ContainerInfoReply>(ProtocolOpcodes.ContainerSetProperties,
            new ContainerSetPropertiesRequest(p, pool.ContainerHandle, [new ContainerProperty(ContainerPropertyId.RedundancyFactor, 2, "")], new OperationKey(Client, 2)));

        ContainerInfoReply replay = await pool.ServiceAsync<ContainerSetPropertiesRequest, ContainerInfoReply>(ProtocolOpcodes.ContainerSetProperties, first);
        Assert.Equal(1UL, replay.Properties.Single(x => x.Id == ContainerPropertyId.RedundancyFactor).Number);
        Assert.Equal(ProtocolCodec.EncodeToArray(reply), ProtocolCodec.EncodeToArray(replay));
        ContainerInfoReply now = await pool.ServiceAsync<ContainerHandleRequest, ContainerInfoReply>(ProtocolOpcodes.ContainerQuery, new ContainerHandleRequest(p, pool.ContainerHandle));
        Assert.Equal(2UL, now.Properties.Single(x => x.Id == ContainerPropertyId.RedundancyFactor).Number);
    }
}

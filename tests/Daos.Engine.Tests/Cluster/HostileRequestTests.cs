using Daos.Protocol;
using Daos.Protocol.Objects;
using static Daos.Engine.Tests.Cluster.PoolFixture;

namespace Daos.Engine.Tests.Cluster;

/// <summary>Malformed bodies sent to a live engine are refused with a typed error and change nothing.</summary>
public sealed class HostileRequestTests
{
    private static readonly ushort[] Opcodes =
    [
        ProtocolOpcodes.ObjectUpdate, ProtocolOpcodes.ObjectFetch, ProtocolOpcodes.ObjectPunch, ProtocolOpcodes.ObjectList, ProtocolOpcodes.ObjectQueryMax,
        ProtocolOpcodes.SystemJoin, ProtocolOpcodes.SystemQuery, ProtocolOpcodes.PoolCreate, ProtocolOpcodes.PoolDestroy, ProtocolOpcodes.PoolList,
        ProtocolOpcodes.PoolLookup, ProtocolOpcodes.PoolShardCreate, ProtocolOpcodes.PoolShardDestroy, ProtocolOpcodes.PoolShardQuery,
        ProtocolOpcodes.PoolConnect, ProtocolOpcodes.PoolDisconnect, ProtocolOpcodes.PoolQuery, ProtocolOpcodes.ContainerCreate, ProtocolOpcodes.ContainerOpen,
        ProtocolOpcodes.ContainerClose, ProtocolOpcodes.ContainerDestroy, ProtocolOpcodes.ContainerList, ProtocolOpcodes.ContainerQuery,
        ProtocolOpcodes.ContainerSetProperties, ProtocolOpcodes.ContainerAttribute, ProtocolOpcodes.ContainerSnapshot, ProtocolOpcodes.ContainerAllocateOids,
        ProtocolOpcodes.ContainerHandleCheck, ProtocolOpcodes.ContainerShardEvent, ProtocolOpcodes.PoolMapChange, ProtocolOpcodes.PoolMapPublish,
        ProtocolOpcodes.PoolServiceMapChange, ProtocolOpcodes.PoolRejoin,
    ];

    [Fact]
    public async Task Garbage_and_truncated_bodies_get_protocol_errors_and_the_engine_keeps_serving()
    {
        await using EngineCluster cluster = await EngineCluster.StartAsync(1, 1, rank => new SimulatedEngineStorage($"rank{rank}"));
        PoolFixture pool = await CreateAsync(cluster);
        ObjectId oid = Oid(3);
        await pool.TargetAsync<ObjectUpdateRequest, EpochReply>(0, 0, ProtocolOpcodes.ObjectUpdate, new ObjectUpdateRequest(
            pool.Address(oid), Epoch.Zero, UpdateCondition.None, Bytes("d"), [new IodUpdate(Bytes("a"), IodKind.Single, 0, 0, Bytes("kept"))]));
        byte[] valid = ProtocolCodec.EncodeToArray(new ObjectUpdateRequest(pool.Address(oid), Epoch.Zero, UpdateCondition.None, Bytes("d"),
            [new IodUpdate(Bytes("a"), IodKind.Single, 0, 0, Bytes("overwritten"))]));

        const ulong seed = 20261121;
        var random = new DeterministicRandom(seed);
        foreach (ushort opcode in Opcodes)
        {
            uint target = opcode < ProtocolOpcodes.SystemJoin ? 0 : ProtocolTargets.System;
            for (int trial = 0; trial < 20; trial++)
            {
                byte[] body = new byte[random.Next(64)];
                random.NextBytes(body);
                if (body.Length > 0 && random.Chance(0.5))
                {
                    body[0] = ProtocolCodec.Version;
                }

                DaosError status = await cluster.SendRawAsync(0, opcode, target, body);
                Assert.True(status is DaosError.Protocol or DaosError.InvalidArgument or DaosError.NonExistent or DaosError.NoHandle,
                    $"seed {seed}: opcode 0x{opcode:x4} answered {status} to {Convert.ToHexString(body)}");
            }
        }

        for (int length = 0; length < valid.Length; length++)
        {
            Assert.Equal(DaosError.Protocol, await cluster.SendRawAsync(0, ProtocolOpcodes.ObjectUpdate, 0, valid[..length]));
        }

        ObjectFetchReply fetched = await pool.TargetAsync<ObjectFetchRequest, ObjectFetchReply>(0, 0, ProtocolOpcodes.ObjectFetch, new ObjectFetchRequest(
            pool.Address(oid), Epoch.Max, Bytes("d"), [new IodFetch(Bytes("a"), IodKind.Single, 0, 0, 0)]));
        Assert.Equal("kept", System.Text.Encoding.UTF8.GetString(fetched.Results[0].Data.Span));
    }
}

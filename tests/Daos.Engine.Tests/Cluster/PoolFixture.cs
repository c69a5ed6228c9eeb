using Daos.Protocol;
using Daos.Protocol.Containers;
using Daos.Protocol.Management;
using Daos.Protocol.Objects;
using Daos.Protocol.Pools;

namespace Daos.Engine.Tests.Cluster;

/// <summary>A pool connected and a container opened on an <see cref="EngineCluster"/>, with helpers for object I/O.</summary>
internal sealed record PoolFixture(EngineCluster Cluster, PoolLocation Location, Guid PoolHandle, Guid Container, Guid ContainerHandle, int MapVersion, int[] Ranks)
{
    public static async Task<PoolFixture> CreateAsync(EngineCluster cluster, string label = "pool1", string container = "cont1", int serviceReplicas = 0)
    {
        await cluster.CallServiceAsync<PoolCreateRequest, PoolInfoReply>([0], ProtocolOpcodes.PoolCreate, new PoolCreateRequest(label, 0, 0, [], serviceReplicas));
        PoolLocation location = await cluster.CallServiceAsync<PoolLookupRequest, PoolLocation>([0], ProtocolOpcodes.PoolLookup, new PoolLookupRequest(label));
        Guid poolHandle = Guid.NewGuid();
        PoolConnectReply connect = await cluster.CallServiceAsync<PoolConnectRequest, PoolConnectReply>(location.ServiceRanks, ProtocolOpcodes.PoolConnect,
            new PoolConnectRequest(location.Uuid, poolHandle, HandleAccess.ReadWrite, "tester"));
        Guid uuid = Guid.NewGuid();
        await cluster.CallServiceAsync<ContainerCreateRequest, ContainerInfoReply>(location.ServiceRanks, ProtocolOpcodes.ContainerCreate,
            new ContainerCreateRequest(location.Uuid, poolHandle, uuid, [new ContainerProperty(ContainerPropertyId.Label, 0, container)]));
        Guid handle = Guid.NewGuid();
        await cluster.CallServiceAsync<ContainerOpenRequest, ContainerInfoReply>(location.ServiceRanks, ProtocolOpcodes.ContainerOpen,
            new ContainerOpenRequest(location.Uuid, poolHandle, container, handle, HandleAccess.ReadWrite));
        int version = Placement.PoolMap.Deserialize(connect.PoolMap.Span).Version;
        return new PoolFixture(cluster, location, poolHandle, uuid, handle, version, [.. connect.Ranks]);
    }

    public ObjectAddress Address(ObjectId oid, Guid? handle = null, int? mapVersion = null) =>
        new(Location.Uuid, Container, handle ?? ContainerHandle, mapVersion ?? MapVersion, oid);

    public Task<TReply> ServiceAsync<TRequest, TReply>(ushort opcode, TRequest request)
        where TRequest : IProtocolMessage<TRequest>
        where TReply : IProtocolMessage<TReply> =>
        Cluster.CallServiceAsync<TRequest, TReply>(Location.ServiceRanks, opcode, request);

    /// <summary>Object I/O to target <paramref name="target"/> of pool-map rank <paramref name="mapRank"/>.</summary>
    public Task<TReply> TargetAsync<TRequest, TReply>(int mapRank, uint target, ushort opcode, TRequest request)
        where TRequest : IProtocolMessage<TRequest>
        where TReply : IProtocolMessage<TReply> =>
        Cluster.CallAsync<TRequest, TReply>(Ranks[mapRank], opcode, target, request);

    public static ObjectId Oid(ulong lo) => ObjectId.Create(ObjectType.MultiLexical, ObjectClass.S1, lo);

    public static ReadOnlyMemory<byte> Bytes(string text) => System.Text.Encoding.UTF8.GetBytes(text);
}

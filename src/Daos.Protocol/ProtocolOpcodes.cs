namespace Daos.Protocol;

/// <summary>
/// Opcodes of the client/engine protocol, by service. Object I/O goes to the rank that owns the target, addressed
/// to the target index; every other opcode goes to <see cref="ProtocolTargets.System"/>. Opcodes from
/// <see cref="PoolServiceRaftFirst"/> up are the Raft channels of pool service groups, one per pool.
/// </summary>
public static class ProtocolOpcodes
{
    /// <summary>Update single values and array extents of one dkey (<see cref="Objects.ObjectUpdateRequest"/>).</summary>
    public const ushort ObjectUpdate = 0x0200;

    /// <summary>Fetch single values and array extents of one dkey (<see cref="Objects.ObjectFetchRequest"/>).</summary>
    public const ushort ObjectFetch = 0x0201;

    /// <summary>Punch an object, dkey, akey or extents (<see cref="Objects.ObjectPunchRequest"/>).</summary>
    public const ushort ObjectPunch = 0x0202;

    /// <summary>List dkeys, akeys or extents a page at a time (<see cref="Objects.ObjectListRequest"/>).</summary>
    public const ushort ObjectList = 0x0203;

    /// <summary>Query the highest record index of an array akey (<see cref="Objects.ObjectQueryMaxRequest"/>).</summary>
    public const ushort ObjectQueryMax = 0x0204;

    /// <summary>An engine announces itself to the management service (<see cref="Management.SystemJoinRequest"/>).</summary>
    public const ushort SystemJoin = 0x0300;

    /// <summary>Ranks, addresses and states (an <see cref="EmptyMessage"/>, answered by <see cref="Management.SystemQueryReply"/>).</summary>
    public const ushort SystemQuery = 0x0301;

    /// <summary>Create a pool (<see cref="Management.PoolCreateRequest"/>).</summary>
    public const ushort PoolCreate = 0x0302;

    /// <summary>Destroy a pool (<see cref="Management.PoolDestroyRequest"/>).</summary>
    public const ushort PoolDestroy = 0x0303;

    /// <summary>List pools (an <see cref="EmptyMessage"/>, answered by <see cref="Management.PoolListReply"/>).</summary>
    public const ushort PoolList = 0x0304;

    /// <summary>Find a pool's uuid and service ranks by label or uuid (<see cref="Management.PoolLookupRequest"/>).</summary>
    public const ushort PoolLookup = 0x0305;

    /// <summary>Exclude, drain, reintegrate or extend a pool (<see cref="Management.PoolMapChangeRequest"/>, answered by <see cref="Pools.PoolInfoReply"/>).</summary>
    public const ushort PoolMapChange = 0x0306;

    /// <summary>Management to engine: create this rank's VOS shards of a pool (<see cref="Management.PoolShardCreateRequest"/>).</summary>
    public const ushort PoolShardCreate = 0x0310;

    /// <summary>Management to engine: destroy this rank's shards of a pool (<see cref="Management.PoolShardDestroyRequest"/>).</summary>
    public const ushort PoolShardDestroy = 0x0311;

    /// <summary>Pool service to engine: space used and free on this rank's targets (<see cref="Management.PoolShardQueryRequest"/>, answered by <see cref="Management.PoolSpace"/>).</summary>
    public const ushort PoolShardQuery = 0x0312;

    /// <summary>Pool service to engine: the pool's newest map and rank table (a <see cref="Management.PoolShardCreateRequest"/> carrying them), adopted if newer.</summary>
    public const ushort PoolMapPublish = 0x0313;

    /// <summary>Connect to a pool (<see cref="Pools.PoolConnectRequest"/>).</summary>
    public const ushort PoolConnect = 0x0400;

    /// <summary>Disconnect a pool handle (<see cref="Pools.PoolHandleRequest"/>).</summary>
    public const ushort PoolDisconnect = 0x0401;

    /// <summary>Query a pool (<see cref="Pools.PoolHandleRequest"/>, answered by <see cref="Pools.PoolInfoReply"/>).</summary>
    public const ushort PoolQuery = 0x0402;

    /// <summary>Management to pool service: apply a map change and publish it (<see cref="Management.PoolServiceMapChangeRequest"/>, answered by <see cref="Pools.PoolInfoReply"/>).</summary>
    public const ushort PoolServiceMapChange = 0x0403;

    /// <summary>
    /// Engine to pool service: the pool's current map and rank table and its containers, asked by an engine that
    /// (re)starts holding a shard of the pool (<see cref="Pools.PoolRejoinRequest"/>, answered by <see cref="Pools.PoolRejoinReply"/>).
    /// </summary>
    public const ushort PoolRejoin = 0x0404;

    /// <summary>Create a container (<see cref="Containers.ContainerCreateRequest"/>).</summary>
    public const ushort ContainerCreate = 0x0410;

    /// <summary>Open a container (<see cref="Containers.ContainerOpenRequest"/>).</summary>
    public const ushort ContainerOpen = 0x0411;

    /// <summary>Close a container handle (<see cref="Containers.ContainerHandleRequest"/>).</summary>
    public const ushort ContainerClose = 0x0412;

    /// <summary>Destroy a container (<see cref="Containers.ContainerDestroyRequest"/>).</summary>
    public const ushort ContainerDestroy = 0x0413;

    /// <summary>List containers (<see cref="Pools.PoolHandleRequest"/>, answered by <see cref="Containers.ContainerListReply"/>).</summary>
    public const ushort ContainerList = 0x0414;

    /// <summary>Query a container through an open handle (<see cref="Containers.ContainerHandleRequest"/>, answered by <see cref="Containers.ContainerInfoReply"/>).</summary>
    public const ushort ContainerQuery = 0x0415;

    /// <summary>Change container properties (<see cref="Containers.ContainerSetPropertiesRequest"/>).</summary>
    public const ushort ContainerSetProperties = 0x0416;

    /// <summary>Set, get, list or delete user attributes (<see cref="Containers.ContainerAttributeRequest"/>).</summary>
    public const ushort ContainerAttribute = 0x0417;

    /// <summary>Create, list or destroy snapshots (<see cref="Containers.ContainerSnapshotRequest"/>).</summary>
    public const ushort ContainerSnapshot = 0x0418;

    /// <summary>Allocate a range of object ids (<see cref="Containers.ContainerAllocateOidsRequest"/>).</summary>
    public const ushort ContainerAllocateOids = 0x0419;

    /// <summary>Engine to pool service: is this container handle open? (<see cref="Containers.ContainerHandleRequest"/>, answered by <see cref="Containers.ContainerHandleCheckReply"/>).</summary>
    public const ushort ContainerHandleCheck = 0x0420;

    /// <summary>Pool service to engines: a handle closed or a container was destroyed (<see cref="Containers.ContainerShardEventRequest"/>).</summary>
    public const ushort ContainerShardEvent = 0x0421;

    /// <summary>The Raft channel of the management service's RDB group.</summary>
    public const ushort ManagementRaft = 0x0500;

    /// <summary>The first Raft channel of a pool service group; the management service assigns one per pool.</summary>
    public const ushort PoolServiceRaftFirst = 0x1000;

    /// <summary>The last Raft channel a pool service group may use.</summary>
    public const ushort PoolServiceRaftLast = 0xFFF0;
}

using System.Buffers.Binary;
using System.Text;
using Daos.Engine.Engine;
using Daos.Engine.Rdb;
using Daos.Placement;
using Daos.Protocol;
using Daos.Protocol.Management;
using Daos.Protocol.Pools;
using Daos.Transport;

namespace Daos.Engine.Management;

/// <summary>
/// The management service: system membership (ranks, addresses, states) and the pool directory (label, uuid,
/// ranks, service replicas), in an RDB group on the management ranks (DAOS keeps these in the control plane's raft).
/// It creates and destroys pools by driving the engines: shards first, on every rank, rolled back everywhere if any
/// rank fails, then the pool record, then it waits for the new pool service to lead.
/// </summary>
/// <remarks>
/// RDB layout: <c>/members</c> (integer keys: rank → <see cref="SystemJoinRequest"/>), <c>/pools</c> (uuid → the
/// <see cref="PoolShardCreateRequest"/> the pool was created with), <c>/pool-labels</c> (label → uuid),
/// <c>/system</c> (<c>next-raft-opcode</c> → u16).
/// </remarks>
internal sealed class ManagementService : ReplicatedService
{
    private static readonly RdbPath Members = RdbPath.Root.Append("members");
    private static readonly RdbPath Pools = RdbPath.Root.Append("pools");
    private static readonly RdbPath PoolLabels = RdbPath.Root.Append("pool-labels");
    private static readonly RdbPath SystemKvs = RdbPath.Root.Append("system");
    private static readonly byte[] NextOpcodeKey = "next-raft-opcode"u8.ToArray();
    private readonly EngineContext _context;

    public ManagementService(RdbReplica replica, EngineContext context)
        : base(replica)
    {
        _context = context;
        replica.SteppedUp = term => _ = InitializeAsync();
    }

    public static RdbReplicaOptions ReplicaOptions(DaosEngineOptions options) => new()
    {
        GroupId = 0x4D474D54, // "MGMT"
        Raft = new Rdb.Raft.RaftOptions { ReplicaId = ReplicaIdOf(options.Rank), ElectionTicks = options.RaftElectionTicks, HeartbeatTicks = Math.Max(1, options.RaftElectionTicks / 10) },
        Addresses = options.ManagementReplicas.ToDictionary(p => ReplicaIdOf(p.Key), p => p.Value),
        InitialConfiguration = new Rdb.Raft.RaftConfiguration(options.ManagementReplicas.Keys.Select(ReplicaIdOf)),
        TickInterval = options.RaftTickInterval,
        RaftOpcode = ProtocolOpcodes.ManagementRaft,
        Target = ProtocolTargets.System,
    };

    public Task<EmptyMessage> JoinAsync(SystemJoinRequest join, CancellationToken cancellationToken) => SerializeAsync(async () =>
    {
        await EnsureInitializedAsync();
        var member = join.Member with { State = RankState.Joined };
        await WriteAsync(new RdbTransaction().Update(Members, RankKey(member.Rank), ProtocolCodec.EncodeToArray(new SystemJoinRequest(member))));
        return EmptyMessage.Instance;
    }, cancellationToken);

    public async Task<SystemQueryReply> QueryAsync()
    {
        await EnsureInitializedAsync();
        return new SystemQueryReply(_context.Options.SystemName, await ReadMembersAsync());
    }

    public async Task<PoolLocation> LookupAsync(string labelOrUuid)
    {
        await EnsureInitializedAsync();
        return ToLocation(await FindPoolAsync(labelOrUuid));
    }

    public async Task<PoolListReply> ListAsync()
    {
        await EnsureInitializedAsync();
        PoolShardCreateRequest[] pools = await ReadAsync(store =>
        {
            IReadOnlyList<RdbEntry> entries = store.Iterate(Pools);
            var result = new PoolShardCreateRequest[entries.Count];
            for (int i = 0; i < result.Length; i++)
            {
                result[i] = ProtocolCodec.Decode<PoolShardCreateRequest>(entries[i].Value.ToArray());
            }

            return result;
        });
        Array.Sort(pools, static (a, b) => string.CompareOrdinal(a.Label, b.Label));
        return new PoolListReply(pools.Select(ToLocation).ToArray());
    }

    public Task<PoolInfoReply> CreatePoolAsync(PoolCreateRequest create, CancellationToken cancellationToken) => SerializeAsync(async () =>
    {
        await EnsureInitializedAsync();
        Labels.Validate(create.Label, "pool");
        byte[] labelKey = Encoding.UTF8.GetBytes(create.Label);
        bool taken = await ReadAsync(store => store.Lookup(PoolLabels, labelKey, out _) == DaosError.None);
        if (taken)
        {
            throw new DaosException(DaosError.Exists, $"a pool labelled '{create.Label}' exists");
        }

        SystemMember[] members = await ReadMembersAsync();
        List<SystemMember> ranks = ChooseRanks(create, members);
        int targets = ranks[0].Targets;
        if (ranks.Exists(r => r.Targets != targets))
        {
            throw new DaosException(DaosError.InvalidArgument, "the chosen ranks run different numbers of targets");
        }

        Guid uuid = _context.NewUuid();
        int replicas = create.ServiceReplicas > 0 ? create.ServiceReplicas : (2 * _context.Options.ServiceRedundancyFactor) + 1;
        replicas = Math.Min(replicas, ranks.Count);
        if (replicas % 2 == 0)
        {
            replicas--;
        }

        byte[] uuidBytes = uuid.ToByteArray(bigEndian: true);
        int first = (int)(XxHash64.Hash(uuidBytes) % (ulong)ranks.Count);
        int[] serviceRanks = new int[replicas];
        for (int i = 0; i < replicas; i++)
        {
            serviceRanks[i] = ranks[(first + i) % ranks.Count].Rank;
        }

        ushort opcode = await ReserveRaftOpcodeAsync();
        PoolMap map = PoolMap.Create(ranks.Count, 1, targets);
        var record = new PoolShardCreateRequest(uuid, create.Label,
            SizeOf(create.ScmBytesPerTarget, _context.Options.ScmBytesPerTargetDefault, ScmBytesMin, "SCM"),
            SizeOf(create.NvmeBytesPerTarget, _context.Options.NvmeBytesPerTargetDefault, NvmeBytesMin, "NVMe"),
            map.Serialize().ToArray(), ranks.Select(r => new RankAddress(r.Rank, r.Address)).ToArray(), serviceRanks,
            XxHash64.Hash(uuidBytes, 0x504F4F4C) | 1, opcode);

        await CreateShardsAsync(record, cancellationToken);
        try
        {
            await WriteAsync(new RdbTransaction()
                .Update(Pools, uuidBytes, ProtocolCodec.EncodeToArray(record))
                .Update(PoolLabels, labelKey, uuidBytes));
            return await WaitForServiceAsync(record, cancellationToken);
        }
        catch (DaosException)
        {
            await DestroyShardsAsync(record, bestEffort: true);
            try
            {
                await WriteAsync(new RdbTransaction().Delete(Pools, uuidBytes).Delete(PoolLabels, labelKey));
            }
            catch (DaosException)
            {
                // The record may never have been written; the pool is gone from every engine either way.
            }

            throw;
        }
    }, cancellationToken);

    public Task<EmptyMessage> DestroyPoolAsync(PoolDestroyRequest destroy, CancellationToken cancellationToken) => SerializeAsync(async () =>
    {
        await EnsureInitializedAsync();
        PoolShardCreateRequest record = await FindPoolAsync(destroy.LabelOrUuid);
        if (!destroy.Force)
        {
            PoolInfoReply info = await _context.PoolServices.CallAsync<PoolHandleRequest, PoolInfoReply>(record, ProtocolOpcodes.PoolQuery,
                new PoolHandleRequest(record.Uuid, Guid.Empty), cancellationToken);
            if (info.Handles > 0)
            {
                throw new DaosException(DaosError.Busy, $"pool '{record.Label}' has {info.Handles} connected handles (destroy with force to evict them)");
            }
        }

        await DestroyShardsAsync(record, bestEffort: false);
        await WriteAsync(new RdbTransaction()
            .Delete(Pools, record.Uuid.ToByteArray(bigEndian: true))
            .Delete(PoolLabels, Encoding.UTF8.GetBytes(record.Label)));
        return EmptyMessage.Instance;
    }, cancellationToken);

    /// <summary>The smallest heap per target a pool may ask for (room for the VOS root and a 1 MiB WAL's worth of work).</summary>
    public const long ScmBytesMin = 1L << 20;

    /// <summary>The smallest blob per target (16 blocks).</summary>
    public const long NvmeBytesMin = 16 * 4096;

    /// <summary>Per-target size: the default for 0, rounded up to 4 KiB blocks, refused below the minimum.</summary>
    private static long SizeOf(long requested, long fallback, long minimum, string tier)
    {
        long size = requested > 0 ? requested : fallback;
        if (size < minimum || size > (1L << 40))
        {
            throw new DaosException(DaosError.InvalidArgument, $"{tier} size per target {size} is outside {minimum}..2^40 bytes");
        }

        return (size + 4095) / 4096 * 4096;
    }

    private static PoolLocation ToLocation(PoolShardCreateRequest record) =>
        new(record.Uuid, record.Label, record.Ranks.Select(r => r.Rank).ToArray(), record.ServiceRanks);

    private static byte[] RankKey(int rank)
    {
        byte[] key = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(key, (ulong)rank);
        return key;
    }

    private static List<SystemMember> ChooseRanks(PoolCreateRequest create, SystemMember[] members)
    {
        var ranks = new List<SystemMember>();
        if (create.Ranks.Count == 0)
        {
            ranks.AddRange(members.Where(m => m.State == RankState.Joined));
        }
        else
        {
            foreach (int rank in create.Ranks.Distinct())
            {
                int index = Array.FindIndex(members, m => m.Rank == rank);
                if (index < 0 || members[index].State != RankState.Joined)
                {
                    throw new DaosException(DaosError.NonExistent, $"rank {rank} is not a joined member of the system");
                }

                ranks.Add(members[index]);
            }
        }

        if (ranks.Count == 0)
        {
            throw new DaosException(DaosError.Unreachable, "no joined rank to create the pool on");
        }

        ranks.Sort(static (a, b) => a.Rank.CompareTo(b.Rank));
        return ranks;
    }

    private async Task<SystemMember[]> ReadMembersAsync() => await ReadAsync(store =>
    {
        IReadOnlyList<RdbEntry> entries = store.Iterate(Members);
        var members = new SystemMember[entries.Count];
        for (int i = 0; i < members.Length; i++)
        {
            members[i] = ProtocolCodec.Decode<SystemJoinRequest>(entries[i].Value.ToArray()).Member;
        }

        return members;
    });

    private async Task<PoolShardCreateRequest> FindPoolAsync(string labelOrUuid)
    {
        byte[]? record = await ReadAsync(store =>
        {
            ReadOnlyMemory<byte> uuid;
            if (Guid.TryParse(labelOrUuid, out Guid parsed))
            {
                uuid = parsed.ToByteArray(bigEndian: true);
            }
            else if (store.Lookup(PoolLabels, Encoding.UTF8.GetBytes(labelOrUuid), out uuid) != DaosError.None)
            {
                return null;
            }

            return store.Lookup(Pools, uuid.Span, out ReadOnlyMemory<byte> value) == DaosError.None ? value.ToArray() : null;
        });
        return record is null
            ? throw new DaosException(DaosError.NonExistent, $"no pool '{labelOrUuid}'")
            : ProtocolCodec.Decode<PoolShardCreateRequest>(record);
    }

    private async Task<ushort> ReserveRaftOpcodeAsync()
    {
        ushort next = await ReadAsync(store => store.Lookup(SystemKvs, NextOpcodeKey, out ReadOnlyMemory<byte> value) == DaosError.None
            ? BinaryPrimitives.ReadUInt16LittleEndian(value.Span)
            : ProtocolOpcodes.PoolServiceRaftFirst);
        if (next > ProtocolOpcodes.PoolServiceRaftLast)
        {
            throw new DaosException(DaosError.NoSpace, "every pool service channel has been used");
        }

        byte[] bumped = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(bumped, (ushort)(next + 1));
        await WriteAsync(new RdbTransaction().Update(SystemKvs, NextOpcodeKey, bumped));
        return next;
    }

    private async Task CreateShardsAsync(PoolShardCreateRequest record, CancellationToken cancellationToken)
    {
        Task<EmptyMessage>[] creates = record.Ranks
            .Select(r => _context.Calls.CallAsync<PoolShardCreateRequest, EmptyMessage>(TransportAddress.Parse(r.Address),
                ProtocolOpcodes.PoolShardCreate, ProtocolTargets.System, record, cancellationToken))
            .ToArray();
        try
        {
            await Task.WhenAll(creates);
        }
        catch (Exception) when (creates.Any(t => t.IsFaulted || t.IsCanceled))
        {
            // Nothing half-created: every rank deletes whatever it made (destroy is idempotent).
            await DestroyShardsAsync(record, bestEffort: true);
            Exception first = creates.First(t => t.IsFaulted || t.IsCanceled).Exception?.InnerException ?? new OperationCanceledException();
            if (first is DaosException daos)
            {
                throw new DaosException(daos.Error, $"pool create failed on a rank and was rolled back: {daos.Message}", daos);
            }

            throw;
        }
    }

    private async Task DestroyShardsAsync(PoolShardCreateRequest record, bool bestEffort)
    {
        Task<EmptyMessage>[] destroys = record.Ranks
            .Select(r => _context.Calls.CallAsync<PoolShardDestroyRequest, EmptyMessage>(TransportAddress.Parse(r.Address),
                ProtocolOpcodes.PoolShardDestroy, ProtocolTargets.System, new PoolShardDestroyRequest(record.Uuid)))
            .ToArray();
        try
        {
            await Task.WhenAll(destroys);
        }
        catch (Exception e) when (e is DaosException or OperationCanceledException)
        {
            if (!bestEffort)
            {
                throw new DaosException(DaosError.Unreachable, $"pool '{record.Label}' could not be destroyed on every rank: {e.Message}", e);
            }
        }
    }

    private async Task<PoolInfoReply> WaitForServiceAsync(PoolShardCreateRequest record, CancellationToken cancellationToken)
    {
        TimeProvider time = _context.Time;
        long deadline = time.GetTimestamp() + (long)(_context.Options.PoolServiceStartTimeout.TotalSeconds * time.TimestampFrequency);
        while (true)
        {
            try
            {
                return await _context.PoolServices.CallAsync<PoolHandleRequest, PoolInfoReply>(record, ProtocolOpcodes.PoolQuery,
                    new PoolHandleRequest(record.Uuid, Guid.Empty), cancellationToken);
            }
            catch (DaosException e) when (e.Error is DaosError.Unreachable or DaosError.NotLeader && time.GetTimestamp() < deadline)
            {
                // The service is still electing its first leader.
            }
        }
    }

    private async Task EnsureInitializedAsync()
    {
        if (!await ReadAsync(store => store.KvsExists(SystemKvs, out _)))
        {
            throw new NotLeaderException("the management service is starting", RankOf(Replica.Id));
        }
    }

    private async Task InitializeAsync()
    {
        RdbTransaction layout = new RdbTransaction()
            .CreateKvs(RdbPath.Root, "members"u8, RdbKvsClass.Integer)
            .CreateKvs(RdbPath.Root, "pools"u8, RdbKvsClass.Lexical)
            .CreateKvs(RdbPath.Root, "pool-labels"u8, RdbKvsClass.Lexical)
            .CreateKvs(RdbPath.Root, "system"u8, RdbKvsClass.Generic);
        await WriteLayoutAsync(layout, _context.Time, _context.Options.RaftTickInterval);
    }
}

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
    private static readonly RdbPath PoolCreates = RdbPath.Root.Append("pool-creates");
    private static readonly byte[] NextOpcodeKey = "next-raft-opcode"u8.ToArray();
    private readonly EngineContext _context;
    private readonly Dictionary<Guid, RunningCreate> _runningCreates = [];

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
        ScheduleRollBack(); // the rank may hold shards of a create that stopped midway while it was down
        return EmptyMessage.Instance;
    }, cancellationToken);

    /// <summary>Rolls back, in the background and in turn with other operations, creates left midway by an earlier leader.</summary>
    private void ScheduleRollBack() => _ = RollBackInBackgroundAsync();

    private async Task RollBackInBackgroundAsync()
    {
        try
        {
            await SerializeAsync(async () =>
            {
                await EnsureInitializedAsync();
                await RollBackPendingCreatesAsync(except: Guid.Empty);
                return true;
            }, CancellationToken.None);
        }
        catch (Exception e) when (e is DaosException or OperationCanceledException or ObjectDisposedException)
        {
            // No longer the leader, stopping, or a rank still unreachable: the intent stays for the next create,
            // destroy or join.
        }
    }

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

    /// <summary>
    /// Creates a pool, idempotently by uuid: a create naming the uuid of a recorded pool with the same label and
    /// options answers that pool (the retry of a create whose answer was lost); a different pool with that uuid or
    /// label is <see cref="DaosError.Exists"/>. Steps, each durable before the next: the intent (the record-to-be,
    /// in <c>/pool-creates</c>, with the Raft channel it reserves), the shards on every rank, then the record and
    /// label with the intent removed, in one transaction. Nothing else exists until the record does, and an intent
    /// left by a leader that stopped midway is either resumed (a retry with its uuid) or rolled back (its shards
    /// destroyed on every rank) by the next create, destroy or rank join. A retry of a create that is still running on
    /// this leader (the client gave up waiting for it and asked again with the same uuid and options) joins that run
    /// instead of queueing a second run behind it: under a lossy network a create can outlast the client's request
    /// timeout, and retries queued one behind another would each outlast it again.
    /// </summary>
    public Task<PoolInfoReply> CreatePoolAsync(PoolCreateRequest create, CancellationToken cancellationToken)
    {
        if (create.Uuid == Guid.Empty)
        {
            return CreatePoolOnceAsync(create, cancellationToken);
        }

        EnsureLeader();
        RunningCreate run;
        lock (_runningCreates)
        {
            if (!_runningCreates.TryGetValue(create.Uuid, out run) || !SameRequest(run.Request, create))
            {
                // The run belongs to no one caller: a caller that goes away must not cancel the others' create.
                run = new RunningCreate(create, CreatePoolOnceAsync(create, CancellationToken.None));
                if (!run.Completion.IsCompleted)
                {
                    _runningCreates[create.Uuid] = run;
                    _ = ForgetWhenDoneAsync(run);
                }
            }
        }

        return run.Completion.WaitAsync(cancellationToken);
    }

    private async Task ForgetWhenDoneAsync(RunningCreate run)
    {
        try
        {
            await run.Completion;
        }
        catch (Exception e) when (e is DaosException or OperationCanceledException)
        {
            // The callers see the error; this only unregisters the run.
        }
        finally
        {
            lock (_runningCreates)
            {
                if (_runningCreates.TryGetValue(run.Request.Uuid, out RunningCreate current) && ReferenceEquals(current.Completion, run.Completion))
                {
                    _runningCreates.Remove(run.Request.Uuid);
                }
            }
        }
    }

    private static bool SameRequest(PoolCreateRequest a, PoolCreateRequest b) =>
        a.Label == b.Label && a.ScmBytesPerTarget == b.ScmBytesPerTarget && a.NvmeBytesPerTarget == b.NvmeBytesPerTarget
        && a.ServiceReplicas == b.ServiceReplicas && a.Ranks.SequenceEqual(b.Ranks);

    private readonly record struct RunningCreate(PoolCreateRequest Request, Task<PoolInfoReply> Completion);

    private Task<PoolInfoReply> CreatePoolOnceAsync(PoolCreateRequest create, CancellationToken cancellationToken) => SerializeAsync(async () =>
    {
        await _context.StepReachedAsync(ServiceStep.PoolCreateStarted, create.Uuid);
        await EnsureInitializedAsync();
        Labels.Validate(create.Label, "pool");
        Guid uuid = create.Uuid == Guid.Empty ? _context.NewUuid() : create.Uuid;
        byte[] uuidBytes = uuid.ToByteArray(bigEndian: true);
        byte[] labelKey = Encoding.UTF8.GetBytes(create.Label);
        long scm = SizeOf(create.ScmBytesPerTarget, _context.Options.ScmBytesPerTargetDefault, ScmBytesMin, "SCM");
        long nvme = SizeOf(create.NvmeBytesPerTarget, _context.Options.NvmeBytesPerTargetDefault, NvmeBytesMin, "NVMe");
        (byte[]? recorded, byte[]? labelOwner, byte[]? pending) = await ReadAsync(store => (
            store.Lookup(Pools, uuidBytes, out ReadOnlyMemory<byte> r) == DaosError.None ? r.ToArray() : null,
            store.Lookup(PoolLabels, labelKey, out ReadOnlyMemory<byte> l) == DaosError.None ? l.ToArray() : null,
            store.Lookup(PoolCreates, uuidBytes, out ReadOnlyMemory<byte> p) == DaosError.None ? p.ToArray() : null));
        if (recorded is not null)
        {
            PoolShardCreateRequest existing = ProtocolCodec.Decode<PoolShardCreateRequest>(recorded);
            if (!SameCreate(existing, create, scm, nvme))
            {
                throw new DaosException(DaosError.Exists, $"pool {uuid} exists with another label or other options");
            }

            return await WaitForServiceAsync(existing, cancellationToken); // a retried create: answer the pool it made
        }

        if (labelOwner is not null)
        {
            throw new DaosException(DaosError.Exists, $"a pool labelled '{create.Label}' exists");
        }

        await RollBackPendingCreatesAsync(except: uuid);
        PoolShardCreateRequest record;
        if (pending is not null)
        {
            // A create of this uuid stopped midway (its leader lost office): resume it with the record it chose.
            record = ProtocolCodec.Decode<PoolShardCreateRequest>(pending);
            if (!SameCreate(record, create, scm, nvme))
            {
                throw new DaosException(DaosError.Exists, $"pool {uuid} is being created with another label or other options");
            }
        }
        else
        {
            record = await PlanPoolAsync(create, uuid, scm, nvme);
            await WriteAsync(new RdbTransaction()
                .Update(PoolCreates, uuidBytes, ProtocolCodec.EncodeToArray(record))
                .Update(SystemKvs, NextOpcodeKey, OpcodeBytes((ushort)(record.RaftOpcode + 1))));
        }

        await _context.StepReachedAsync(ServiceStep.PoolCreateIntentWritten, uuid);
        try
        {
            await CreateShardsAsync(record, cancellationToken);
        }
        catch (DaosException)
        {
            await ForgetIntentIfGoneAsync(record);
            throw;
        }

        await _context.StepReachedAsync(ServiceStep.PoolCreateShardsCreated, uuid);
        await WriteAsync(new RdbTransaction()
            .Update(Pools, uuidBytes, ProtocolCodec.EncodeToArray(record))
            .Update(PoolLabels, labelKey, uuidBytes)
            .Delete(PoolCreates, uuidBytes));
        await _context.StepReachedAsync(ServiceStep.PoolCreateRecordWritten, uuid);
        try
        {
            return await WaitForServiceAsync(record, cancellationToken);
        }
        catch (DaosException e) when (e.Error is not (DaosError.NotLeader or DaosError.TxUncertain or DaosError.Shutdown))
        {
            // The service never led: un-record the pool first (back to an intent, so that a stop in the middle of
            // the roll-back is finished by the next leader), then destroy its shards, then forget the intent.
            await WriteAsync(new RdbTransaction()
                .Delete(Pools, uuidBytes)
                .Delete(PoolLabels, labelKey)
                .Update(PoolCreates, uuidBytes, ProtocolCodec.EncodeToArray(record)));
            await DestroyShardsAsync(record, bestEffort: true);
            await ForgetIntentIfGoneAsync(record);
            throw;
        }
    }, cancellationToken);

    /// <summary>Rolls back every create in progress but <paramref name="except"/>'s: its shards destroyed on every rank, then its intent forgotten.</summary>
    private async Task RollBackPendingCreatesAsync(Guid except)
    {
        PoolShardCreateRequest[] pending = await ReadAsync(store => store.Iterate(PoolCreates)
            .Select(e => ProtocolCodec.Decode<PoolShardCreateRequest>(e.Value.ToArray()))
            .ToArray());
        foreach (PoolShardCreateRequest record in pending)
        {
            if (record.Uuid != except)
            {
                await DestroyShardsAsync(record, bestEffort: true);
                await ForgetIntentIfGoneAsync(record);
            }
        }
    }

    /// <summary>Forgets a create's intent once no rank holds its shards; while one cannot be asked, the intent stays for the next roll-back.</summary>
    private async Task ForgetIntentIfGoneAsync(PoolShardCreateRequest record)
    {
        if (await DestroyShardsAsync(record, bestEffort: true))
        {
            await WriteAsync(new RdbTransaction().Delete(PoolCreates, record.Uuid.ToByteArray(bigEndian: true)));
        }
    }

    /// <summary>Whether a recorded (or intended) pool is what <paramref name="create"/> asks for, so that the create is its retry.</summary>
    private bool SameCreate(PoolShardCreateRequest record, PoolCreateRequest create, long scm, long nvme)
    {
        if (record.Label != create.Label || record.ScmBytesPerTarget != scm || record.NvmeBytesPerTarget != nvme)
        {
            return false;
        }

        if (create.Ranks.Count > 0 && !record.Ranks.Select(r => r.Rank).Order().SequenceEqual(create.Ranks.Distinct().Order()))
        {
            return false;
        }

        return ServiceReplicasFor(create.ServiceReplicas, record.Ranks.Count) == record.ServiceRanks.Count;
    }

    /// <summary>Service replicas for a pool on <paramref name="ranks"/> ranks: as asked (or 2 × svc_rf + 1), at most the ranks, odd.</summary>
    private int ServiceReplicasFor(int requested, int ranks)
    {
        int replicas = requested > 0 ? requested : (2 * _context.Options.ServiceRedundancyFactor) + 1;
        replicas = Math.Min(replicas, ranks);
        return replicas % 2 == 0 ? replicas - 1 : replicas;
    }

    /// <summary>Chooses ranks, service replicas and a Raft channel for a new pool (nothing is written).</summary>
    private async Task<PoolShardCreateRequest> PlanPoolAsync(PoolCreateRequest create, Guid uuid, long scm, long nvme)
    {
        SystemMember[] members = await ReadMembersAsync();
        List<SystemMember> ranks = ChooseRanks(create, members);
        int targets = ranks[0].Targets;
        if (ranks.Exists(r => r.Targets != targets))
        {
            throw new DaosException(DaosError.InvalidArgument, "the chosen ranks run different numbers of targets");
        }

        int replicas = ServiceReplicasFor(create.ServiceReplicas, ranks.Count);
        byte[] uuidBytes = uuid.ToByteArray(bigEndian: true);
        int first = (int)(XxHash64.Hash(uuidBytes) % (ulong)ranks.Count);
        int[] serviceRanks = new int[replicas];
        for (int i = 0; i < replicas; i++)
        {
            serviceRanks[i] = ranks[(first + i) % ranks.Count].Rank;
        }

        ushort opcode = await ReadAsync(store => store.Lookup(SystemKvs, NextOpcodeKey, out ReadOnlyMemory<byte> value) == DaosError.None
            ? BinaryPrimitives.ReadUInt16LittleEndian(value.Span)
            : ProtocolOpcodes.PoolServiceRaftFirst);
        if (opcode > ProtocolOpcodes.PoolServiceRaftLast)
        {
            throw new DaosException(DaosError.NoSpace, "every pool service channel has been used");
        }

        PoolMap map = PoolMap.Create(ranks.Count, 1, targets);
        return new PoolShardCreateRequest(uuid, create.Label, scm, nvme, map.Serialize().ToArray(),
            ranks.Select(r => new RankAddress(r.Rank, r.Address)).ToArray(), serviceRanks, XxHash64.Hash(uuidBytes, 0x504F4F4C) | 1, opcode);
    }

    private static byte[] OpcodeBytes(ushort opcode)
    {
        byte[] bytes = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, opcode);
        return bytes;
    }

    public Task<EmptyMessage> DestroyPoolAsync(PoolDestroyRequest destroy, CancellationToken cancellationToken) => SerializeAsync(async () =>
    {
        await EnsureInitializedAsync();
        await RollBackPendingCreatesAsync(except: Guid.Empty);

        // Keyed (version 4): a destroy delivered again after its call returned answers its first outcome, and cannot
        // destroy a pool created since under the same label.
        return await OnceAsync(destroy.Key, async () =>
        {
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
            return ((RdbTransaction?)new RdbTransaction()
                .Delete(Pools, record.Uuid.ToByteArray(bigEndian: true))
                .Delete(PoolLabels, Encoding.UTF8.GetBytes(record.Label)), EmptyMessage.Instance);
        });
    }, cancellationToken);

    /// <summary>
    /// Exclude, drain or reintegrate targets of one of the pool's ranks (applied by the pool service), or extend the
    /// pool by ranks: their shards are created first, then the pool service adds them to the map and publishes it,
    /// then the pool's record here lists them (so destroy reaches them). A refused change destroys the new shards.
    /// The administrator's operation key goes on to the pool service, which records each change's outcome under it;
    /// an extend is also recorded here with the pool's new record, so its retry answers the extend it made.
    /// </summary>
    public Task<PoolInfoReply> ChangePoolMapAsync(PoolMapChangeRequest change, CancellationToken cancellationToken) => SerializeAsync(async () =>
    {
        await EnsureInitializedAsync();
        if (change.Kind != PoolMapChangeKind.Extend)
        {
            PoolShardCreateRequest record = await FindPoolAsync(change.LabelOrUuid);
            if (!record.Ranks.Any(r => r.Rank == change.Rank))
            {
                throw new DaosException(DaosError.NonExistent, $"rank {change.Rank} holds no targets of pool '{record.Label}'");
            }

            return await _context.PoolServices.CallAsync<PoolServiceMapChangeRequest, PoolInfoReply>(record, ProtocolOpcodes.PoolServiceMapChange,
                new PoolServiceMapChangeRequest(record.Uuid, change.Kind, change.Rank, change.Target, [], change.Key), cancellationToken);
        }

        return await OnceAsync(change.Key, () => PlanExtendAsync(change, cancellationToken));
    }, cancellationToken);

    /// <summary>An extend up to the pool service's answer; returns the write that records the new ranks here, with that answer.</summary>
    private async Task<(RdbTransaction? Transaction, PoolInfoReply Reply)> PlanExtendAsync(PoolMapChangeRequest change, CancellationToken cancellationToken)
    {
        PoolShardCreateRequest record = await FindPoolAsync(change.LabelOrUuid);

        SystemMember[] members = await ReadMembersAsync();
        PoolMap map = PoolMap.Deserialize(record.PoolMap.Span);
        int targetsPerRank = map.Targets.Count / map.RankCount;
        var added = new List<RankAddress>();
        foreach (int rank in change.Ranks.Distinct())
        {
            if (record.Ranks.Any(r => r.Rank == rank))
            {
                throw new DaosException(DaosError.Exists, $"rank {rank} is already in pool '{record.Label}'");
            }

            int index = Array.FindIndex(members, m => m.Rank == rank);
            if (index < 0 || members[index].State != RankState.Joined)
            {
                throw new DaosException(DaosError.NonExistent, $"rank {rank} is not a joined member of the system");
            }

            if (members[index].Targets != targetsPerRank)
            {
                throw new DaosException(DaosError.InvalidArgument,
                    $"rank {rank} runs {members[index].Targets} targets but pool '{record.Label}' has {targetsPerRank} per rank");
            }

            added.Add(new RankAddress(rank, members[index].Address));
        }

        PoolShardCreateRequest extended = record with { Ranks = [.. record.Ranks, .. added] };
        await CreateShardsAsync(extended, cancellationToken, added);
        PoolInfoReply reply;
        try
        {
            reply = await _context.PoolServices.CallAsync<PoolServiceMapChangeRequest, PoolInfoReply>(extended, ProtocolOpcodes.PoolServiceMapChange,
                new PoolServiceMapChangeRequest(record.Uuid, PoolMapChangeKind.Extend, -1, -1, added, change.Key), cancellationToken);
        }
        catch (DaosException e) when (e.Error is not (DaosError.Unreachable or DaosError.Timeout or DaosError.TxUncertain or DaosError.NotLeader))
        {
            // Refused for certain: the new ranks are not in the map, so their shards go.
            await DestroyShardsAsync(extended, bestEffort: true, added);
            throw;
        }

        return (new RdbTransaction().Update(Pools, record.Uuid.ToByteArray(bigEndian: true), ProtocolCodec.EncodeToArray(extended)), reply);
    }

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

    /// <summary>
    /// Creates the pool's shards on <paramref name="on"/> (every rank of the pool when null); a failure destroys them on
    /// those ranks again. The request carries this leader's term as its fencing token.
    /// </summary>
    private async Task CreateShardsAsync(PoolShardCreateRequest record, CancellationToken cancellationToken, IReadOnlyList<RankAddress>? on = null)
    {
        PoolShardCreateRequest fenced = record with { FencingToken = ServingTerm };
        Task<EmptyMessage>[] creates = (on ?? record.Ranks)
            .Select(r => _context.Calls.CallIdempotentAsync<PoolShardCreateRequest, EmptyMessage>(TransportAddress.Parse(r.Address),
                ProtocolOpcodes.PoolShardCreate, ProtocolTargets.System, fenced, _context.Options.ServiceCallAttemptTimeout, cancellationToken))
            .ToArray();
        try
        {
            await Task.WhenAll(creates);
        }
        catch (Exception) when (creates.Any(t => t.IsFaulted || t.IsCanceled))
        {
            // Nothing half-created: every rank deletes whatever it made (destroy is idempotent).
            await DestroyShardsAsync(record, bestEffort: true, on);
            Exception first = creates.First(t => t.IsFaulted || t.IsCanceled).Exception?.InnerException ?? new OperationCanceledException();
            if (first is DaosException daos)
            {
                throw new DaosException(daos.Error, $"pool create failed on a rank and was rolled back: {daos.Message}", daos);
            }

            throw;
        }
    }

    /// <summary>Destroys the pool's shards on every rank (idempotent there, fenced by this leader's term); true when every rank answered.</summary>
    private async Task<bool> DestroyShardsAsync(PoolShardCreateRequest record, bool bestEffort, IReadOnlyList<RankAddress>? on = null)
    {
        var destroy = new PoolShardDestroyRequest(record.Uuid, ServingTerm);
        Task<EmptyMessage>[] destroys = (on ?? record.Ranks)
            .Select(r => _context.Calls.CallIdempotentAsync<PoolShardDestroyRequest, EmptyMessage>(TransportAddress.Parse(r.Address),
                ProtocolOpcodes.PoolShardDestroy, ProtocolTargets.System, destroy, _context.Options.ServiceCallAttemptTimeout))
            .ToArray();
        try
        {
            await Task.WhenAll(destroys);
            return true;
        }
        catch (Exception e) when (e is DaosException or OperationCanceledException)
        {
            if (!bestEffort)
            {
                throw new DaosException(DaosError.Unreachable, $"pool '{record.Label}' could not be destroyed on every rank: {e.Message}", e);
            }

            return false;
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
            catch (DaosException e) when (e.Error is DaosError.Unreachable or DaosError.NotLeader)
            {
                if (time.GetTimestamp() >= deadline)
                {
                    // Not NotLeader: that would point the caller at a pool service replica as if it led this service.
                    throw new DaosException(DaosError.NoService,
                        $"pool {record.Uuid} service elected no leader within {_context.Options.PoolServiceStartTimeout.TotalSeconds:F0} s: {e.Message}", e);
                }

                // The service is still electing its first leader.
            }
        }
    }

    private async Task EnsureInitializedAsync()
    {
        if (!await ReadAsync(store => store.KvsExists(PoolCreates, out _)))
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

        // Added after the first layout (so a database written before it gains it the same way): creates in progress.
        await WriteLayoutAsync(new RdbTransaction().CreateKvs(RdbPath.Root, "pool-creates"u8, RdbKvsClass.Lexical),
            _context.Time, _context.Options.RaftTickInterval);
        ScheduleRollBack();
    }
}

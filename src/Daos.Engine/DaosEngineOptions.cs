using Daos.Transport;

namespace Daos.Engine;

/// <summary>What an engine needs from its host: identity, network, storage, time, executors and the management replicas.</summary>
public sealed record DaosEngineOptions
{
    /// <summary>This engine's rank (unique in the system).</summary>
    public required int Rank { get; init; }

    /// <summary>How many targets it runs (1..64).</summary>
    public required int TargetCount { get; init; }

    /// <summary>The network it listens and connects on.</summary>
    public required ITransportNetwork Network { get; init; }

    /// <summary>The address it listens on (for TCP, port 0 picks a free port; <see cref="DaosEngine.Address"/> says which).</summary>
    public required TransportAddress ListenAddress { get; init; }

    /// <summary>Where its files live.</summary>
    public required IEngineStorage Storage { get; init; }

    /// <summary>The clock: Raft ticks, hybrid logical clock epochs, request deadlines.</summary>
    public required TimeProvider TimeProvider { get; init; }

    /// <summary>
    /// Creates the single-threaded executor of target 0..TargetCount−1, and of <see cref="Daos.Protocol.ProtocolTargets.System"/>
    /// (management, pool and container services). The host owns the executors and disposes them after the engine stops.
    /// </summary>
    public required Func<uint, IRpcExecutor> ExecutorFactory { get; init; }

    /// <summary>The ranks that run the management service, with their addresses (this rank runs a replica when it is one of them).</summary>
    public required IReadOnlyDictionary<int, TransportAddress> ManagementReplicas { get; init; }

    /// <summary>The system's name (daos_server.yml <c>name</c>).</summary>
    public string SystemName { get; init; } = "daos_server";

    /// <summary>Seed of the engine's randomness (election jitter, pool uuids).</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Transport limits and timers; defaults with <see cref="TimeProvider"/> if null.</summary>
    public TransportOptions? Transport { get; init; }

    /// <summary>Pool service redundancy factor svc_rf: a pool service runs on 2 × svc_rf + 1 ranks, clamped to the pool's ranks.</summary>
    public int ServiceRedundancyFactor { get; init; } = 1;

    /// <summary>Heap bytes per target when a pool create names none.</summary>
    public long ScmBytesPerTargetDefault { get; init; } = 64L << 20;

    /// <summary>Blob bytes per target when a pool create names none.</summary>
    public long NvmeBytesPerTargetDefault { get; init; } = 256L << 20;

    /// <summary>The Raft tick of the management and pool service replicas.</summary>
    public TimeSpan RaftTickInterval { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// Ticks without a leader before a replica campaigns (randomised up to twice this). The default, 1 s at the default
    /// tick, is etcd's: short enough for a quick fail-over, long enough that a busy machine's scheduling pauses do not
    /// depose healthy leaders (which would fail their in-flight service writes as uncertain).
    /// </summary>
    public int RaftElectionTicks { get; init; } = 100;

    /// <summary>Time allowed for one engine-to-engine or service call.</summary>
    public TimeSpan ServiceCallTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Time one attempt of an engine-to-engine call that is safe to repeat (a pool shard's space, a shard create or
    /// destroy, a rank's join) waits before the request is sent again, within <see cref="ServiceCallTimeout"/>: a
    /// request or reply lost on the way then costs this much, not the whole call timeout.
    /// </summary>
    public TimeSpan ServiceCallAttemptTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Time allowed for a new pool's service to elect a leader and record the pool.</summary>
    public TimeSpan PoolServiceStartTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Test seam: awaited by a service leader at each <see cref="Engine.ServiceStep"/> of a create, with the uuid being
    /// created. A test stops the leader there (kills the engine) to check that the create either completes once or
    /// leaves nothing behind. Null in production.
    /// </summary>
    internal Func<Engine.ServiceStep, Guid, Task>? ServiceStepReached { get; init; }

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(Rank);
        ArgumentOutOfRangeException.ThrowIfLessThan(TargetCount, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(TargetCount, 64);
        ArgumentNullException.ThrowIfNull(Network);
        ArgumentNullException.ThrowIfNull(Storage);
        ArgumentNullException.ThrowIfNull(TimeProvider);
        ArgumentNullException.ThrowIfNull(ExecutorFactory);
        ArgumentNullException.ThrowIfNull(ManagementReplicas);
        if (ManagementReplicas.Count == 0)
        {
            throw new DaosException(DaosError.InvalidArgument, "at least one management replica is needed");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(ServiceRedundancyFactor);
        ArgumentOutOfRangeException.ThrowIfLessThan(ScmBytesPerTargetDefault, 1L << 20);
        ArgumentOutOfRangeException.ThrowIfLessThan(NvmeBytesPerTargetDefault, 4096);
        ArgumentOutOfRangeException.ThrowIfLessThan(RaftElectionTicks, 3);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ServiceCallTimeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ServiceCallAttemptTimeout, TimeSpan.Zero);
    }
}

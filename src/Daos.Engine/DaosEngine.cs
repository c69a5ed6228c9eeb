using System.Collections.Concurrent;
using Daos.Engine.Containers;
using Daos.Engine.Engine;
using Daos.Engine.Management;
using Daos.Engine.Objects;
using Daos.Engine.Pools;
using Daos.Engine.Rdb;
using Daos.Engine.Targets;
using Daos.Placement;
using Daos.Protocol;
using Daos.Protocol.Management;
using Daos.Storage;
using Daos.Threading;
using Daos.Transport;
using Daos.Vos;

namespace Daos.Engine;

/// <summary>
/// One engine rank: T targets, each on its own single-threaded executor and owning one VOS pool per pool; the
/// engine's RPC endpoint serving object I/O (to the target named in the frame) and, on the system executor, the
/// management service (on the management ranks), the pool and container services (on each pool's service ranks)
/// and the control messages engines send each other. Everything it persists lives in <see cref="IEngineStorage"/>,
/// and <see cref="StartAsync"/> on the same storage reopens every pool and service replica it held.
/// </summary>
/// <remarks>Thread-safe. The engine creates no threads: executors, network, storage and time come from the host.</remarks>
public sealed partial class DaosEngine : IAsyncDisposable
{
    private readonly DaosEngineOptions _options;
    private readonly RpcNode _rpc;
    private readonly IRpcExecutor[] _targetExecutors;
    private readonly IRpcExecutor _systemExecutor;
    private readonly ConcurrentDictionary<Guid, LocalPool> _pools = new();
    private readonly EngineContext _context;
    private readonly ContainerHandleCache _handles;
    private readonly AsyncGate _shardGate = new();
    private LocalPoolRegistry? _registry;
    private ManagementService? _management;
    private Task _join = Task.CompletedTask;
    private Task _rejoin = Task.CompletedTask;
    private readonly CancellationTokenSource _stopping = new();
    private int _stopped;

    private DaosEngine(DaosEngineOptions options)
    {
        _options = options;
        _targetExecutors = new IRpcExecutor[options.TargetCount];
        for (int i = 0; i < options.TargetCount; i++)
        {
            _targetExecutors[i] = options.ExecutorFactory((uint)i) ?? throw new ArgumentException("the executor factory returned null", nameof(options));
        }

        _systemExecutor = options.ExecutorFactory(ProtocolTargets.System) ?? throw new ArgumentException("the executor factory returned null", nameof(options));
        TransportOptions transport = options.Transport ?? new TransportOptions { TimeProvider = options.TimeProvider };
        _rpc = new RpcNode(options.Network, transport, new ExecutorSelector(_targetExecutors, _systemExecutor));
        var calls = new EngineCalls(_rpc, options.ServiceCallTimeout);
        var poolServices = new PoolServiceClient(calls, options.TimeProvider);
        _context = new EngineContext(options, calls, new HybridLogicalClock(options.TimeProvider), poolServices);
        _handles = new ContainerHandleCache(poolServices);
    }

    /// <summary>This engine's rank.</summary>
    public int Rank => _options.Rank;

    /// <summary>How many targets it runs.</summary>
    public int TargetCount => _options.TargetCount;

    /// <summary>The address it listens on (with the port bound, for TCP port 0).</summary>
    public TransportAddress Address { get; private set; }

    /// <summary>The uuids of the pools this engine holds shards of.</summary>
    public IReadOnlyCollection<Guid> Pools => [.. _pools.Keys];

    /// <summary>
    /// Starts an engine: opens its registry, reopens every pool shard and service replica found there (recovering
    /// after a crash), starts the management replica on a management rank, listens, and announces itself to the
    /// management service in the background (see <see cref="WaitForJoinAsync"/>).
    /// </summary>
    /// <exception cref="DaosException">Storage that cannot be recovered, or an address in use.</exception>
    public static async ValueTask<DaosEngine> StartAsync(DaosEngineOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var engine = new DaosEngine(options);
        try
        {
            await engine.OpenAsync(cancellationToken);
        }
        catch
        {
            await engine.StopCoreAsync(orderly: false);
            throw;
        }

        return engine;
    }

    /// <summary>Completes when the management service has recorded this engine as joined (retrying until it answers or the engine stops).</summary>
    public Task WaitForJoinAsync(CancellationToken cancellationToken = default) => _join.WaitAsync(cancellationToken);

    /// <summary>
    /// Completes when every pool this engine reopened at start has caught up with its pool service (newer map adopted,
    /// containers destroyed meanwhile deleted), has left this engine, or the engine stopped. A pool whose service has
    /// no leader keeps it waiting.
    /// </summary>
    public Task WaitForRejoinAsync(CancellationToken cancellationToken = default) => _rejoin.WaitAsync(cancellationToken);

    /// <summary>Orderly stop: drains requests, stops service replicas, checkpoints and closes every VOS pool.</summary>
    public ValueTask StopAsync() => StopCoreAsync(orderly: true);

    /// <summary>Abrupt stop, as a crash leaves it: the network goes away at once and nothing is checkpointed; only what
    /// was durable before survives (the host crashes simulated media after this to drop the rest).</summary>
    public ValueTask KillAsync() => StopCoreAsync(orderly: false);

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => StopAsync();

    /// <summary>
    /// Whether this engine's replica of pool <paramref name="uuid"/>'s service leads it now; false when this rank holds
    /// no replica of it. For harnesses and checkers watching fail-over (clients learn the leader from NotLeader hints).
    /// </summary>
    public bool LeadsPoolService(Guid uuid) => PoolOf(uuid)?.Service?.IsLeader == true;

    /// <summary>This engine's state of a pool, for tests and checkers.</summary>
    internal LocalPool? PoolOf(Guid uuid) => _pools.TryGetValue(uuid, out LocalPool? pool) ? pool : null;

    /// <summary>This engine's management service replica, if it runs one (for tests).</summary>
    internal ManagementService? ManagementReplica => _management;

    /// <summary>The highest management fencing token this engine has admitted for pool <paramref name="uuid"/> (for tests).</summary>
    internal ulong FenceOf(Guid uuid) => _registry?.FenceOf(uuid) ?? 0;

    private async Task OpenAsync(CancellationToken cancellationToken)
    {
        RegisterHandlers();
        _registry = LocalPoolRegistry.Open(_options.Storage.OpenDirectory(""));
        var reopened = new List<LocalPool>();
        foreach (PoolShardCreateRequest record in _registry.Pools)
        {
            reopened.Add(await OpenPoolAsync(record, create: false));
        }

        if (_options.ManagementReplicas.ContainsKey(Rank))
        {
            var replica = new RdbReplica(ManagementService.ReplicaOptions(_options), _options.Storage.OpenDirectory("mgmt"), _rpc, _systemExecutor, _context.ForkRandom());
            _management = new ManagementService(replica, _context);
            await replica.StartAsync();
        }

        Address = await _rpc.ListenAsync(_options.ListenAddress, cancellationToken);
        _join = JoinAsync(_stopping.Token);
        _rejoin = RejoinPoolsAsync(reopened, _stopping.Token);
    }

    private async Task JoinAsync(CancellationToken cancellationToken)
    {
        var join = new SystemJoinRequest(new SystemMember(Rank, Address.ToString(), TargetCount, RankState.Joined));
        while (true)
        {
            foreach ((int rank, TransportAddress address) in _options.ManagementReplicas.OrderBy(p => p.Key))
            {
                try
                {
                    await _context.Calls.CallIdempotentAsync<SystemJoinRequest, EmptyMessage>(address, ProtocolOpcodes.SystemJoin, ProtocolTargets.System, join,
                        _options.ServiceCallAttemptTimeout, cancellationToken);
                    return;
                }
                catch (DaosException)
                {
                    // Not the leader, not up yet, or electing: try the next one, then again after a pause.
                }
            }

            await ClockDelay.WaitAsync(_options.TimeProvider, TimeSpan.FromMilliseconds(50), cancellationToken);
        }
    }

    /// <summary>Opens (or creates) this rank's shards of a pool and starts its service replica if this rank runs one.</summary>
    private async Task<LocalPool> OpenPoolAsync(PoolShardCreateRequest record, bool create)
    {
        PoolMap map = PoolMap.Deserialize(record.PoolMap.Span);
        var shards = new TargetShard[_options.TargetCount];
        try
        {
            var vosOptions = new VosPoolOptions
            {
                HeapSizeBytes = record.ScmBytesPerTarget,
                WalSizeBytes = Math.Clamp(record.ScmBytesPerTarget / 2, 1L << 20, 32L << 20) / 4096 * 4096,
                BlobSizeBytes = record.NvmeBytesPerTarget / 4096 * 4096,
            };
            for (int i = 0; i < shards.Length; i++)
            {
                IStorageMedium medium = _options.Storage.OpenDirectory($"{record.Uuid}/target-{i}");
                // The shard hands VOS its target executor as commit scheduler: updates in flight share one barrier.
                shards[i] = await TargetShard.OpenAsync(i, _targetExecutors[i], vosOptions, options => create
                    ? VosPool.CreateAsync(medium, options)
                    : VosPool.OpenAsync(medium, options));
            }
        }
        catch
        {
            foreach (TargetShard? shard in shards)
            {
                if (shard is not null)
                {
                    await shard.DisposeAsync();
                }
            }

            throw;
        }

        var pool = new LocalPool(Rank, record, map, shards);
        if (record.ServiceRanks.Contains(Rank))
        {
            var replica = new RdbReplica(PoolService.ReplicaOptions(record, _options), _options.Storage.OpenDirectory($"{record.Uuid}/rdb"), _rpc,
                _systemExecutor, _context.ForkRandom());
            pool.Service = new PoolService(replica, pool, _context);
            await replica.StartAsync();
        }

        _pools[record.Uuid] = pool;
        return pool;
    }

    /// <summary>
    /// Closes a pool's service replica and shards: with <paramref name="checkpoint"/> after a checkpoint; with
    /// <paramref name="crash"/> as a crash would, dropping what was applied but not yet durable.
    /// </summary>
    private static async Task ClosePoolAsync(LocalPool pool, bool checkpoint, bool crash = false)
    {
        if (pool.Service is { } service)
        {
            await service.DisposeAsync();
        }

        foreach (TargetShard shard in pool.Shards)
        {
            if (checkpoint)
            {
                await shard.Gate.WaitAsync();
                try
                {
                    await shard.Pool.CheckpointAsync();
                }
                catch (DaosException)
                {
                    // The pool closes either way; its WAL still holds every committed change.
                }
                finally
                {
                    shard.Gate.Release();
                }
            }

            await shard.CloseAsync(crash);
        }
    }

    private async ValueTask StopCoreAsync(bool orderly)
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        // Cancel, not CancelAsync: callbacks run here, on the caller's context (the deterministic scheduler in simulations).
        _stopping.Cancel();
        await _rpc.ShutdownAsync();
        await _rejoin; // ends at the cancellation, before the pools it works on close

        if (_management is not null)
        {
            await _management.DisposeAsync();
        }

        foreach (LocalPool pool in _pools.Values)
        {
            await ClosePoolAsync(pool, checkpoint: orderly, crash: !orderly);
        }

        _pools.Clear();

        try
        {
            await _join;
        }
        catch (OperationCanceledException)
        {
            // Stopped before joining.
        }
    }

    private sealed class ExecutorSelector(IRpcExecutor[] targets, IRpcExecutor system) : IRpcExecutorSelector
    {
        public IRpcExecutor? Select(uint target) => target < (uint)targets.Length ? targets[target] : target == ProtocolTargets.System ? system : null;
    }
}

using Daos.Client;
using Daos.Client.Retries;
using Daos.Engine;
using Daos.Harness.Network;
using Daos.Harness.Scheduling;
using Daos.Harness.Storage;
using Daos.Transport;

namespace Daos.Harness;

/// <summary>
/// A whole DAOS system in one process: <see cref="TestClusterOptions.Engines"/> engines (ranks 0..N-1), each with
/// <see cref="TestClusterOptions.TargetsPerEngine"/> targets, with storage in memory (<see cref="SimulatedMedium"/>s that
/// lose what was not durable when an engine is killed) or in files, on one of three networks: in-process pipes and
/// loopback TCP (targets on their own threads, the system clock) or the <see cref="Network.SimulatedNetwork"/> (the
/// whole cluster, clients included, on one <see cref="DeterministicScheduler"/> and its clock, so a seed replays).
/// Clients connect through the management service, as they would to a real system.
/// </summary>
/// <remarks>
/// Start, kill, restart and stop calls are serialized; clients may run concurrently with them. The harness creates the
/// targets' executors (engines create no threads): one <see cref="DedicatedThreadExecutor"/> per target, or the
/// scheduler's context on the simulated network. Awaits here resume on the caller's context, so a simulated cluster
/// never leaves its scheduler's thread.
/// </remarks>
public sealed class TestCluster : IAsyncDisposable
{
    /// <summary>Management service replicas: the first ranks, at most this many.</summary>
    private const int ManagementReplicasMax = 3;

    /// <summary>How long an engine may take to elect management leaders and join before start fails.</summary>
    private static readonly TimeSpan JoinTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Times a TCP cluster draws fresh ports when one was taken before its engine could listen.</summary>
    private const int TcpPortAttemptsMax = 3;

    private readonly TestClusterOptions _options;
    private readonly TimeProvider _time;
    private readonly TransportOptions _transport;
    private readonly ITransportNetwork? _sharedNetwork;
    private readonly SimulatedNetwork? _simulated;
    private readonly DeterministicRandom _uuids;
    private readonly EngineSlot[] _engines;
    private readonly Dictionary<int, TransportAddress> _management;
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private ulong _crashCount;
    private int _clientCount;
    private bool _disposed;

    private TestCluster(TestClusterOptions options)
    {
        _options = options;
        _uuids = new DeterministicRandom(options.Seed ^ 0x5555_AAAA_0F0F_F0F0UL);
        if (options.Network == TestClusterNetwork.Simulated)
        {
            DeterministicScheduler scheduler = options.Scheduler!;
            _time = scheduler.Time;
            _transport = SimulatedTransportFor(scheduler);
            _simulated = new SimulatedNetwork(scheduler, options.SimulatedNetwork, _transport);
        }
        else
        {
            _time = TimeProvider.System;
            _transport = new TransportOptions();
            _sharedNetwork = options.Network == TestClusterNetwork.Tcp ? new TcpNetwork(_transport) : new InProcessNetwork();
        }

        TransportAddress[] addresses = AddressesFor(options);
        _engines = new EngineSlot[options.Engines];
        _management = [];
        for (int rank = 0; rank < _engines.Length; rank++)
        {
            IEngineStorage storage = options.Storage.Kind == TestClusterStorageKind.Memory
                ? new SimulatedEngineStorage(HostOf(rank))
                : new FileEngineStorage(Path.Combine(options.Storage.Directory!, HostOf(rank)));
            _engines[rank] = new EngineSlot(rank, addresses[rank], storage);
            if (rank < ManagementReplicasMax)
            {
                _management[rank] = addresses[rank];
            }
        }

        Ranks = [.. _engines.Select(e => e.Rank)];
        ManagementEndpoints = [.. _management.Values.Select(a => a.ToString())];
    }

    /// <summary>The ranks of the system.</summary>
    public IReadOnlyList<int> Ranks { get; }

    /// <summary>The management endpoints clients are given.</summary>
    public IReadOnlyList<string> ManagementEndpoints { get; }

    /// <summary>The options the cluster was started with.</summary>
    public TestClusterOptions Options => _options;

    /// <summary>The simulated network (null on the other networks): its statistics, and finer faults than
    /// <see cref="Partition(IReadOnlyList{int}, IReadOnlyList{int})"/> (one-way cuts, clogs) by host name.</summary>
    public SimulatedNetwork? SimulatedNetwork => _simulated;

    /// <summary>The clock engines and clients run on: the scheduler's on the simulated network, the system's otherwise.</summary>
    public TimeProvider Time => _time;

    /// <summary>The network host name of rank <paramref name="rank"/> (<c>engine-&lt;rank&gt;</c>).</summary>
    public static string HostOf(int rank) => $"engine-{rank}";

    /// <summary>The network host name of the <paramref name="index"/>-th client <see cref="ConnectClientAsync"/> made
    /// (<c>client-&lt;index&gt;</c>, counting from 0).</summary>
    public static string ClientHostOf(int index) => $"client-{index}";

    /// <summary>Starts every engine and waits until the management service answers.</summary>
    /// <exception cref="DaosException"><see cref="DaosError.InvalidArgument"/> for bad options (a simulated cluster
    /// without a scheduler, or started off its thread); <see cref="DaosError.Exists"/> when TCP ports drawn three times were
    /// taken before the engines could listen.</exception>
    public static async ValueTask<TestCluster> StartAsync(TestClusterOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (options.Scheduler is { } scheduler && !ReferenceEquals(SynchronizationContext.Current, scheduler.SynchronizationContext))
        {
            ThrowHelper.InvalidArgument("a simulated cluster starts inside its scheduler's Run: its engines and clients run on that thread");
        }

        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnceAsync(options, ct);
            }
            catch (DaosException e) when (e.Error == DaosError.Exists && options.Network == TestClusterNetwork.Tcp && attempt < TcpPortAttemptsMax)
            {
                // Another process took a port between drawing it and listening on it: draw new ones.
            }
        }
    }

    private static async ValueTask<TestCluster> StartOnceAsync(TestClusterOptions options, CancellationToken ct)
    {
        var cluster = new TestCluster(options);
        try
        {
            foreach (EngineSlot slot in cluster._engines)
            {
                await cluster.StartEngineAsync(slot, ct);
            }

            foreach (EngineSlot slot in cluster._engines)
            {
                await slot.Engine!.WaitForJoinAsync(ct).WaitAsync(JoinTimeout, cluster._time, ct);
            }

            // A client that connects proves the management service has a leader and every rank has joined.
            await using DaosClient probe = await DaosClient.ConnectAsync(cluster.ClientOptionsFor("client-probe", null), ct);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// A client of this system, with administrator credentials unless others are given. On the simulated network each
    /// client is its own host, <see cref="ClientHostOf"/> the number of clients made before it.
    /// </summary>
    public ValueTask<DaosClient> ConnectClientAsync(Credentials? credentials = null, CancellationToken ct = default) =>
        DaosClient.ConnectAsync(CreateClientOptions(credentials), ct);

    /// <summary>
    /// Client options that reach this cluster (its network, endpoints, clock and system name), to adjust before
    /// connecting. Each call names a new client host on the simulated network (see <see cref="ClientHostOf"/>).
    /// </summary>
    public DaosClientOptions CreateClientOptions(Credentials? credentials = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return ClientOptionsFor(ClientHostOf(Interlocked.Increment(ref _clientCount) - 1), credentials);
    }

    /// <summary>Whether rank <paramref name="rank"/> is running.</summary>
    public bool IsRunning(int rank) => SlotOf(rank).Engine is not null;

    /// <summary>
    /// The running rank whose replica of pool <paramref name="pool"/>'s service leads it, or null while none does (an
    /// election) or more than one believes it does (a deposed leader cut off by a partition that has not noticed yet).
    /// </summary>
    public int? PoolServiceLeader(Guid pool)
    {
        IReadOnlyList<int> leaders = PoolServiceLeaders(pool);
        return leaders.Count == 1 ? leaders[0] : null;
    }

    /// <summary>Every running rank whose replica of pool <paramref name="pool"/>'s service believes it leads, in rank order.</summary>
    public IReadOnlyList<int> PoolServiceLeaders(Guid pool)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return [.. _engines.Where(slot => slot.Engine is { } engine && engine.LeadsPoolService(pool)).Select(slot => slot.Rank)];
    }

    /// <summary>
    /// Kills an engine abruptly: on the simulated network its host drops off the network first (as a crashed node, its
    /// peers see no goodbye), then its node and targets stop without flushing; with memory storage every write that
    /// was not durable is then lost, torn or kept as the seed decides.
    /// </summary>
    public async ValueTask KillEngineAsync(int rank)
    {
        await _lifecycle.WaitAsync();
        try
        {
            EngineSlot slot = SlotOf(rank);
            if (slot.Engine is null)
            {
                ThrowHelper.Throw(DaosError.InvalidArgument, $"rank {rank} is not running");
            }

            _simulated?.CrashHost(HostOf(rank));
            await slot.Engine!.KillAsync();
            slot.StopExecutors();
            slot.Engine = null;
            if (slot.Storage is SimulatedEngineStorage simulated)
            {
                simulated.Crash(_options.Seed ^ (0xC2B2AE3D27D4EB4FUL * ++_crashCount) ^ (ulong)rank);
            }
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Starts a killed or stopped engine again on the same storage and address; it recovers from its storage.</summary>
    public async ValueTask RestartEngineAsync(int rank, CancellationToken ct = default)
    {
        await _lifecycle.WaitAsync(ct);
        try
        {
            EngineSlot slot = SlotOf(rank);
            if (slot.Engine is not null)
            {
                ThrowHelper.Throw(DaosError.InvalidArgument, $"rank {rank} is running; kill or stop it first");
            }

            await StartEngineAsync(slot, ct);
            await slot.Engine!.WaitForJoinAsync(ct).WaitAsync(JoinTimeout, _time, ct);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>
    /// Waits until running rank <paramref name="rank"/> has caught up with the pool services of the pools it reopened
    /// at its start (<see cref="DaosEngine.WaitForRejoinAsync"/>).
    /// </summary>
    public Task WaitForRejoinAsync(int rank, CancellationToken ct = default) =>
        (SlotOf(rank).Engine ?? throw new DaosException(DaosError.InvalidArgument, $"rank {rank} is not running")).WaitForRejoinAsync(ct);

    /// <summary>Stops an engine in order: requests in flight drain, storage is flushed.</summary>
    public async ValueTask StopEngineAsync(int rank)
    {
        await _lifecycle.WaitAsync();
        try
        {
            EngineSlot slot = SlotOf(rank);
            if (slot.Engine is null)
            {
                return;
            }

            await slot.Engine.StopAsync();
            slot.StopExecutors();
            slot.Engine = null;
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>
    /// Cuts the network between two groups of ranks, both ways: every packet between a rank of <paramref name="side"/>
    /// and a rank of <paramref name="otherSide"/> is dropped until <see cref="Heal"/> (connections between them time out
    /// by heartbeat; new ones cannot be made). Links within a side, and to clients, stay up. Simulated network only.
    /// </summary>
    /// <exception cref="DaosException"><see cref="DaosError.Unsupported"/> on the in-process and TCP networks, which
    /// have no faults; <see cref="DaosError.InvalidArgument"/> for unknown ranks or a rank on both sides.</exception>
    public void Partition(IReadOnlyList<int> side, IReadOnlyList<int> otherSide)
    {
        ArgumentNullException.ThrowIfNull(side);
        ArgumentNullException.ThrowIfNull(otherSide);
        foreach (int rank in side.Concat(otherSide))
        {
            _ = SlotOf(rank);
        }

        Partition([.. side.Select(HostOf)], [.. otherSide.Select(HostOf)]);
    }

    /// <summary>
    /// Cuts the network, both ways, between two groups of hosts named by <see cref="HostOf"/> and
    /// <see cref="ClientHostOf"/>, so clients can be cut off too. Simulated network only.
    /// </summary>
    /// <exception cref="DaosException"><see cref="DaosError.Unsupported"/> on the in-process and TCP networks;
    /// <see cref="DaosError.InvalidArgument"/> for a host on both sides.</exception>
    public void Partition(IReadOnlyList<string> side, IReadOnlyList<string> otherSide)
    {
        ArgumentNullException.ThrowIfNull(side);
        ArgumentNullException.ThrowIfNull(otherSide);
        SimulatedNetwork network = RequireSimulated();
        if (side.Intersect(otherSide, StringComparer.Ordinal).FirstOrDefault() is { } both)
        {
            ThrowHelper.InvalidArgument($"{both} is on both sides of the partition");
        }

        foreach (string a in side)
        {
            foreach (string b in otherSide)
            {
                network.Partition(a, b);
            }
        }
    }

    /// <summary>Ends every partition (and clog). Simulated network only.</summary>
    /// <exception cref="DaosException"><see cref="DaosError.Unsupported"/> on the in-process and TCP networks.</exception>
    public void Heal() => RequireSimulated().Heal();

    /// <summary>Stops every engine in order.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _lifecycle.WaitAsync();
        try
        {
            foreach (EngineSlot slot in _engines.Reverse())
            {
                if (slot.Engine is not null)
                {
                    try
                    {
                        await slot.Engine.StopAsync();
                    }
                    finally
                    {
                        slot.StopExecutors();
                        slot.Engine = null;
                    }
                }
            }
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>
    /// Timers for the simulated network, in simulated time: heartbeats every 100 ms and a dead peer noticed within a
    /// second, requests that give up after 2 s so clients retry elsewhere quickly, and a coarser timer tick than real
    /// networks need (every tick of every connection is a scheduler step).
    /// </summary>
    private static TransportOptions SimulatedTransportFor(DeterministicScheduler scheduler) => SimulatedTransport.Options(scheduler,
        requestTimeout: TimeSpan.FromSeconds(2), timerResolution: TimeSpan.FromMilliseconds(10),
        reconnectBackoffMax: TimeSpan.FromMilliseconds(100), drainTimeout: TimeSpan.FromMilliseconds(100));

    /// <summary>Each rank's address: <c>inproc://engine-r</c>, <c>sim://engine-r</c>, or a free loopback TCP port
    /// (fixed before any engine starts: the management replicas must know each other's addresses, and a restarted
    /// engine comes back on its old one).</summary>
    private static TransportAddress[] AddressesFor(TestClusterOptions options)
    {
        var addresses = new TransportAddress[options.Engines];
        if (options.Network != TestClusterNetwork.Tcp)
        {
            for (int rank = 0; rank < addresses.Length; rank++)
            {
                addresses[rank] = options.Network == TestClusterNetwork.Simulated
                    ? TransportAddress.Simulated(HostOf(rank))
                    : TransportAddress.InProcess(HostOf(rank));
            }

            return addresses;
        }

        int[] ports = LoopbackPorts.Free(addresses.Length);
        for (int rank = 0; rank < addresses.Length; rank++)
        {
            addresses[rank] = new TransportAddress(TransportScheme.Tcp, "127.0.0.1", ports[rank]);
        }

        return addresses;
    }

    private DaosClientOptions ClientOptionsFor(string host, Credentials? credentials)
    {
        bool simulated = _simulated is not null;
        return new DaosClientOptions
        {
            SystemName = _options.SystemName,
            ManagementEndpoints = ManagementEndpoints,
            Credentials = credentials ?? Credentials.Administrator,
            Network = _simulated?.Host(host) ?? _sharedNetwork,
            Transport = _transport,
            Retry = new RetryPolicy
            {
                RetriesMax = 40,
                BackoffInitial = TimeSpan.FromMilliseconds(10),
                BackoffMax = TimeSpan.FromMilliseconds(250),
                TimeProvider = _time,
            },
            UuidSource = simulated ? NextUuid : null,
        };
    }

    /// <summary>A version-4 uuid from the cluster's seed (simulated clients only: one thread draws them).</summary>
    private Guid NextUuid()
    {
        Span<byte> bytes = stackalloc byte[16];
        _uuids.NextBytes(bytes);
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes);
    }

    private SimulatedNetwork RequireSimulated()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_simulated is null)
        {
            ThrowHelper.Throw(DaosError.Unsupported, $"partitions need the simulated network; this cluster runs on {_options.Network}");
        }

        return _simulated!;
    }

    private async ValueTask StartEngineAsync(EngineSlot slot, CancellationToken ct)
    {
        IRpcExecutor? simulatedExecutor = _options.Scheduler is { } scheduler
            ? RpcExecutors.FromSynchronizationContext(scheduler.SynchronizationContext)
            : null;
        var options = new DaosEngineOptions
        {
            Rank = slot.Rank,
            TargetCount = _options.TargetsPerEngine,
            Network = _simulated?.Host(HostOf(slot.Rank)) ?? _sharedNetwork!,
            ListenAddress = slot.Address,
            Storage = slot.Storage,
            TimeProvider = _time,
            Transport = _transport,
            ExecutorFactory = target => simulatedExecutor ?? slot.CreateExecutor(target),
            ManagementReplicas = _management,
            SystemName = _options.SystemName,
            Seed = _options.Seed ^ ((ulong)slot.Rank * 0x9E3779B97F4A7C15UL) ^ (ulong)slot.Starts++,
        };
        slot.Engine = await DaosEngine.StartAsync(options, ct);
    }

    private EngineSlot SlotOf(int rank)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if ((uint)rank >= (uint)_engines.Length)
        {
            ThrowHelper.InvalidArgument($"rank {rank} is not in 0..{_engines.Length - 1}");
        }

        return _engines[rank];
    }

    private sealed class EngineSlot(int rank, TransportAddress address, IEngineStorage storage)
    {
        private readonly DedicatedThreadExecutorGroup _executors = new($"rank{rank}");

        public int Rank { get; } = rank;

        public TransportAddress Address { get; } = address;

        public IEngineStorage Storage { get; } = storage;

        public DaosEngine? Engine { get; set; }

        public int Starts { get; set; }

        public DedicatedThreadExecutor CreateExecutor(uint target) => _executors.Create(target);

        public void StopExecutors() => _executors.StopAll();
    }
}

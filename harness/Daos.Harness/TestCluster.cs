using Daos.Client;
using Daos.Engine;
using Daos.Harness.Storage;
using Daos.Transport;

namespace Daos.Harness;

/// <summary>
/// A whole DAOS system in one process: <see cref="TestClusterOptions.Engines"/> engines (ranks 0..N-1), each with
/// <see cref="TestClusterOptions.TargetsPerEngine"/> targets on their own threads, on in-process pipes, with storage in
/// memory (<see cref="SimulatedMedium"/>s that lose what was not durable when an engine is killed) or in files.
/// Clients connect through the management service, as they would to a real system.
/// </summary>
/// <remarks>
/// Start, kill, restart and stop calls are serialized; clients may run concurrently with them. The harness creates one
/// <see cref="DedicatedThreadExecutor"/> per target (engines create no threads themselves).
/// </remarks>
public sealed class TestCluster : IAsyncDisposable
{
    /// <summary>Management service replicas: the first ranks, at most this many.</summary>
    private const int ManagementReplicasMax = 3;

    /// <summary>How long an engine may take to elect management leaders and join before start fails.</summary>
    private static readonly TimeSpan JoinTimeout = TimeSpan.FromSeconds(60);

    private readonly TestClusterOptions _options;
    private readonly ITransportNetwork _network;
    private readonly EngineSlot[] _engines;
    private readonly Dictionary<int, TransportAddress> _management;
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private ulong _crashCount;
    private bool _disposed;

    private TestCluster(TestClusterOptions options, ITransportNetwork network, EngineSlot[] engines, Dictionary<int, TransportAddress> management)
    {
        _options = options;
        _network = network;
        _engines = engines;
        _management = management;
        Ranks = [.. engines.Select(e => e.Rank)];
        ManagementEndpoints = [.. management.Values.Select(a => a.ToString())];
    }

    /// <summary>The ranks of the system.</summary>
    public IReadOnlyList<int> Ranks { get; }

    /// <summary>The management endpoints clients are given.</summary>
    public IReadOnlyList<string> ManagementEndpoints { get; }

    /// <summary>The options the cluster was started with.</summary>
    public TestClusterOptions Options => _options;

    /// <summary>Starts every engine and waits until the management service answers.</summary>
    /// <exception cref="DaosException"><see cref="DaosError.InvalidArgument"/> for bad options; <see cref="DaosError.Unsupported"/>
    /// for the simulated and TCP networks, which the cluster does not drive yet.</exception>
    public static async ValueTask<TestCluster> StartAsync(TestClusterOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (options.Network != TestClusterNetwork.InProcess)
        {
            ThrowHelper.Throw(DaosError.Unsupported, $"TestCluster runs on the in-process network only for now, not {options.Network}");
        }

        var network = new InProcessNetwork();
        var engines = new EngineSlot[options.Engines];
        var management = new Dictionary<int, TransportAddress>();
        for (int rank = 0; rank < engines.Length; rank++)
        {
            IEngineStorage storage = options.Storage.Kind == TestClusterStorageKind.Memory
                ? new SimulatedEngineStorage($"engine-{rank}")
                : new FileEngineStorage(Path.Combine(options.Storage.Directory!, $"engine-{rank}"));
            engines[rank] = new EngineSlot(rank, TransportAddress.InProcess($"engine-{rank}"), storage);
            if (rank < ManagementReplicasMax)
            {
                management[rank] = engines[rank].Address;
            }
        }

        var cluster = new TestCluster(options, network, engines, management);
        try
        {
            foreach (EngineSlot slot in engines)
            {
                await cluster.StartEngineAsync(slot, ct).ConfigureAwait(false);
            }

            foreach (EngineSlot slot in engines)
            {
                await slot.Engine!.WaitForJoinAsync(ct).WaitAsync(JoinTimeout, ct).ConfigureAwait(false);
            }

            // A client that connects proves the management service has a leader and every rank has joined.
            await using DaosClient probe = await cluster.ConnectClientAsync(ct: ct).ConfigureAwait(false);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>A client of this system, with administrator credentials unless others are given.</summary>
    public ValueTask<DaosClient> ConnectClientAsync(Credentials? credentials = null, CancellationToken ct = default) =>
        DaosClient.ConnectAsync(CreateClientOptions(credentials), ct);

    /// <summary>Client options that reach this cluster (its network, endpoints and system name), to adjust before connecting.</summary>
    public DaosClientOptions CreateClientOptions(Credentials? credentials = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new DaosClientOptions
        {
            SystemName = _options.SystemName,
            ManagementEndpoints = ManagementEndpoints,
            Credentials = credentials ?? Credentials.Administrator,
            Network = _network,
            Retry = new Client.Retries.RetryPolicy { RetriesMax = 40, BackoffInitial = TimeSpan.FromMilliseconds(10), BackoffMax = TimeSpan.FromMilliseconds(250) },
        };
    }

    /// <summary>
    /// Kills an engine abruptly: its node and targets stop without flushing; with memory storage every write that was
    /// not durable is then lost, torn or kept as the seed decides.
    /// </summary>
    public async ValueTask KillEngineAsync(int rank)
    {
        await _lifecycle.WaitAsync().ConfigureAwait(false);
        try
        {
            EngineSlot slot = SlotOf(rank);
            if (slot.Engine is null)
            {
                ThrowHelper.Throw(DaosError.InvalidArgument, $"rank {rank} is not running");
            }

            await slot.Engine!.KillAsync().ConfigureAwait(false);
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
        await _lifecycle.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            EngineSlot slot = SlotOf(rank);
            if (slot.Engine is not null)
            {
                ThrowHelper.Throw(DaosError.InvalidArgument, $"rank {rank} is running; kill or stop it first");
            }

            await StartEngineAsync(slot, ct).ConfigureAwait(false);
            await slot.Engine!.WaitForJoinAsync(ct).WaitAsync(JoinTimeout, ct).ConfigureAwait(false);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Stops an engine in order: requests in flight drain, storage is flushed.</summary>
    public async ValueTask StopEngineAsync(int rank)
    {
        await _lifecycle.WaitAsync().ConfigureAwait(false);
        try
        {
            EngineSlot slot = SlotOf(rank);
            if (slot.Engine is null)
            {
                return;
            }

            await slot.Engine.StopAsync().ConfigureAwait(false);
            slot.StopExecutors();
            slot.Engine = null;
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Cuts the network between two groups of ranks (simulated network only).</summary>
    /// <exception cref="DaosException"><see cref="DaosError.Unsupported"/> on the in-process network, which has no faults.</exception>
    public void Partition(IReadOnlyList<int> side, IReadOnlyList<int> otherSide) =>
        ThrowHelper.Throw(DaosError.Unsupported, $"partitions need the simulated network; this cluster runs on {_options.Network}");

    /// <summary>Ends every partition (simulated network only).</summary>
    /// <exception cref="DaosException"><see cref="DaosError.Unsupported"/> on the in-process network.</exception>
    public void Heal() =>
        ThrowHelper.Throw(DaosError.Unsupported, $"partitions need the simulated network; this cluster runs on {_options.Network}");

    /// <summary>Stops every engine in order.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _lifecycle.WaitAsync().ConfigureAwait(false);
        try
        {
            foreach (EngineSlot slot in _engines.Reverse())
            {
                if (slot.Engine is not null)
                {
                    try
                    {
                        await slot.Engine.StopAsync().ConfigureAwait(false);
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

    private async ValueTask StartEngineAsync(EngineSlot slot, CancellationToken ct)
    {
        var options = new DaosEngineOptions
        {
            Rank = slot.Rank,
            TargetCount = _options.TargetsPerEngine,
            Network = _network,
            ListenAddress = slot.Address,
            Storage = slot.Storage,
            TimeProvider = TimeProvider.System,
            ExecutorFactory = target => slot.CreateExecutor(target),
            ManagementReplicas = _management,
            SystemName = _options.SystemName,
            Seed = _options.Seed ^ ((ulong)slot.Rank * 0x9E3779B97F4A7C15UL) ^ (ulong)slot.Starts++,
        };
        slot.Engine = await DaosEngine.StartAsync(options, ct).ConfigureAwait(false);
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
        public int Rank { get; } = rank;

        public TransportAddress Address { get; } = address;

        public IEngineStorage Storage { get; } = storage;

        public DaosEngine? Engine { get; set; }

        public int Starts { get; set; }

        private readonly DedicatedThreadExecutorGroup _executors = new($"rank{rank}");

        public DedicatedThreadExecutor CreateExecutor(uint target) => _executors.Create(target);

        public void StopExecutors() => _executors.StopAll();
    }
}

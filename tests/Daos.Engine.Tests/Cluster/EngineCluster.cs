using System.Buffers;
using Daos.Engine;
using Daos.Protocol;
using Daos.Transport;

namespace Daos.Engine.Tests.Cluster;

/// <summary>
/// Engines on an in-process network with a dedicated thread per target (as the harness runs them), rank 0 hosting
/// the management service, and a bare protocol client, for testing the engine's handlers end to end.
/// </summary>
internal sealed class EngineCluster : IAsyncDisposable
{
    private readonly Dictionary<int, DaosEngine> _engines = [];
    private readonly Dictionary<int, List<DedicatedThreadExecutor>> _executors = [];
    private readonly Func<int, IEngineStorage> _storage;
    private readonly Dictionary<int, IEngineStorage> _storageByRank = [];
    private readonly RpcNode _client;
    private readonly Func<int, uint, IRpcExecutor, IRpcExecutor>? _wrapExecutor;

    private readonly int _managementReplicas;
    private readonly Func<int, global::Daos.Engine.Engine.ServiceStep, Guid, Task>? _stepReached;

    /// <summary>Engine-to-engine call timeout (also how long a call to a rank that is down keeps trying to connect).</summary>
    public TimeSpan ServiceCallTimeout { get; init; } = TimeSpan.FromSeconds(10);

    private EngineCluster(int engines, int targets, Func<int, IEngineStorage> storage, int managementReplicas,
        Func<int, global::Daos.Engine.Engine.ServiceStep, Guid, Task>? stepReached, Func<int, uint, IRpcExecutor, IRpcExecutor>? wrapExecutor)
    {
        _wrapExecutor = wrapExecutor;
        EngineCount = engines;
        Targets = targets;
        _storage = storage;
        _managementReplicas = managementReplicas;
        _stepReached = stepReached;
        Network = new InProcessNetwork();
        _client = new RpcNode(Network);
    }

    public InProcessNetwork Network { get; }

    /// <summary>Where retried service calls report each failed attempt (for diagnosing a test).</summary>
    public Action<string>? Log { get; set; }

    public int EngineCount { get; }

    /// <summary>How long <see cref="CallAsync"/> waits for a reply (a killed engine's requests fail after it).</summary>
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public int Targets { get; }

    public TimeProvider Time => TimeProvider.System;

    public static TransportAddress AddressOf(int rank) => TransportAddress.Parse($"inproc://engine-{rank}");

    public DaosEngine Engine(int rank) => _engines[rank];

    public IEngineStorage Storage(int rank) => _storageByRank[rank];

    /// <summary>Management addresses clients are given (the first <c>managementReplicas</c> ranks).</summary>
    public IReadOnlyList<string> ManagementEndpoints => [.. Enumerable.Range(0, _managementReplicas).Select(r => AddressOf(r).ToString())];

    /// <param name="engines">Ranks 0..engines-1.</param>
    /// <param name="targets">Targets per engine.</param>
    /// <param name="storage">Each rank's storage.</param>
    /// <param name="managementReplicas">Ranks 0..n-1 replicate the management service.</param>
    /// <param name="stepReached">The service step seam of every engine, told which rank reached the step.</param>
    /// <param name="serviceCallTimeout">Engine-to-engine call timeout; 10 s when null.</param>
    /// <param name="wrapExecutor">Optionally wraps the executor of (rank, target) given to the engine (to hold its work in tests).</param>
    public static async Task<EngineCluster> StartAsync(int engines, int targets, Func<int, IEngineStorage> storage, int managementReplicas = 1,
        Func<int, global::Daos.Engine.Engine.ServiceStep, Guid, Task>? stepReached = null, TimeSpan? serviceCallTimeout = null,
        Func<int, uint, IRpcExecutor, IRpcExecutor>? wrapExecutor = null)
    {
        var cluster = new EngineCluster(engines, targets, storage, managementReplicas, stepReached, wrapExecutor)
        {
            ServiceCallTimeout = serviceCallTimeout ?? TimeSpan.FromSeconds(10),
        };
        for (int rank = 0; rank < engines; rank++)
        {
            await cluster.StartEngineAsync(rank);
        }

        for (int rank = 0; rank < engines; rank++)
        {
            await cluster._engines[rank].WaitForJoinAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }

        return cluster;
    }

    public async Task StartEngineAsync(int rank)
    {
        if (!_storageByRank.TryGetValue(rank, out IEngineStorage? storage))
        {
            storage = _storage(rank);
            _storageByRank[rank] = storage;
        }

        var executors = new List<DedicatedThreadExecutor>();
        _executors[rank] = executors;
        _engines[rank] = await DaosEngine.StartAsync(new DaosEngineOptions
        {
            Rank = rank,
            TargetCount = Targets,
            Network = Network,
            ListenAddress = AddressOf(rank),
            Storage = storage,
            TimeProvider = TimeProvider.System,
            ExecutorFactory = target =>
            {
                var executor = new DedicatedThreadExecutor($"engine-{rank}-{(target == ProtocolTargets.System ? "sys" : target.ToString(System.Globalization.CultureInfo.InvariantCulture))}");
                executors.Add(executor);
                return _wrapExecutor is null ? executor : _wrapExecutor(rank, target, executor);
            },
            ManagementReplicas = Enumerable.Range(0, _managementReplicas).ToDictionary(r => r, AddressOf),
            ServiceStepReached = _stepReached is null ? null : (step, uuid) => _stepReached(rank, step, uuid),
            Seed = 42 + (ulong)rank,
            ScmBytesPerTargetDefault = 1L << 20,
            ServiceCallTimeout = ServiceCallTimeout,
            NvmeBytesPerTargetDefault = 4L << 20,
        });
    }

    public async Task StopEngineAsync(int rank, bool kill)
    {
        DaosEngine engine = _engines[rank];
        _engines.Remove(rank);
        if (kill)
        {
            await engine.KillAsync();
        }
        else
        {
            await engine.StopAsync();
        }

        foreach (DedicatedThreadExecutor executor in _executors[rank])
        {
            executor.Dispose();
        }
    }

    /// <summary>Sends one request and decodes the reply, rethrowing a failure as the engine's typed exception.</summary>
    public async Task<TReply> CallAsync<TRequest, TReply>(int rank, ushort opcode, uint target, TRequest request)
        where TRequest : IProtocolMessage<TRequest>
        where TReply : IProtocolMessage<TReply>
    {
        var body = new ArrayBufferWriter<byte>();
        ProtocolCodec.Encode(request, body);
        using RpcResponse response = await _client.GetPeer(AddressOf(rank)).SendAsync(opcode, target, body.WrittenMemory, timeout: CallTimeout);
        ProtocolErrors.ThrowIfFailed(response);
        return ProtocolCodec.Decode<TReply>(response.Body.ToArray());
    }

    /// <summary>Sends raw bytes and returns the reply status (for hostile-input tests).</summary>
    public async Task<DaosError> SendRawAsync(int rank, ushort opcode, uint target, byte[] body)
    {
        using RpcResponse response = await _client.GetPeer(AddressOf(rank)).SendAsync(opcode, target, body, timeout: TimeSpan.FromSeconds(30));
        return response.Status;
    }

    /// <summary>Calls a service, following NotLeader hints and waiting out elections (what the client library does).</summary>
    public async Task<TReply> CallServiceAsync<TRequest, TReply>(IReadOnlyList<int> ranks, ushort opcode, TRequest request)
        where TRequest : IProtocolMessage<TRequest>
        where TReply : IProtocolMessage<TReply>
    {
        int next = ranks[0];
        DaosException? last = null;
        for (int attempt = 0; attempt < 200; attempt++)
        {
            int rank = next;
            next = ranks[(ranks.ToList().IndexOf(rank) + 1) % ranks.Count];
            try
            {
                return await CallAsync<TRequest, TReply>(rank, opcode, ProtocolTargets.System, request);
            }
            catch (NotLeaderException e)
            {
                Log?.Invoke($"attempt {attempt} at rank {rank}: {e.Message} (leader {e.LeaderRank})");
                last = e;
                if (e.LeaderRank >= 0 && ranks.Contains(e.LeaderRank) && e.LeaderRank != rank)
                {
                    next = e.LeaderRank;
                }
            }
            catch (DaosException e) when (e.Error is DaosError.Unreachable or DaosError.Timeout or DaosError.TxUncertain or DaosError.Shutdown)
            {
                Log?.Invoke($"attempt {attempt} at rank {rank}: {e.Message}");
                last = e;
            }

            await Task.Delay(20);
        }

        throw new InvalidOperationException($"service on ranks {string.Join(",", ranks)} never answered: {last?.Message}", last);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (int rank in _engines.Keys.ToList())
        {
            await StopEngineAsync(rank, kill: false);
        }

        await _client.DisposeAsync();
    }
}

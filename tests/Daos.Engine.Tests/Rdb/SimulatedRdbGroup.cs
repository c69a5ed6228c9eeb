using Daos.Engine.Rdb;
using Daos.Engine.Rdb.Raft;
using Daos.Harness.Network;
using Daos.Harness.Scheduling;
using Daos.Harness.Storage;
using Daos.Transport;

namespace Daos.Engine.Tests.Rdb;

/// <summary>
/// A group of <see cref="RdbReplica"/>s on the harness (deterministic scheduler, simulated network — without faults
/// unless <c>network</c> options say otherwise — one <see cref="SimulatedMedium"/> per replica): start, find the
/// leader, crash a replica (its medium drops what was not durable) and restart it. Checks as it runs that no two
/// replicas lead one term and that every replica applies the same entry at each index; <see cref="Violation"/>
/// reports the first breach. Focused tests use it directly; <see cref="RdbClusterSimulation"/> adds faults and a
/// client workload on top.
/// </summary>
internal sealed class SimulatedRdbGroup
{
    public static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(10);
    public const ulong BatchingGroupId = 0x5244425F42415443;

    private readonly DeterministicRandom _random;
    private readonly TransportOptions _transport;
    private readonly IRpcExecutor _executor;
    private readonly Dictionary<ulong, TransportAddress> _addresses = [];
    private readonly Dictionary<ulong, ulong> _leaderOfTerm = [];
    private readonly Dictionary<ulong, (ulong Term, ulong Digest)> _appliedEntries = [];
    private readonly RaftConfiguration _voters;
    private readonly ulong _groupId;
    private readonly int _snapshotIntervalEntries;

    public SimulatedRdbGroup(ulong seed, int replicaCount, bool randomizeOrder, SimulatedNetworkOptions? network = null,
        TimeSpan? simulatedTimeLimit = null, int snapshotIntervalEntries = 10_000, ulong groupId = BatchingGroupId)
    {
        _groupId = groupId;
        _snapshotIntervalEntries = snapshotIntervalEntries;
        Scheduler = new DeterministicScheduler(seed, new DeterministicSchedulerOptions
        {
            Output = null,
            RandomizeOrder = randomizeOrder,
            SimulatedTimeLimit = simulatedTimeLimit ?? TimeSpan.FromSeconds(60),
            StepsMax = 3_000_000,
        });
        _random = Scheduler.Random.Fork();
        _transport = SimulatedTransport.Options(Scheduler, requestTimeout: TimeSpan.FromMilliseconds(200),
            timerResolution: TimeSpan.FromMilliseconds(5), reconnectBackoffMax: TimeSpan.FromMilliseconds(50),
            drainTimeout: TimeSpan.FromMilliseconds(50));
        Network = new SimulatedNetwork(Scheduler, network ?? new SimulatedNetworkOptions(), _transport);
        _executor = RpcExecutors.FromSynchronizationContext(Scheduler.SynchronizationContext);
        for (ulong id = 1; id <= (ulong)replicaCount; id++)
        {
            _addresses[id] = TransportAddress.Simulated($"r{id}");
            Media[id] = new SimulatedMedium($"r{id}");
        }

        _voters = new RaftConfiguration(_addresses.Keys);
    }

    public DeterministicScheduler Scheduler { get; }

    public SimulatedNetwork Network { get; }

    public IReadOnlyCollection<ulong> Ids => _addresses.Keys;

    public Dictionary<ulong, SimulatedMedium> Media { get; } = [];

    public Dictionary<ulong, RdbReplica> Replicas { get; } = [];

    public DeterministicRandom Random => _random;

    public TimeProvider Time => Scheduler.Time;

    /// <summary>The first safety breach seen (two leaders in a term, different entries applied at one index), or null.</summary>
    public string? Violation { get; private set; }

    public T Run<T>(Func<Task<T>> main) => Scheduler.Run(main);

    public async Task StartAllAsync()
    {
        foreach (ulong id in _addresses.Keys)
        {
            await StartAsync(id);
        }
    }

    public async Task StartAsync(ulong id)
    {
        var rpc = new RpcNode(Network.Host($"r{id}"), _transport, RpcExecutors.Everywhere(_executor));
        var replica = new RdbReplica(new RdbReplicaOptions
        {
            GroupId = _groupId,
            Raft = new RaftOptions { ReplicaId = id, ElectionTicks = 10, HeartbeatTicks = 1 },
            Addresses = _addresses,
            InitialConfiguration = _voters,
            TickInterval = Tick,
            SnapshotIntervalEntries = _snapshotIntervalEntries,
            RequestTimeoutTicks = 200,
        }, Media[id], rpc, _executor, _random.Fork());
        replica.SteppedUp = term =>
        {
            if (_leaderOfTerm.TryGetValue(term, out ulong other) && other != id)
            {
                Violation ??= $"replicas {other} and {id} both led term {term}";
            }

            _leaderOfTerm[term] = id;
        };
        replica.EntryApplied = entry =>
        {
            ulong digest = Crc64.Compute(entry.Data.Span, entry.Term);
            if (_appliedEntries.TryGetValue(entry.Index, out (ulong Term, ulong Digest) seen) && seen != (entry.Term, digest))
            {
                Violation ??= $"replica {id} applied {entry.Index}/{entry.Term} where {seen.Term} was applied before";
            }

            _appliedEntries[entry.Index] = (entry.Term, digest);
        };
        Replicas[id] = replica;
        await rpc.ListenAsync(_addresses[id]);
        await replica.StartAsync();
    }

    /// <summary>Power loss: the host leaves the network, the replica stops, its medium keeps only what was durable.</summary>
    public async Task CrashAsync(ulong id, ulong crashSeed)
    {
        Network.CrashHost($"r{id}");
        await Replicas[id].DisposeAsync();
        Media[id].Crash(crashSeed);
    }

    /// <summary>Waits until one live replica leads and every other live replica follows it.</summary>
    public async Task<RdbReplica> WaitForLeaderAsync(int ticksMax = 600, ulong excluded = 0)
    {
        for (int tick = 0; tick < ticksMax; tick++)
        {
            RdbReplica? leader = Replicas.Values.FirstOrDefault(r => r.Id != excluded && r.Role == RaftRole.Leader && r.Fault is null);
            if (leader is not null && Replicas.Values.Where(r => r.Id != excluded).All(r => r.LeaderId == leader.Id))
            {
                return leader;
            }

            await Task.Delay(Tick, Scheduler.Time);
        }

        throw new TimeoutException($"no leader within {ticksMax} ticks");
    }

    /// <summary>Waits until every replica has applied the leader's whole log and holds the same store.</summary>
    public async Task<RdbReplica> WaitForConvergenceAsync(int ticksMax = 600)
    {
        for (int tick = 0; tick < ticksMax; tick++)
        {
            RdbReplica? leader = Replicas.Values.FirstOrDefault(r => r.Role == RaftRole.Leader);
            if (leader is not null)
            {
                ulong commit = leader.Node!.CommitIndex;
                if (commit == leader.Node.LastIndex
                    && Replicas.Values.All(r => r.Store.AppliedIndex == commit && r.Store.Digest() == leader.Store.Digest()))
                {
                    return leader;
                }
            }

            await Task.Delay(Tick, Scheduler.Time);
        }

        string states = string.Join(", ", Replicas.Values.Select(r => $"{r.Id}:{r.Role}/t{r.Term}/applied {r.Store.AppliedIndex}"));
        throw new TimeoutException($"no convergence within {ticksMax} ticks: {states}");
    }

    public async Task DisposeAllAsync()
    {
        foreach (RdbReplica replica in Replicas.Values)
        {
            await replica.DisposeAsync();
        }
    }
}

using System.Text;
using Daos.Engine.Rdb;
using Daos.Engine.Rdb.Raft;
using Daos.Harness.Checkers;
using Daos.Harness.Network;
using Daos.Harness.Scheduling;
using Daos.Harness.Storage;
using Daos.Transport;

namespace Daos.Engine.Tests.Rdb;

/// <summary>
/// RDB replicas (<see cref="RdbReplica"/>) on the harness: a <see cref="DeterministicScheduler"/>, a
/// <see cref="SimulatedNetwork"/> with seed-chosen loss, duplication and reordering, and one
/// <see cref="SimulatedMedium"/> per replica. The seed also drives partitions, crashes (the medium drops what was
/// not durable) and restarts, and a key-value client workload. Checkers: at most one leader per term, every
/// replica applies the same entry at each index, and after healing a leader exists and every replica holds the same
/// store within a bounded time; the client history must be linearizable.
/// </summary>
internal sealed class RdbClusterSimulation
{
    private const ulong GroupId = 0x5244425F54455354;
    private static readonly TimeSpan Tick = SimulatedRdbGroup.Tick;
    public const int ConvergenceTicksMax = 600;

    private readonly ulong _seed;
    private readonly int _replicaCount;
    private readonly SimulatedRdbGroup _group;
    private readonly DeterministicScheduler _scheduler;
    private readonly DeterministicRandom _random;
    private readonly SimulatedNetwork _network;
    private readonly Dictionary<ulong, RdbReplica> _replicas;
    private readonly List<KvOperation> _history = [];
    private int _restarts;

    public RdbClusterSimulation(ulong seed, int replicaCount)
    {
        _seed = seed;
        _replicaCount = replicaCount;
        var rates = new DeterministicRandom(seed ^ 0x9E3779B97F4A7C15);
        var options = new SimulatedNetworkOptions
        {
            PacketLossProbability = rates.Chance(0.5) ? rates.NextDouble() * 0.05 : 0,
            PacketDuplicationProbability = rates.Chance(0.5) ? rates.NextDouble() * 0.05 : 0,
            PacketReorderProbability = rates.Chance(0.5) ? rates.NextDouble() * 0.1 : 0,
        };
        _group = new SimulatedRdbGroup(seed, replicaCount, randomizeOrder: true, options, simulatedTimeLimit: TimeSpan.FromSeconds(30),
            snapshotIntervalEntries: 16, groupId: GroupId);
        _scheduler = _group.Scheduler;
        _random = _group.Random;
        _network = _group.Network;
        _replicas = _group.Replicas;
        NetworkDescription = options.ToString() ?? "";
    }

    public string NetworkDescription { get; }

    public static TimeSpan Workload { get; set; } = TimeSpan.FromSeconds(3);

    public int Restarts => _restarts;

    public int Operations => _history.Count;

    public string Summary => _scheduler.Summary;

    public string Probe() => $"steps {_scheduler.StepCount}, simulated {_scheduler.Elapsed.TotalMilliseconds}ms";

    /// <summary>Runs the seed; returns null when every check passed, else what failed (with the seed).</summary>
    public string? Run()
    {
        if (double.TryParse(Environment.GetEnvironmentVariable("DAOS_RDB_WORKLOAD_SECONDS"), System.Globalization.CultureInfo.InvariantCulture, out double seconds))
        {
            Workload = TimeSpan.FromSeconds(seconds);
        }

        try
        {
            return _scheduler.Run(RunAsync);
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or DaosException)
        {
            return $"seed {_seed} ({_replicaCount} replicas): {e.GetType().Name}: {e.Message}";
        }
    }

    private async Task<string?> RunAsync()
    {
        await _group.StartAllAsync();

        var clients = new List<Task>();
        for (int client = 0; client < 3; client++)
        {
            clients.Add(ClientAsync(client, _random.Fork(), Workload));
        }

        Task faults = FaultsAsync(_random.Fork(), Workload);
        await Task.WhenAll(clients);
        await faults;
        _network.Heal();
        string? convergence = await ConvergeAsync();
        await _group.DisposeAllAsync();
        if (_group.Violation is not null)
        {
            return $"seed {_seed} ({_replicaCount} replicas, {NetworkDescription}): {_group.Violation}";
        }

        if (convergence is not null)
        {
            return $"seed {_seed} ({_replicaCount} replicas, {NetworkDescription}): {convergence}";
        }

        LinearizabilityResult result = LinearizabilityChecker.CheckKv(_history);
        return result.IsLinearizable
            ? null
            : $"seed {_seed} ({_replicaCount} replicas): history of {_history.Count} operations is {result.Outcome} on key {result.Key}";
    }

    private async Task CrashAsync(ulong id)
    {
        await _group.CrashAsync(id, _random.NextUInt64());
        _restarts++;
    }

    private async Task FaultsAsync(DeterministicRandom random, TimeSpan duration)
    {
        DateTimeOffset end = _scheduler.Time.GetUtcNow() + duration;
        while (_scheduler.Time.GetUtcNow() < end)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100 + random.Next(400)), _scheduler.Time);
            int action = random.Next(10);
            ulong a = 1 + random.NextUInt64((ulong)_replicaCount);
            ulong b = 1 + random.NextUInt64((ulong)_replicaCount);
            if (action < 3 && a != b)
            {
                _network.Partition($"r{a}", $"r{b}");
            }
            else if (action < 4)
            {
                // Isolate one replica from all others.
                foreach (ulong other in _group.Ids.Where(o => o != a))
                {
                    _network.Partition($"r{a}", $"r{other}");
                }
            }
            else if (action < 6)
            {
                _network.Heal();
            }
            else if (action < 7)
            {
                await CrashAsync(a);
                await Task.Delay(TimeSpan.FromMilliseconds(random.Next(300)), _scheduler.Time);
                await _group.StartAsync(a);
            }
        }
    }

    private async Task ClientAsync(int client, DeterministicRandom random, TimeSpan duration)
    {
        DateTimeOffset end = _scheduler.Time.GetUtcNow() + duration;
        ulong target = 1;
        int sequence = 0;
        while (_scheduler.Time.GetUtcNow() < end)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(random.Next(1, 40)), _scheduler.Time);
            string key = $"k{random.Next(3)}";
            RdbReplica replica = _replicas[target];
            long call = Now();
            if (random.Chance(0.5))
            {
                string value = $"{client}.{sequence++}";
                RdbWriteResult result = await replica.WriteAsync(new RdbTransaction()
                    .Update(RdbPath.Root, Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(value)));
                switch (result.Status)
                {
                    case DaosError.None:
                        _history.Add(new KvOperation(client, KvOperationKind.Put, key, value, call, Now()));
                        break;
                    case DaosError.TxUncertain:
                        _history.Add(new KvOperation(client, KvOperationKind.Put, key, value, call, KvOperation.Pending));
                        break;
                    case DaosError.NotLeader when result.LeaderHint != 0:
                        target = result.LeaderHint;
                        break;
                    default:
                        target = 1 + random.NextUInt64((ulong)_replicaCount);
                        break;
                }
            }
            else
            {
                try
                {
                    string? value = await replica.ReadAsync(store =>
                        store.Lookup(RdbPath.Root, Encoding.UTF8.GetBytes(key), out ReadOnlyMemory<byte> found) == DaosError.None
                            ? Encoding.UTF8.GetString(found.Span)
                            : null);
                    _history.Add(new KvOperation(client, KvOperationKind.Get, key, value, call, Now()));
                }
                catch (DaosException)
                {
                    target = replica.LeaderId != 0 ? replica.LeaderId : 1 + random.NextUInt64((ulong)_replicaCount);
                }
            }
        }
    }

    private async Task<string?> ConvergeAsync()
    {
        // One write through the leader after healing, so every replica must catch up to it.
        for (int attempt = 0; attempt < ConvergenceTicksMax / 10; attempt++)
        {
            await Task.Delay(Tick * 10, _scheduler.Time);
            RdbReplica? leader = _replicas.Values.FirstOrDefault(r => r.Role == RaftRole.Leader);
            if (leader is null)
            {
                continue;
            }
            ulong commit = leader.Node!.CommitIndex;
            bool same = _replicas.Values.All(r => r.Store.AppliedIndex == commit && r.Store.Digest() == leader.Store.Digest());
            if (same && commit == leader.Node.LastIndex)
            {
                return null;
            }
        }

        string states = string.Join(", ", _replicas.Values.Select(r => $"{r.Id}:{r.Role}/t{r.Term}/applied {r.Store.AppliedIndex}"));
        return $"no convergence within {ConvergenceTicksMax} ticks after healing: {states}";
    }

    private long Now() => _scheduler.Time.GetUtcNow().UtcTicks;
}

using System.Text;
using Daos.Harness;
using Daos.Harness.Checkers;
using Daos.Harness.Network;
using Daos.Harness.Scheduling;

namespace Daos.Client.Tests.Simulation;

/// <summary>
/// One seed of the pool service fail-over simulation: a 4-engine cluster on the simulated network (seeded delays, loss
/// and reordering), one pool with a 3-replica service, three clients running pool and container metadata operations
/// (container attributes, container create and list, snapshot create and list, object id allocation through a container
/// handle opened for it and closed after) while a nemesis kills and restarts
/// service replicas (the leader first of all), partitions the leader from the other ranks and cuts a client off from
/// it. Everything runs on one <see cref="DeterministicScheduler"/>, so the seed fixes the whole run.
/// </summary>
/// <remarks>
/// Afterwards: the attribute and container histories go to the linearizability checker (a container create is a put of
/// its label, a list is a read of every label ever tried); snapshots are checked as a grow-only set (an epoch returned
/// before a list started is in it, lists only grow, epochs grow in real time); the service must have moved to another
/// leader, and after the last heal and restart every client must complete a write and read it back. Object id ranges
/// must not overlap, and the container's counter may have moved past the ranges returned only by as many ranges as
/// allocations failed (a retried allocation that reserved a second range would exceed it).
/// </remarks>
internal sealed class PoolServiceSimulation
{
    private const string PoolLabel = "sim";
    private const string SharedContainer = "meta";
    private const int ClientCount = 3;
    private static readonly string[] AttributeKeys = ["a0", "a1", "a2"];

    private readonly ulong _seed;
    private readonly int _faultRounds;
    private readonly List<KvOperation> _history = [];
    private readonly List<SnapshotCreate> _snapshotCreates = [];
    private readonly List<SnapshotList> _snapshotLists = [];
    private readonly List<(long Call, long Return, HashSet<string> Labels)> _containerLists = [];
    private readonly List<string> _labelsTried = [];
    private readonly List<string> _faults = [];
    private readonly List<int> _leaders = [];
    private readonly List<ulong> _oidRanges = [];
    private long _clock;
    private int _failedSnapshotCreates;
    private int _failedAllocations;
    private ulong _oidCounterAtEnd; // where the counter stood when the workload ended (the start of one more range)

    /// <summary>The object ids a container handle reserves from the service at a time (the client's range size).</summary>
    private const ulong OidRangeSize = 256;

    public PoolServiceSimulation(ulong seed, int faultRounds)
    {
        _seed = seed;
        _faultRounds = faultRounds;
    }

    /// <summary>Operations that completed, per client.</summary>
    public int[] Completed { get; } = new int[ClientCount];

    /// <summary>Operations whose outcome is unknown (an error after the retries), per client.</summary>
    public int[] Uncertain { get; } = new int[ClientCount];

    /// <summary>The scheduler's trace hash at the end of the run.</summary>
    public ulong TraceHash { get; private set; }

    /// <summary>A hash of the recorded history (operations, values, logical times).</summary>
    public ulong HistoryHash { get; private set; }

    /// <summary>The scheduler's summary line (seed, steps, simulated time, trace hash).</summary>
    public string Summary { get; private set; } = "";

    /// <summary>The simulated network's counters at the end.</summary>
    public string NetworkStatistics { get; private set; } = "";

    /// <summary>Every service leader seen, in order (a new entry each time the leader changed).</summary>
    public IReadOnlyList<int> Leaders => _leaders;

    /// <summary>What the nemesis did, in order.</summary>
    public IReadOnlyList<string> Faults => _faults;

    /// <summary>The key-value projection of the history, for the linearizability checker.</summary>
    public IReadOnlyList<KvOperation> History => _history;

    /// <summary>Runs the seed; throws (with the seed in the message) if the run itself fails.</summary>
    public void Run()
    {
        var scheduler = new DeterministicScheduler(_seed, new DeterministicSchedulerOptions
        {
            Output = null,
            SimulatedTimeLimit = TimeSpan.FromMinutes(20),
            StepsMax = 20_000_000,
        });
        var random = new DeterministicRandom(_seed ^ 0x6A09E667F3BCC908UL);
        SimulatedNetworkOptions network = new()
        {
            OneWayDelayMin = TimeSpan.FromMicroseconds(random.Next(50, 500)),
            OneWayDelayMean = TimeSpan.FromMicroseconds(random.Next(500, 3000)),
            PacketLossProbability = random.Chance(0.5) ? 0 : random.NextDouble() * 0.02,
            PacketReorderProbability = random.Chance(0.5) ? 0 : random.NextDouble() * 0.3,
        };
        try
        {
            scheduler.Run(() => RunAsync(scheduler, network, random));
        }
        catch (Exception e) when (e is not ShouldFailException)
        {
            throw new InvalidOperationException($"seed {_seed}: the run failed ({scheduler.Summary}; network {network}; faults: {string.Join("; ", _faults)})", e);
        }

        TraceHash = scheduler.TraceHash;
        Summary = $"{scheduler.Summary}; network {network}";
        HistoryHash = HashHistory();
    }

    /// <summary>
    /// Checks everything a run promises; the message of a failure names the seed. Every write takes effect at most
    /// once: a retry carries its call's operation key, so a request that arrives again (sent again after a lost
    /// reply, or delivered late) is answered with the first outcome and any double effect fails the check.
    /// </summary>
    public void Check()
    {
        string context = $"seed {_seed} ({Summary}; faults: {string.Join("; ", _faults)}; leaders {string.Join(",", _leaders)})";
        Assert.True(_leaders.Distinct().Count() >= 2, $"the pool service never moved to another leader: {context}");
        for (int client = 0; client < ClientCount; client++)
        {
            Assert.True(Completed[client] >= 10, $"client {client} completed only {Completed[client]} operations: {context}");
        }

        var kv = new List<KvOperation>(_history);
        foreach ((long call, long ret, HashSet<string> labels) in _containerLists)
        {
            foreach (string label in _labelsTried)
            {
                kv.Add(new KvOperation(-1, KvOperationKind.Get, "container/" + label, labels.Contains(label) ? "present" : null, call, ret));
            }
        }

        LinearizabilityResult result = LinearizabilityChecker.CheckKv(kv);
        Assert.True(result.IsLinearizable, $"{result.Outcome} on key {result.Key} in {kv.Count} operations: {context}");
        CheckSnapshots(context);
        CheckOidRanges(context);
    }

    /// <summary>Object id ranges returned to different calls never overlap, and none was reserved twice by one call.</summary>
    private void CheckOidRanges(string context)
    {
        ulong[] starts = [.. _oidRanges.Order()];
        for (int i = 1; i < starts.Length; i++)
        {
            Assert.True(starts[i] - starts[i - 1] >= OidRangeSize, $"object id ranges at {starts[i - 1]} and {starts[i]} overlap: {context}");
        }

        // The service counter starts at 1 and moves by one range per reservation; the final handle's range, reserved
        // after the workload, starts where the workload's reservations end.
        ulong reserved = (_oidCounterAtEnd - 1) / OidRangeSize;
        Assert.True(reserved >= (ulong)starts.Length, $"{starts.Length} ranges returned but the counter shows {reserved}: {context}");
        Assert.True(reserved <= (ulong)(starts.Length + _failedAllocations),
            $"{reserved} ranges reserved for {starts.Length} returned and {_failedAllocations} failed allocations (an allocation applied twice): {context}");
    }

    /// <summary>Object id ranges returned by the workload's allocations.</summary>
    public int OidRangesReturned => _oidRanges.Count;

    /// <summary>Allocations that ended in an error.</summary>
    public int FailedAllocations => _failedAllocations;

    private void CheckSnapshots(string context)
    {
        Assert.True(UnreturnedSnapshots <= _failedSnapshotCreates,
            $"{UnreturnedSnapshots} listed snapshots were never returned but only {_failedSnapshotCreates} creates failed (a create applied twice): {context}");
        foreach (SnapshotCreate create in _snapshotCreates)
        {
            foreach (SnapshotList list in _snapshotLists.Where(l => l.Call > create.Return))
            {
                Assert.True(list.Epochs.Contains(create.Epoch), $"snapshot {create.Epoch} returned at {create.Return} is missing from a list started at {list.Call}: {context}");
            }

            foreach (SnapshotCreate later in _snapshotCreates.Where(c => c.Call > create.Return))
            {
                Assert.True(later.Epoch > create.Epoch, $"snapshot {later.Epoch} taken after {create.Epoch} returned has an older epoch: {context}");
            }
        }

        foreach (SnapshotList first in _snapshotLists)
        {
            foreach (SnapshotList later in _snapshotLists.Where(l => l.Call > first.Return))
            {
                Assert.True(first.Epochs.IsSubsetOf(later.Epochs), $"a snapshot list lost epochs {string.Join(",", first.Epochs.Except(later.Epochs))}: {context}");
            }
        }

    }

    /// <summary>
    /// Listed snapshots that no create returned: only creates that ended in an error may leave one (a create whose
    /// reply was lost is answered on retry with the snapshot it made, never makes a second).
    /// </summary>
    public int UnreturnedSnapshots =>
        _snapshotLists.SelectMany(l => l.Epochs).Distinct().Count(e => !_snapshotCreates.Any(c => c.Epoch == e));

    /// <summary>Snapshot creates that ended in an error.</summary>
    public int FailedSnapshotCreates => _failedSnapshotCreates;

    private async Task RunAsync(DeterministicScheduler scheduler, SimulatedNetworkOptions network, DeterministicRandom random)
    {
        await using TestCluster cluster = await TestCluster.StartAsync(new TestClusterOptions
        {
            Engines = 4,
            TargetsPerEngine = 1,
            Seed = _seed,
            Network = TestClusterNetwork.Simulated,
            Scheduler = scheduler,
            SimulatedNetwork = network,
        });

        var clients = new DaosClient[ClientCount];
        var containers = new DaosContainer[ClientCount];
        var pools = new DaosPool[ClientCount];
        for (int i = 0; i < ClientCount; i++)
        {
            clients[i] = await cluster.ConnectClientAsync();
        }

        // Creates name what they make (client-chosen uuids): a retry after a lost reply answers the pool or container
        // the first attempt made, so Exists here would be a bug.
        await clients[0].Admin.CreatePoolAsync(PoolLabel, new PoolCreateOptions { ScmSizeBytes = 4L << 20, NvmeSizeBytes = 4L << 20 });

        PoolInfo pool = await FindPoolAsync(clients[0]);
        for (int i = 0; i < ClientCount; i++)
        {
            pools[i] = await clients[i].ConnectPoolAsync(PoolLabel);
        }

        await (await pools[0].CreateContainerAsync(SharedContainer)).DisposeAsync();
        for (int i = 0; i < ClientCount; i++)
        {
            containers[i] = await pools[i].OpenContainerAsync(SharedContainer);
        }

        await NoteLeaderAsync(cluster, pool.Uuid, scheduler.Time);
        var stop = new CancellationTokenSource();
        Task[] workers = [.. Enumerable.Range(0, ClientCount).Select(i => ClientLoopAsync(i, pools[i], containers[i], random.Fork(), stop.Token))];
        await NemesisAsync(cluster, pool, random.Fork(), scheduler.Time);
        stop.Cancel();
        await Task.WhenAll(workers);

        // After the last heal and restart, the service answers every client again.
        for (int i = 0; i < ClientCount; i++)
        {
            string value = $"final-{i}";
            long call = ++_clock;
            await containers[i].SetAttributeAsync("final", Encoding.UTF8.GetBytes(value));
            _history.Add(new KvOperation(i, KvOperationKind.Put, "attribute/final", value, call, ++_clock));
            call = ++_clock;
            byte[]? read = await containers[i].GetAttributeAsync("final");
            _history.Add(new KvOperation(i, KvOperationKind.Get, "attribute/final", read is null ? null : Encoding.UTF8.GetString(read), call, ++_clock));
        }

        // Where the object id counter ended: the first id of a range reserved now, through a fresh handle.
        _oidCounterAtEnd = await AllocateOidRangeAsync(pools[0]);

        NetworkStatistics = cluster.SimulatedNetwork!.Statistics.ToString();
        for (int i = 0; i < ClientCount; i++)
        {
            await containers[i].DisposeAsync();
            await pools[i].DisposeAsync();
            await clients[i].DisposeAsync();
        }
    }

    private static async Task<PoolInfo> FindPoolAsync(DaosClient client)
    {
        await foreach (PoolInfo info in client.Admin.ListPoolsAsync())
        {
            if (info.Label == PoolLabel)
            {
                return info;
            }
        }

        throw new DaosException(DaosError.NonExistent, $"pool {PoolLabel} is not listed");
    }

    private async Task NemesisAsync(TestCluster cluster, PoolInfo pool, DeterministicRandom random, TimeProvider time)
    {
        for (int round = 0; round < _faultRounds; round++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(random.Next(300, 900)), time);
            int? leader = cluster.PoolServiceLeader(pool.Uuid);
            int victim = leader ?? pool.ServiceReplicas[random.Next(pool.ServiceReplicas.Count)];
            int others = random.Next(4);
            if (round == 0 || others == 0)
            {
                _faults.Add($"{time.GetUtcNow():mm:ss.fff} kill leader {victim}");
                await cluster.KillEngineAsync(victim);
                await NoteLeaderAsync(cluster, pool.Uuid, time);
                await Task.Delay(TimeSpan.FromMilliseconds(random.Next(500, 2500)), time);
                await cluster.RestartEngineAsync(victim);
            }
            else if (others == 1)
            {
                int[] rest = [.. cluster.Ranks.Where(r => r != victim)];
                _faults.Add($"{time.GetUtcNow():mm:ss.fff} partition {victim} from {string.Join(",", rest)}");
                cluster.Partition([victim], rest);
                await Task.Delay(TimeSpan.FromMilliseconds(random.Next(2500, 4000)), time);
                await NoteLeaderAsync(cluster, pool.Uuid, time);
                cluster.Heal();
                _faults.Add($"{time.GetUtcNow():mm:ss.fff} heal");
            }
            else if (others == 2)
            {
                int replica = pool.ServiceReplicas[random.Next(pool.ServiceReplicas.Count)];
                _faults.Add($"{time.GetUtcNow():mm:ss.fff} kill replica {replica}");
                await cluster.KillEngineAsync(replica);
                await Task.Delay(TimeSpan.FromMilliseconds(random.Next(500, 2000)), time);
                await cluster.RestartEngineAsync(replica);
            }
            else
            {
                string client = TestCluster.ClientHostOf(random.Next(ClientCount));
                _faults.Add($"{time.GetUtcNow():mm:ss.fff} cut {client} from leader {victim}");
                cluster.Partition([client], [TestCluster.HostOf(victim)]);
                await Task.Delay(TimeSpan.FromMilliseconds(random.Next(500, 1500)), time);
                cluster.Heal();
            }

            await NoteLeaderAsync(cluster, pool.Uuid, time);
        }

        // A quiet tail: a client that spent the fault window cut off or waiting out timeouts makes its progress here
        // (each operation is up to three service calls).
        await Task.Delay(TimeSpan.FromSeconds(3), time);
    }

    /// <summary>Waits (up to 30 s simulated) for a service leader and notes it when it differs from the last one.</summary>
    private async Task NoteLeaderAsync(TestCluster cluster, Guid pool, TimeProvider time)
    {
        for (int wait = 0; wait < 3000; wait++)
        {
            if (cluster.PoolServiceLeader(pool) is { } leader)
            {
                if (_leaders.Count == 0 || _leaders[^1] != leader)
                {
                    _leaders.Add(leader);
                }

                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(10), time);
        }

        throw new ShouldFailException($"seed {_seed}: no pool service leader within 30 s (faults: {string.Join("; ", _faults)})");
    }

    private async Task ClientLoopAsync(int client, DaosPool pool, DaosContainer container, DeterministicRandom random, CancellationToken stop)
    {
        for (int n = 0; !stop.IsCancellationRequested; n++)
        {
            int choice = random.Next(100);
            string label = $"c{client}-{n}";
            long call = ++_clock;
            try
            {
                if (choice < 50)
                {
                    await AttributeAsync(client, n, container, random, call);
                }
                else if (choice < 65)
                {
                    _labelsTried.Add(label);
                    try
                    {
                        await (await pool.CreateContainerAsync(label, ct: CancellationToken.None)).DisposeAsync();
                    }
                    catch (DaosException e) when (e.Error == DaosError.Exists)
                    {
                        // A retry after a lost reply: the first attempt created it (labels are never reused).
                    }

                    _history.Add(new KvOperation(client, KvOperationKind.Put, "container/" + label, "present", call, ++_clock));
                }
                else if (choice < 80)
                {
                    var labels = new HashSet<string>(StringComparer.Ordinal);
                    await foreach (ContainerInfo info in pool.ListContainersAsync(CancellationToken.None))
                    {
                        labels.Add(info.Label);
                    }

                    _containerLists.Add((call, ++_clock, labels));
                }
                else if (choice < 85)
                {
                    try
                    {
                        _oidRanges.Add(await AllocateOidRangeAsync(pool));
                    }
                    catch (DaosException e) when (e.Data.Contains(AllocationFailed))
                    {
                        _failedAllocations++;
                        throw;
                    }
                }
                else if (choice < 93)
                {
                    Epoch epoch = await container.CreateSnapshotAsync(ct: CancellationToken.None);
                    _snapshotCreates.Add(new SnapshotCreate(epoch.Value, call, ++_clock));
                }
                else
                {
                    var epochs = new HashSet<ulong>();
                    await foreach (SnapshotInfo info in container.ListSnapshotsAsync(CancellationToken.None))
                    {
                        epochs.Add(info.Epoch.Value);
                    }

                    _snapshotLists.Add(new SnapshotList(call, ++_clock, epochs));
                }

                Completed[client]++;
            }
            catch (DaosException)
            {
                // The outcome is unknown: a write may or may not have happened (recorded pending where it matters).
                Uncertain[client]++;
                if (choice is >= 50 and < 65)
                {
                    _history.Add(new KvOperation(client, KvOperationKind.Put, "container/" + label, "present", call, KvOperation.Pending));
                }
                else if (choice is >= 85 and < 93)
                {
                    _failedSnapshotCreates++;
                }
            }
        }
    }

    private const string AllocationFailed = "allocation-failed";

    /// <summary>
    /// Opens a handle on the shared container, takes one object id (the handle's first, so the start of the range the
    /// service reserved for it) and closes the handle: a keyed open, allocation and close. An error from the
    /// allocation itself is marked (it may have reserved a range whose reply was lost).
    /// </summary>
    private static async Task<ulong> AllocateOidRangeAsync(DaosPool pool)
    {
        DaosContainer handle = await pool.OpenContainerAsync(SharedContainer, ct: CancellationToken.None);
        try
        {
            return (await handle.AllocateObjectIdAsync(ObjectType.KeyValue, ObjectClass.S1, CancellationToken.None)).Lo;
        }
        catch (DaosException e)
        {
            e.Data[AllocationFailed] = true;
            throw;
        }
        finally
        {
            try
            {
                await handle.DisposeAsync();
            }
            catch (DaosException)
            {
                // The close's outcome is unknown: the handle is left to the service; the range is what counts here.
            }
        }
    }

    private async Task AttributeAsync(int client, int n, DaosContainer container, DeterministicRandom random, long call)
    {
        string key = AttributeKeys[random.Next(AttributeKeys.Length)];
        int kind = random.Next(20);
        if (kind < 10)
        {
            byte[]? value = await container.GetAttributeAsync(key);
            _history.Add(new KvOperation(client, KvOperationKind.Get, "attribute/" + key, value is null ? null : Encoding.UTF8.GetString(value), call, ++_clock));
            return;
        }

        bool put = kind < 17;
        string written = $"c{client}-{n}";
        try
        {
            if (put)
            {
                await container.SetAttributeAsync(key, Encoding.UTF8.GetBytes(written));
            }
            else
            {
                await container.DeleteAttributeAsync(key);
            }
        }
        catch (DaosException)
        {
            _history.Add(new KvOperation(client, put ? KvOperationKind.Put : KvOperationKind.Delete, "attribute/" + key, put ? written : null, call, KvOperation.Pending));
            throw;
        }

        _history.Add(new KvOperation(client, put ? KvOperationKind.Put : KvOperationKind.Delete, "attribute/" + key, put ? written : null, call, ++_clock));
    }

    private ulong HashHistory()
    {
        ulong hash = _seed;
        foreach (KvOperation operation in _history)
        {
            hash = Crc64.Compute(Encoding.UTF8.GetBytes(operation.ToString()), hash);
        }

        foreach (SnapshotCreate create in _snapshotCreates)
        {
            hash = Crc64.Compute(create.Epoch ^ (ulong)create.Call, hash);
        }

        return hash;
    }

    private readonly record struct SnapshotCreate(ulong Epoch, long Call, long Return);

    private sealed record SnapshotList(long Call, long Return, HashSet<ulong> Epochs);

    private sealed class ShouldFailException(string message) : InvalidOperationException(message);
}

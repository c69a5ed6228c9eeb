using Daos.Client;
using Daos.Client.Retries;
using Daos.Engine.Engine;
using Daos.Protocol;
using Daos.Protocol.Management;
using Daos.Protocol.Pools;
using Xunit.Abstractions;

namespace Daos.Engine.Tests.Cluster;

/// <summary>
/// Nothing half-created: the leader of the service running a create is killed (its storage crashed, then restarted)
/// at each step of the create, chosen through the engine's service-step seam. The client's create, retried with
/// the same uuid, either succeeds exactly once or fails with nothing left: afterwards no engine's storage holds a
/// shard or registry entry of any pool but the one created, and the label is free when the create failed.
/// </summary>
public sealed class CreateFaultTests(ITestOutputHelper output)
{
    private const int Engines = 3;
    private const int Targets = 2;
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(45);

    public static TheoryData<string> PoolSteps =>
        new(nameof(ServiceStep.PoolCreateIntentWritten), nameof(ServiceStep.PoolCreateShardsCreated), nameof(ServiceStep.PoolCreateRecordWritten));

    public static TheoryData<string> ContainerSteps =>
        new(nameof(ServiceStep.ContainerCreateChecked), nameof(ServiceStep.ContainerCreateRecordWritten));

    [Theory]
    [MemberData(nameof(PoolSteps))]
    public async Task Pool_create_with_its_leader_killed_at_a_step_is_made_once_or_leaves_nothing(string stepName)
    {
        ServiceStep step = Enum.Parse<ServiceStep>(stepName);
        var fault = new StepFault(step);
        var storages = new SimulatedEngineStorage[Engines];
        await using EngineCluster cluster = await EngineCluster.StartAsync(Engines, Targets,
            rank => storages[rank] = new SimulatedEngineStorage($"rank{rank}"), managementReplicas: Engines, stepReached: fault.ReachedAsync);
        await using DaosClient client = await ConnectAsync(cluster);

        Task<PoolInfo> create = client.Admin.CreatePoolAsync("tank", new PoolCreateOptions { ScmSizeBytes = 1L << 20, NvmeSizeBytes = 1L << 20 }).AsTask();
        int leader = await fault.Reached.WaitAsync(SettleTimeout);
        await fault.KillAsync(cluster, storages[leader], leader, seed: (ulong)step + 1);
        await cluster.StartEngineAsync(leader);

        PoolInfo? created = null;
        DaosException? failure = null;
        try
        {
            created = await create.WaitAsync(SettleTimeout);
        }
        catch (DaosException e)
        {
            failure = e;
        }

        // Whatever the outcome, every engine's storage settles on it: the created pool everywhere, or no pool anywhere
        // (an intent left by the killed leader is rolled back when the restarted rank joins).
        Guid[] expected = created is null ? [] : [created.Uuid];
        await WaitForAsync(() => PoolsOnEveryEngine(cluster, storages).All(held => held.SetEquals(expected)),
            () => $"step {step}: outcome {(created is null ? failure!.Error.ToString() : created.Uuid.ToString())}, engines hold " +
                string.Join(" | ", PoolsOnEveryEngine(cluster, storages).Select(h => string.Join(",", h))));

        output.WriteLine($"{step}: leader rank {leader} killed; create {(created is null ? "failed with " + failure!.Error : "made " + created.Uuid)}");
        List<PoolInfo> listed = await ListAsync(client);
        if (created is not null)
        {
            PoolInfo only = Assert.Single(listed);
            Assert.Equal(created.Uuid, only.Uuid);
            Assert.Equal("tank", only.Label);
            await using DaosPool pool = await client.ConnectPoolAsync("tank");
            Assert.Equal(Engines * Targets, (await pool.QueryAsync()).TargetsTotal);
        }
        else
        {
            Assert.Empty(listed);
            PoolInfo again = await client.Admin.CreatePoolAsync("tank", new PoolCreateOptions { ScmSizeBytes = 1L << 20, NvmeSizeBytes = 1L << 20 });
            Assert.Equal("tank", again.Label); // the label was not left taken
        }
    }

    [Theory]
    [MemberData(nameof(ContainerSteps))]
    public async Task Container_create_with_its_leader_killed_at_a_step_is_made_once_or_leaves_nothing(string stepName)
    {
        ServiceStep step = Enum.Parse<ServiceStep>(stepName);
        var fault = new StepFault(step);
        var storages = new SimulatedEngineStorage[Engines];
        await using EngineCluster cluster = await EngineCluster.StartAsync(Engines, Targets,
            rank => storages[rank] = new SimulatedEngineStorage($"rank{rank}"), managementReplicas: 1, stepReached: fault.ReachedAsync);
        await using DaosClient client = await ConnectAsync(cluster);
        await client.Admin.CreatePoolAsync("tank", new PoolCreateOptions { ScmSizeBytes = 1L << 20, NvmeSizeBytes = 1L << 20, ServiceReplicas = 3 });
        await using DaosPool pool = await client.ConnectPoolAsync("tank");

        fault.Arm();
        Task<DaosContainer> create = pool.CreateContainerAsync("box").AsTask();
        int leader = await fault.Reached.WaitAsync(SettleTimeout);
        await fault.KillAsync(cluster, storages[leader], leader, seed: (ulong)step + 11);
        await cluster.StartEngineAsync(leader);

        DaosContainer? container = null;
        try
        {
            container = await create.WaitAsync(SettleTimeout);
        }
        catch (DaosException e)
        {
            Assert.True(RetryPolicy.IsTransient(e.Error) || e.Error is DaosError.TxUncertain or DaosError.Shutdown,
                $"step {step}: a failed create ends with why it could not finish, not {e.Error}: {e.Message}");
        }

        output.WriteLine($"{step}: service leader rank {leader} killed; create {(container is null ? "failed" : "made " + container.Uuid)}");
        List<ContainerInfo> listed = [];
        await foreach (ContainerInfo info in pool.ListContainersAsync())
        {
            listed.Add(info);
        }

        if (container is not null)
        {
            ContainerInfo only = Assert.Single(listed);
            Assert.Equal(container.Uuid, only.Uuid);
            Assert.Equal("box", only.Label);
            await container.DisposeAsync();
        }
        else
        {
            Assert.Empty(listed);
            await using DaosContainer again = await pool.CreateContainerAsync("box"); // the label was not left taken
        }
    }

    [Fact]
    public async Task Pool_create_whose_killed_leader_stays_down_fails_and_its_shards_go_when_the_rank_returns()
    {
        const ServiceStep step = ServiceStep.PoolCreateShardsCreated;
        var fault = new StepFault(step);
        var storages = new SimulatedEngineStorage[Engines];

        // Calls to the rank that is down give up after 2 s (they keep reconnecting until their timeout).
        await using EngineCluster cluster = await EngineCluster.StartAsync(Engines, Targets,
            rank => storages[rank] = new SimulatedEngineStorage($"rank{rank}"), managementReplicas: Engines, stepReached: fault.ReachedAsync,
            serviceCallTimeout: TimeSpan.FromSeconds(2));
        await using DaosClient client = await ConnectAsync(cluster, retries: 2, requestTimeout: TimeSpan.FromSeconds(8));

        // The pool asks for every rank, so while the killed leader is down no later leader can finish it.
        Task<PoolInfo> create = client.Admin.CreatePoolAsync("tank", new PoolCreateOptions
        {
            ScmSizeBytes = 1L << 20, NvmeSizeBytes = 1L << 20, Ranks = [.. Enumerable.Range(0, Engines)],
        }).AsTask();
        int leader = await fault.Reached.WaitAsync(SettleTimeout);
        await fault.KillAsync(cluster, storages[leader], leader, seed: (ulong)step + 21);
        DaosException failure = await Assert.ThrowsAsync<DaosException>(() => create.WaitAsync(SettleTimeout));
        output.WriteLine($"{step}: leader rank {leader} killed and kept down; create failed with {failure.Error}: {failure.Message}");
        Assert.Empty(await ListAsync(client));

        // The rank returns holding whatever it made; its join rolls the unfinished create back everywhere.
        await cluster.StartEngineAsync(leader);
        await WaitForAsync(() => PoolsOnEveryEngine(cluster, storages).All(held => held.Count == 0),
            () => $"step {step}: engines still hold " + string.Join(" | ", PoolsOnEveryEngine(cluster, storages).Select(h => string.Join(",", h))));
        Assert.Empty(await ListAsync(client));
        PoolInfo again = await client.Admin.CreatePoolAsync("tank", new PoolCreateOptions { ScmSizeBytes = 1L << 20, NvmeSizeBytes = 1L << 20 });
        Assert.Equal("tank", again.Label);
    }

    [Fact]
    public async Task A_retried_pool_create_answers_the_pool_it_made_and_another_uuid_with_the_label_is_refused()
    {
        await using EngineCluster cluster = await EngineCluster.StartAsync(2, 1, rank => new SimulatedEngineStorage($"rank{rank}"));
        var uuid = Guid.NewGuid();
        var request = new PoolCreateRequest("tank", 1L << 20, 1L << 20, [], 1, uuid);
        PoolInfoReply first = await cluster.CallAsync<PoolCreateRequest, PoolInfoReply>(0,
            ProtocolOpcodes.PoolCreate, ProtocolTargets.System, request);
        PoolInfoReply retried = await cluster.CallAsync<PoolCreateRequest, PoolInfoReply>(0,
            ProtocolOpcodes.PoolCreate, ProtocolTargets.System, request);
        Assert.Equal(uuid, first.Uuid);
        Assert.Equal(uuid, retried.Uuid);

        DaosException other = await Assert.ThrowsAsync<DaosException>(() => cluster.CallAsync<PoolCreateRequest, PoolInfoReply>(0,
            ProtocolOpcodes.PoolCreate, ProtocolTargets.System, request with { Uuid = Guid.NewGuid() }));
        Assert.Equal(DaosError.Exists, other.Error);
        DaosException changed = await Assert.ThrowsAsync<DaosException>(() => cluster.CallAsync<PoolCreateRequest, PoolInfoReply>(0,
            ProtocolOpcodes.PoolCreate, ProtocolTargets.System, request with { Label = "other" }));
        Assert.Equal(DaosError.Exists, changed.Error);
        Assert.Equal([uuid], cluster.Engine(0).Pools);
    }

    /// <summary>
    /// Retries of a create that outlasts its caller's patience join the run in progress: held at a step, the create
    /// is asked for twice more with the same uuid; the step is reached once, and all three calls answer the one pool.
    /// A request with other options does not join (it waits its turn and is refused).
    /// </summary>
    [Fact]
    public async Task Retries_of_a_pool_create_still_running_join_it_instead_of_running_again()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int runs = 0;
        int shardsCreated = 0;
        await using EngineCluster cluster = await EngineCluster.StartAsync(2, 1, rank => new SimulatedEngineStorage($"rank{rank}"),
            stepReached: async (_, step, _) =>
            {
                if (step == ServiceStep.PoolCreateStarted)
                {
                    Interlocked.Increment(ref runs);
                }
                else if (step == ServiceStep.PoolCreateShardsCreated)
                {
                    Interlocked.Increment(ref shardsCreated);
                    reached.TrySetResult();
                    await release.Task;
                }
            });
        var uuid = Guid.NewGuid();
        var request = new PoolCreateRequest("tank", 1L << 20, 1L << 20, [], 1, uuid);
        Task<PoolInfoReply> first = cluster.CallAsync<PoolCreateRequest, PoolInfoReply>(0, ProtocolOpcodes.PoolCreate, ProtocolTargets.System, request);
        await reached.Task.WaitAsync(SettleTimeout);
        Task<PoolInfoReply> second = cluster.CallAsync<PoolCreateRequest, PoolInfoReply>(0, ProtocolOpcodes.PoolCreate, ProtocolTargets.System, request);
        Task<PoolInfoReply> third = cluster.CallAsync<PoolCreateRequest, PoolInfoReply>(0, ProtocolOpcodes.PoolCreate, ProtocolTargets.System,
            request with { Ranks = [] });
        Task<PoolInfoReply> changed = cluster.CallAsync<PoolCreateRequest, PoolInfoReply>(0, ProtocolOpcodes.PoolCreate, ProtocolTargets.System,
            request with { ScmBytesPerTarget = 2L << 20 });
        release.SetResult();

        PoolInfoReply[] replies = await Task.WhenAll(first, second, third).WaitAsync(SettleTimeout);
        Assert.All(replies, r => Assert.Equal(uuid, r.Uuid));
        Assert.Equal(1, Volatile.Read(ref shardsCreated));
        DaosException refused = await Assert.ThrowsAsync<DaosException>(() => changed.WaitAsync(SettleTimeout));
        Assert.Equal(DaosError.Exists, refused.Error);
        Assert.Equal(2, Volatile.Read(ref runs)); // the create, then the one with other options; the retries joined the first
        Assert.Equal([uuid], cluster.Engine(0).Pools);
    }

    private static async Task<DaosClient> ConnectAsync(EngineCluster cluster, int retries = 60, TimeSpan? requestTimeout = null) =>
        await DaosClient.ConnectAsync(new DaosClientOptions
        {
            Transport = new Transport.TransportOptions { RequestTimeout = requestTimeout ?? TimeSpan.FromSeconds(30) },
            ManagementEndpoints = cluster.ManagementEndpoints,
            Network = cluster.Network,
            Retry = new RetryPolicy { RetriesMax = retries, BackoffInitial = TimeSpan.FromMilliseconds(10), BackoffMax = TimeSpan.FromMilliseconds(250) },
        });

    private static async Task<List<PoolInfo>> ListAsync(DaosClient client)
    {
        var pools = new List<PoolInfo>();
        await foreach (PoolInfo pool in client.Admin.ListPoolsAsync())
        {
            pools.Add(pool);
        }

        return pools;
    }

    /// <summary>The pool uuids each engine holds: shard directories in its storage and, if it runs, pools it has open.</summary>
    private static List<HashSet<Guid>> PoolsOnEveryEngine(EngineCluster cluster, SimulatedEngineStorage[] storages)
    {
        var result = new List<HashSet<Guid>>();
        for (int rank = 0; rank < storages.Length; rank++)
        {
            var held = new HashSet<Guid>();
            foreach (string directory in storages[rank].Directories)
            {
                int slash = directory.IndexOf('/', StringComparison.Ordinal);
                if (Guid.TryParse(slash < 0 ? directory : directory[..slash], out Guid uuid))
                {
                    held.Add(uuid);
                }
            }

            foreach (Guid uuid in cluster.Engine(rank).Pools)
            {
                held.Add(uuid);
            }

            result.Add(held);
        }

        return result;
    }

    private static async Task WaitForAsync(Func<bool> condition, Func<string> describe)
    {
        long deadline = Environment.TickCount64 + (long)SettleTimeout.TotalMilliseconds;
        while (!condition())
        {
            Assert.True(Environment.TickCount64 < deadline, describe());
            await Task.Delay(50);
        }
    }

    /// <summary>
    /// The seam's hook: the first time an armed step is reached, it reports the rank and holds the service there
    /// until the test has killed that engine, then fails the step as the crash would (nothing after it runs).
    /// </summary>
    private sealed class StepFault(ServiceStep step)
    {
        private readonly TaskCompletionSource<int> _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _killed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _armed = step is ServiceStep.ContainerCreateChecked or ServiceStep.ContainerCreateRecordWritten ? 0 : 1;
        private int _fired;

        public Task<int> Reached => _reached.Task;

        public void Arm() => Volatile.Write(ref _armed, 1);

        public async Task ReachedAsync(int rank, ServiceStep reached, Guid uuid)
        {
            if (reached != step || Volatile.Read(ref _armed) == 0 || Interlocked.Exchange(ref _fired, 1) != 0)
            {
                return;
            }

            _reached.SetResult(rank);
            await _killed.Task;
            throw new DaosException(DaosError.Shutdown, $"rank {rank} was killed at {step} of the create of {uuid}");
        }

        /// <summary>Kills the engine (its requests drain while the held step fails), then crashes its storage.</summary>
        public async Task KillAsync(EngineCluster cluster, SimulatedEngineStorage storage, int rank, ulong seed)
        {
            Task kill = cluster.StopEngineAsync(rank, kill: true);
            _killed.SetResult();
            await kill;
            storage.Crash(seed);
        }
    }
}

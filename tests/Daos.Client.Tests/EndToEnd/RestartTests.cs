using Daos.Harness;
using static Daos.Client.Tests.EndToEnd.ClusterFixture;

namespace Daos.Client.Tests.EndToEnd;

/// <summary>Engines killed while clients write, then restarted: every acknowledged write is readable afterwards.</summary>
public sealed class RestartTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "daos-client-tests-" + Guid.NewGuid().ToString("N")[..12]);

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public Task Files_every_acknowledged_write_survives_killing_and_restarting_each_engine() =>
        KillRestartAndVerifyAsync(TestClusterStorage.Files(_directory), seed: 1);

    [Theory]
    [InlineData(2UL)]
    [InlineData(3UL)]
    public Task Memory_every_acknowledged_write_survives_a_crash_that_drops_what_was_not_durable(ulong seed) =>
        KillRestartAndVerifyAsync(TestClusterStorage.Memory, seed);

    [Fact]
    public Task Tcp_every_acknowledged_write_survives_engines_killed_and_restarted_on_their_ports() =>
        KillRestartAndVerifyAsync(TestClusterStorage.Memory, seed: 4, TestClusterNetwork.Tcp);

    private static async Task KillRestartAndVerifyAsync(TestClusterStorage storage, ulong seed, TestClusterNetwork network = TestClusterNetwork.InProcess)
    {
        await using TestCluster cluster = await TestCluster.StartAsync(new TestClusterOptions { Engines = 3, TargetsPerEngine = 2, Storage = storage, Seed = seed, Network = network });
        await using DaosClient client = await cluster.ConnectClientAsync();

        // The writer racing the kill gives up fast: its unacknowledged writes are simply not promised.
        await using DaosClient racer = await DaosClient.ConnectAsync(cluster.CreateClientOptions() with
        {
            Retry = new Daos.Client.Retries.RetryPolicy { RetriesMax = 4, BackoffInitial = TimeSpan.FromMilliseconds(5), BackoffMax = TimeSpan.FromMilliseconds(20) },
            Transport = new Daos.Transport.TransportOptions { RequestTimeout = TimeSpan.FromSeconds(1) },
        });
        await client.Admin.CreatePoolAsync("restart", new PoolCreateOptions { ScmSizeBytes = 32L << 20, NvmeSizeBytes = 32L << 20 });
        var acknowledged = new Dictionary<string, string>();
        ObjectId kvId, arrayId;
        byte[] arrayData = new byte[600_000];
        new Random((int)seed).NextBytes(arrayData);
        await using (DaosPool pool = await client.ConnectPoolAsync("restart"))
        await using (DaosContainer container = await pool.CreateContainerAsync("c"))
        await using (DaosPool racerPool = await racer.ConnectPoolAsync("restart"))
        await using (DaosContainer racerContainer = await racerPool.OpenContainerAsync("c"))
        {
            kvId = await container.AllocateObjectIdAsync(ObjectType.KeyValue);
            arrayId = await container.AllocateObjectIdAsync(ObjectType.ByteArray);
            DaosKeyValue kv = container.OpenKeyValue(kvId);
            DaosArray array = await container.CreateArrayAsync(arrayId, 1, 65536);
            await array.WriteAsync(0, arrayData);
            foreach (int rank in cluster.Ranks)
            {
                // Writes in flight while the engine dies may fail; only the acknowledged ones are promised.
                using var killed = new CancellationTokenSource();
                Task<List<(string, string)>> writer = WriteUntilAsync(racerContainer.OpenKeyValue(kvId), rank, killed.Token);
                await Task.Delay(20);
                await cluster.KillEngineAsync(rank);
                await killed.CancelAsync();
                foreach ((string key, string value) in await writer)
                {
                    acknowledged[key] = value;
                }

                await cluster.RestartEngineAsync(rank);
                for (int i = 0; i < 50; i++)
                {
                    await kv.PutAsync($"after-{rank}-{i}", Bytes($"v{i}"));
                    acknowledged[$"after-{rank}-{i}"] = $"v{i}";
                }
            }
        }

        await using (DaosPool pool = await client.ConnectPoolAsync("restart"))
        await using (DaosContainer container = await pool.OpenContainerAsync("c", ContainerAccess.ReadOnly))
        {
            DaosKeyValue kv = container.OpenKeyValue(kvId);
            foreach ((string key, string value) in acknowledged)
            {
                Assert.True(value == Text(await kv.GetAsync(key)), $"seed {seed}: acknowledged {key}={value} reads {Text(await kv.GetAsync(key))}");
            }

            DaosArray array = await container.OpenArrayAsync(arrayId);
            byte[] back = new byte[arrayData.Length];
            Assert.Equal(arrayData.Length, await array.ReadAsync(0, back));
            Assert.True(back.AsSpan().SequenceEqual(arrayData), $"seed {seed}: array bytes differ after restarts");
            Assert.True(acknowledged.Count >= 50 * cluster.Ranks.Count, $"seed {seed}: only {acknowledged.Count} writes were acknowledged");
        }
    }

    private static async Task<List<(string, string)>> WriteUntilAsync(DaosKeyValue kv, int round, CancellationToken killed)
    {
        var done = new List<(string, string)>();
        for (int i = 0; !killed.IsCancellationRequested; i++)
        {
            string key = $"during-{round}-{i}", value = $"value-{round}-{i}";
            try
            {
                await kv.PutAsync(key, Bytes(value), null, CancellationToken.None);
                done.Add((key, value));
            }
            catch (DaosException e) when (e.Error is DaosError.Unreachable or DaosError.Timeout or DaosError.Canceled or DaosError.Shutdown or DaosError.NotLeader or DaosError.Stale or DaosError.NoHandle or DaosError.Busy)
            {
                // The key's target is on the engine being killed: not acknowledged, so not promised.
                await Task.Delay(1, CancellationToken.None);
            }
        }

        return done;
    }
}

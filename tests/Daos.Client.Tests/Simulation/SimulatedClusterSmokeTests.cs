using Daos.Harness;
using Daos.Harness.Scheduling;
using Xunit.Abstractions;

namespace Daos.Client.Tests.Simulation;

public sealed class SimulatedClusterSmokeTests(ITestOutputHelper output)
{
    [Fact]
    public void Pool_and_container_metadata_work_on_the_simulated_network()
    {
        var scheduler = new DeterministicScheduler(5, new DeterministicSchedulerOptions { Output = null, SimulatedTimeLimit = TimeSpan.FromMinutes(5) });
        string result = scheduler.Run(async () =>
        {
            await using TestCluster cluster = await TestCluster.StartAsync(new TestClusterOptions
            {
                Engines = 3, TargetsPerEngine = 1, Seed = 5, Network = TestClusterNetwork.Simulated, Scheduler = scheduler,
            });
            await using DaosClient client = await cluster.ConnectClientAsync();
            await client.Admin.CreatePoolAsync("p", new PoolCreateOptions { ScmSizeBytes = 8L << 20, NvmeSizeBytes = 16L << 20 });
            await using DaosPool pool = await client.ConnectPoolAsync("p");
            await using DaosContainer container = await pool.CreateContainerAsync("c");
            await container.SetAttributeAsync("a", "v"u8.ToArray());
            byte[]? value = await container.GetAttributeAsync("a");
            return System.Text.Encoding.UTF8.GetString(value!);
        });
        output.WriteLine(scheduler.Summary);
        Assert.Equal("v", result);
    }
}

using System.Text;
using Daos.Client;
using Daos.Harness.Network;
using Daos.Harness.Scheduling;

namespace Daos.Harness.Tests.Cluster;

/// <summary>TestCluster's choice of network: option checks, partitions on the simulated network, refusals elsewhere.</summary>
public sealed class TestClusterNetworkTests
{
    [Fact]
    public void Options_that_do_not_fit_the_network_are_refused_naming_the_setting()
    {
        var scheduler = new DeterministicScheduler(1, new DeterministicSchedulerOptions { Output = null });
        AssertRefused(new TestClusterOptions { Network = TestClusterNetwork.Simulated }, "Scheduler");
        AssertRefused(new TestClusterOptions { Network = TestClusterNetwork.Simulated, Scheduler = scheduler, Storage = TestClusterStorage.Files("/tmp/x") }, "Memory");
        AssertRefused(new TestClusterOptions { Network = TestClusterNetwork.InProcess, Scheduler = scheduler }, "simulated network only");
        AssertRefused(new TestClusterOptions { Network = TestClusterNetwork.Tcp, SimulatedNetwork = new SimulatedNetworkOptions() }, "simulated network only");
        AssertRefused(new TestClusterOptions { Network = (TestClusterNetwork)7 }, "network 7");
    }

    [Fact]
    public async Task A_simulated_cluster_refuses_to_start_off_its_scheduler()
    {
        var scheduler = new DeterministicScheduler(1, new DeterministicSchedulerOptions { Output = null });
        DaosException e = await Assert.ThrowsAsync<DaosException>(() =>
            TestCluster.StartAsync(new TestClusterOptions { Network = TestClusterNetwork.Simulated, Scheduler = scheduler }).AsTask());
        Assert.Equal(DaosError.InvalidArgument, e.Error);
        Assert.Contains("inside its scheduler's Run", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Partitions_are_refused_on_networks_without_faults()
    {
        await using TestCluster cluster = await TestCluster.StartAsync(new TestClusterOptions { Engines = 1, TargetsPerEngine = 1 });
        Assert.Equal(DaosError.Unsupported, Assert.Throws<DaosException>(() => cluster.Partition([0], [0])).Error);
        Assert.Equal(DaosError.Unsupported, Assert.Throws<DaosException>(() => cluster.Heal()).Error);
        Assert.Null(cluster.SimulatedNetwork);
    }

    [Theory]
    [InlineData(1UL)]
    [InlineData(2UL)]
    public void A_partitioned_management_leader_is_replaced_and_the_healed_system_serves_clients(ulong seed)
    {
        var scheduler = new DeterministicScheduler(seed, new DeterministicSchedulerOptions { Output = null, SimulatedTimeLimit = TimeSpan.FromMinutes(5) });
        (long dropped, string value, string summary) = scheduler.Run(async () =>
        {
            await using TestCluster cluster = await TestCluster.StartAsync(new TestClusterOptions
            {
                Engines = 3, TargetsPerEngine = 1, Seed = seed, Network = TestClusterNetwork.Simulated, Scheduler = scheduler,
            });
            Assert.Equal(DaosError.InvalidArgument, Assert.Throws<DaosException>(() => cluster.Partition([0], [0, 1])).Error);
            Assert.Equal(DaosError.InvalidArgument, Assert.Throws<DaosException>(() => cluster.Partition([5], [0])).Error);
            await using DaosClient client = await cluster.ConnectClientAsync();
            PoolInfo created = await client.Admin.CreatePoolAsync("p", new PoolCreateOptions { ScmSizeBytes = 4L << 20, NvmeSizeBytes = 4L << 20 });
            await using DaosPool pool = await client.ConnectPoolAsync("p");
            await using DaosContainer container = await pool.CreateContainerAsync("c");
            int leader = cluster.PoolServiceLeader(created.Uuid) ?? throw new InvalidOperationException($"seed {seed}: no pool service leader");

            // Cut the leader off from both other ranks: they elect another; the client follows it.
            int[] others = [.. cluster.Ranks.Where(r => r != leader)];
            cluster.Partition([leader], others);
            int? next = null;
            for (int i = 0; i < 500 && next is null; i++)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(10), scheduler.Time);
                next = cluster.PoolServiceLeaders(created.Uuid).Where(others.Contains).Cast<int?>().FirstOrDefault();
            }

            Assert.True(next is not null && next != leader, $"seed {seed}: no leader among {string.Join(",", others)} while {leader} was cut off");
            await container.SetAttributeAsync("k", Encoding.UTF8.GetBytes("during"));
            cluster.Heal();
            await container.SetAttributeAsync("k", Encoding.UTF8.GetBytes("after"));
            byte[]? read = await container.GetAttributeAsync("k");
            return (cluster.SimulatedNetwork!.Statistics.DroppedByPartition, Encoding.UTF8.GetString(read!), scheduler.Summary);
        });

        Assert.True(dropped > 0, $"seed {seed}: the partition dropped nothing ({summary})");
        Assert.Equal("after", value);
    }

    private static void AssertRefused(TestClusterOptions options, string naming)
    {
        DaosException e = Assert.Throws<DaosException>(options.Validate);
        Assert.Equal(DaosError.InvalidArgument, e.Error);
        Assert.Contains(naming, e.Message, StringComparison.Ordinal);
    }
}

using Daos.Harness.Network;
using Xunit.Abstractions;

namespace Daos.Harness.Tests.Network;

public sealed class SimulatedNetworkTests(ITestOutputHelper output)
{
    private static (ulong Trace, string Results, string Statistics) RunRandomWorkload(ulong seed)
    {
        var random = new DeterministicRandom(seed);
        var cluster = new SimCluster(seed, SimulatedNetworkOptions.Random(random));
        var results = new List<DaosError>();
        cluster.Scheduler.Run(async () =>
        {
            await cluster.StartAsync();
            var tasks = new List<Task<DaosError>>();
            for (int i = 0; i < 64; i++)
            {
                tasks.Add(cluster.EchoAsync(i, cluster.Scheduler.Random.Next(0, 2000)));
                if (cluster.Scheduler.Random.Chance(0.2))
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(1), cluster.Scheduler.Time);
                }
            }

            results.AddRange(await Task.WhenAll(tasks));
            await cluster.StopAsync();
        });
        return (cluster.Scheduler.TraceHash, string.Join(",", results), cluster.Network.Statistics.ToString());
    }

    [Fact]
    public void Same_seed_same_trace_hash_under_random_faults()
    {
        var distinct = new HashSet<ulong>();
        for (ulong seed = 1; seed <= 12; seed++)
        {
            var first = RunRandomWorkload(seed);
            var second = RunRandomWorkload(seed);
            output.WriteLine($"seed={seed} trace={first.Trace:x16} {first.Statistics}");
            Assert.True(first.Trace == second.Trace, $"seed {seed}: trace {first.Trace:x16} then {second.Trace:x16}");
            Assert.Equal(first.Results, second.Results);
            Assert.Equal(first.Statistics, second.Statistics);
            distinct.Add(first.Trace);
        }

        Assert.True(distinct.Count == 12, "different seeds should give different traces");
    }

    [Fact]
    [Trait("Category", "Soak")]
    public void Same_seed_same_trace_hash_under_random_faults_many_seeds()
    {
        for (ulong seed = 1000; seed < 4000; seed++)
        {
            var first = RunRandomWorkload(seed);
            var second = RunRandomWorkload(seed);
            Assert.True(first.Trace == second.Trace, $"seed {seed}: trace {first.Trace:x16} then {second.Trace:x16}");
            Assert.Equal(first.Results, second.Results);
        }
    }

    [Fact]
    public void Delay_is_at_least_the_minimum_each_way()
    {
        var cluster = new SimCluster(1, new SimulatedNetworkOptions
        {
            OneWayDelayMin = TimeSpan.FromMilliseconds(3),
            OneWayDelayMean = TimeSpan.FromMilliseconds(3),
        });
        TimeSpan elapsed = default;
        cluster.Scheduler.Run(async () =>
        {
            await cluster.StartAsync();
            Assert.Equal(DaosError.None, await cluster.EchoAsync(0));
            TimeSpan start = cluster.Scheduler.Elapsed;
            Assert.Equal(DaosError.None, await cluster.EchoAsync(1));
            elapsed = cluster.Scheduler.Elapsed - start;
            await cluster.StopAsync();
        });
        Assert.Equal(TimeSpan.FromMilliseconds(6), elapsed);
    }

    [Fact]
    public void Loss_drops_packets_and_requests_time_out()
    {
        var cluster = new SimCluster(2, new SimulatedNetworkOptions { PacketLossProbability = 0.3 });
        DaosError[] results = [];
        cluster.Scheduler.Run(async () =>
        {
            await cluster.StartAsync();
            results = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => cluster.EchoAsync(i)));
            await cluster.StopAsync();
        });
        Assert.True(cluster.Network.Statistics.Lost > 0, cluster.Network.Statistics.ToString());
        Assert.Contains(DaosError.Timeout, results);
        Assert.Contains(DaosError.None, results);
    }

    [Fact]
    public void Duplication_delivers_requests_twice_and_each_caller_gets_one_answer()
    {
        var cluster = new SimCluster(3, new SimulatedNetworkOptions { PacketDuplicationProbability = 0.5 });
        DaosError[] results = [];
        cluster.Scheduler.Run(async () =>
        {
            await cluster.StartAsync();
            results = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => cluster.EchoAsync(i)));
            await cluster.StopAsync();
        });
        Assert.True(cluster.Network.Statistics.Duplicated > 0, cluster.Network.Statistics.ToString());
        Assert.All(results, r => Assert.Equal(DaosError.None, r));
        Assert.True(cluster.ServerSaw.Count > 40, $"server saw {cluster.ServerSaw.Count} requests for 40 sent");
    }

    [Fact]
    public void Reordering_lets_later_packets_overtake_and_fifo_otherwise_holds()
    {
        List<int> Run(double reorder)
        {
            var cluster = new SimCluster(4, new SimulatedNetworkOptions
            {
                OneWayDelayMin = TimeSpan.FromMicroseconds(100),
                OneWayDelayMean = TimeSpan.FromMilliseconds(2),
                PacketReorderProbability = reorder,
            });
            cluster.Scheduler.Run(async () =>
            {
                await cluster.StartAsync();
                await cluster.EchoAsync(-1); // connect first, so all 50 go on one link back to back
                await Task.WhenAll(Enumerable.Range(0, 50).Select(i => cluster.EchoAsync(i)));
                await cluster.StopAsync();
            });
            if (reorder > 0)
            {
                Assert.True(cluster.Network.Statistics.Reordered > 0, cluster.Network.Statistics.ToString());
            }

            return cluster.ServerSaw.Where(i => i >= 0).ToList();
        }

        List<int> fifo = Run(0);
        List<int> reordered = Run(0.5);
        Assert.Equal(fifo.Order(), fifo);
        Assert.NotEqual(reordered.Order(), reordered);
    }

    [Fact]
    public void Symmetric_partition_makes_the_server_unreachable_until_healed()
    {
        var cluster = new SimCluster(5);
        var results = new List<DaosError>();
        cluster.Scheduler.Run(async () =>
        {
            await cluster.StartAsync();
            results.Add(await cluster.EchoAsync(0));
            cluster.Network.Partition("c", "s");
            results.Add(await cluster.EchoAsync(1));
            cluster.Network.Heal();
            // The old connection died of silence (heartbeat timeout); the peer reconnects with backoff.
            await Task.Delay(TimeSpan.FromSeconds(2), cluster.Scheduler.Time);
            results.Add(await cluster.EchoAsync(2, timeout: TimeSpan.FromSeconds(1)));
            await cluster.StopAsync();
        });
        Assert.Equal(new[] { DaosError.None, DaosError.Timeout, DaosError.None }, results);
        Assert.True(cluster.Network.Statistics.DroppedByPartition > 0);
    }

    [Fact]
    public void Asymmetric_partition_lets_requests_in_but_not_answers_out()
    {
        var cluster = new SimCluster(6);
        var results = new List<DaosError>();
        cluster.Scheduler.Run(async () =>
        {
            await cluster.StartAsync();
            results.Add(await cluster.EchoAsync(0));
            cluster.Network.PartitionOneWay("s", "c");
            results.Add(await cluster.EchoAsync(1));
            await cluster.StopAsync();
        });
        Assert.Equal(new[] { DaosError.None, DaosError.Timeout }, results);
        Assert.Equal(new[] { 0, 1 }, cluster.ServerSaw);
    }

    [Fact]
    public void Clogged_link_delays_without_losing()
    {
        var cluster = new SimCluster(7);
        TimeSpan elapsed = default;
        DaosError result = DaosError.Miscellaneous;
        cluster.Scheduler.Run(async () =>
        {
            await cluster.StartAsync();
            await cluster.EchoAsync(0);
            cluster.Network.Clog("c", "s", TimeSpan.FromMilliseconds(150));
            TimeSpan start = cluster.Scheduler.Elapsed;
            result = await cluster.EchoAsync(1, timeout: TimeSpan.FromSeconds(1));
            elapsed = cluster.Scheduler.Elapsed - start;
            await cluster.StopAsync();
        });
        Assert.Equal(DaosError.None, result);
        Assert.True(elapsed >= TimeSpan.FromMilliseconds(150), $"answered after {elapsed}");
        Assert.True(cluster.Network.Statistics.Clogged > 0);
        Assert.Equal(0, cluster.Network.Statistics.Lost);
    }

    [Fact]
    public void Heartbeats_keep_an_idle_connection_open_and_silence_closes_it()
    {
        var cluster = new SimCluster(8);
        bool stillConnected = false, droppedAfterSilence = false;
        cluster.Scheduler.Run(async () =>
        {
            await cluster.StartAsync();
            await cluster.EchoAsync(0);
            await Task.Delay(TimeSpan.FromSeconds(10), cluster.Scheduler.Time); // ten heartbeat timeouts, idle
            stillConnected = cluster.Peer.IsConnected && cluster.Server.ConnectionCount == 1;
            cluster.Network.Partition("c", "s");
            await Task.Delay(TimeSpan.FromSeconds(2), cluster.Scheduler.Time);
            droppedAfterSilence = !cluster.Peer.IsConnected && cluster.Server.ConnectionCount == 0;
            cluster.Network.Heal();
            await cluster.StopAsync();
        });
        Assert.True(stillConnected, "an idle but healthy connection was closed");
        Assert.True(droppedAfterSilence, "a silent connection was kept");
    }

    [Fact]
    public void A_crashed_host_drops_its_connections_and_can_come_back()
    {
        var cluster = new SimCluster(9);
        var results = new List<DaosError>();
        cluster.Scheduler.Run(async () =>
        {
            await cluster.StartAsync();
            results.Add(await cluster.EchoAsync(0));
            cluster.Network.CrashHost("s");
            await Task.Delay(TimeSpan.FromMilliseconds(10), cluster.Scheduler.Time);
            results.Add(cluster.Peer.IsConnected ? DaosError.None : DaosError.Unreachable);
            results.Add(await cluster.EchoAsync(1));

            // The engine restarts: a new node listens on the same name; the peer reconnects.
            await cluster.Server.ShutdownAsync();
            await cluster.StartServerAsync();
            results.Add(await cluster.EchoAsync(2, timeout: TimeSpan.FromSeconds(1)));
            await cluster.StopAsync();
        });
        Assert.Equal(new[] { DaosError.None, DaosError.Unreachable, DaosError.Unreachable, DaosError.None }, results);
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Text;
using Daos.Engine.Rdb;
using Daos.Engine.Rdb.Raft;
using Daos.Storage;
using Daos.Transport;

namespace Daos.Bench.Rdb;

/// <summary>
/// <c>rdb-load</c>: committed writes per second and commit latency for three <see cref="RdbReplica"/>s in one process,
/// each on its own thread with a <see cref="FileMedium"/> log (fdatasync before acknowledging) in the temporary folder,
/// talking over TCP on 127.0.0.1 (or in-process). Shaped like the etcd peer tool's <c>put</c>: one key per write
/// (<c>k%08d</c>, modulo 100,000), <c>valueBytes</c> of value, writes sent to the leader.
/// <code>dotnet run -c Release --project bench/Daos.Bench -- rdb-load [total] [in-flight list] [valueBytes] [tcp|inproc]</code>
/// e.g. <c>rdb-load 30000 1,64 100 tcp</c>.
/// </summary>
internal static class RdbLoad
{
    public static void Run(string[] args)
    {
        int total = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 30_000;
        int[] windows = args.Length > 1 ? [.. args[1].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))] : [1, 64];
        int valueBytes = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 100;
        bool tcp = args.Length <= 3 || args[3] != "inproc";
        RunAsync(total, windows, valueBytes, tcp).GetAwaiter().GetResult();
    }

    private static async Task RunAsync(int total, int[] windows, int valueBytes, bool tcp)
    {
        string directory = Path.Combine(Path.GetTempPath(), $"daos-rdb-load-{Environment.ProcessId}");
        var options = new TransportOptions();
        ITransportNetwork network = tcp ? new TcpNetwork(options) : new InProcessNetwork(options);
        var addresses = new Dictionary<ulong, TransportAddress>();
        var nodes = new Dictionary<ulong, RpcNode>();
        var executors = new Dictionary<ulong, DedicatedThreadExecutor>();
        var replicas = new List<RdbReplica>();
        try
        {
            for (ulong id = 1; id <= 3; id++)
            {
                executors[id] = new DedicatedThreadExecutor($"rdb-{id}");
                nodes[id] = new RpcNode(network, options, RpcExecutors.Everywhere(executors[id]));
                addresses[id] = await nodes[id].ListenAsync(tcp ? TransportAddress.Tcp("127.0.0.1", 0) : TransportAddress.InProcess($"rdb-load-{id}"));
            }

            var voters = new RaftConfiguration(addresses.Keys);
            foreach (ulong id in addresses.Keys)
            {
                string replicaDirectory = Path.Combine(directory, $"r{id}");
                Directory.CreateDirectory(replicaDirectory);
                replicas.Add(new RdbReplica(new RdbReplicaOptions
                {
                    GroupId = 0x5244425F4C4F4144,
                    Raft = new RaftOptions { ReplicaId = id, ElectionTicks = 30, HeartbeatTicks = 3 },
                    Addresses = addresses,
                    InitialConfiguration = voters,
                    TickInterval = TimeSpan.FromMilliseconds(10),
                    RequestTimeoutTicks = 1000,
                }, FileMedium.Open(replicaDirectory), nodes[id], executors[id], new DeterministicRandom(id)));
            }

            foreach (RdbReplica replica in replicas)
            {
                await replica.StartAsync();
            }

            RdbReplica leader = await WaitForLeaderAsync(replicas);
            byte[] value = new byte[valueBytes];
            for (int i = 0; i < 200; i++)
            {
                await WriteAsync(leader, i, value);
            }

            foreach (int window in windows)
            {
                await MeasureAsync(leader, replicas, total, window, value, tcp);
            }
        }
        finally
        {
            foreach (RdbReplica replica in replicas)
            {
                await replica.DisposeAsync();
            }

            foreach (RpcNode node in nodes.Values)
            {
                await node.DisposeAsync();
            }

            foreach (DedicatedThreadExecutor executor in executors.Values)
            {
                executor.Dispose();
            }

            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task MeasureAsync(RdbReplica leader, List<RdbReplica> replicas, int total, int window, byte[] value, bool tcp)
    {
        // Log syncs (fdatasync) per write show how well writes are batched; read after the run, racing at most the
        // followers' last sync.
        Dictionary<ulong, long> syncsBefore = replicas.ToDictionary(r => r.Id, r => r.Log!.SyncCount);
        double[] latencies = new double[total];
        int next = -1;
        long start = Stopwatch.GetTimestamp();
        Task[] workers = [.. Enumerable.Range(0, window).Select(_ => Task.Run(async () =>
        {
            while (true)
            {
                int i = Interlocked.Increment(ref next);
                if (i >= total)
                {
                    return;
                }

                long t0 = Stopwatch.GetTimestamp();
                await WriteAsync(leader, i, value);
                latencies[i] = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
            }
        }))];
        await Task.WhenAll(workers);
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        double leaderSyncs = (double)(leader.Log!.SyncCount - syncsBefore[leader.Id]) / total;
        double followerSyncs = replicas.Where(r => r.Id != leader.Id).Average(r => (double)(r.Log!.SyncCount - syncsBefore[r.Id])) / total;
        Array.Sort(latencies);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"rdb net={(tcp ? "tcp" : "inproc")} total={total} conc={window} val={value.Length}B ops/s={total / seconds:F0} p50_us={latencies[total / 2]:F0} p99_us={latencies[(int)(total * 0.99)]:F0} mean_us={latencies.Average():F0} syncs_per_write leader={leaderSyncs:F3} follower={followerSyncs:F3}"));
    }

    private static async Task WriteAsync(RdbReplica leader, int i, byte[] value)
    {
        byte[] key = Encoding.ASCII.GetBytes("k" + (i % 100_000).ToString("D8", CultureInfo.InvariantCulture));
        RdbWriteResult result = await leader.WriteAsync(new RdbTransaction().Update(RdbPath.Root, key, value));
        if (result.Status != DaosError.None)
        {
            throw new InvalidOperationException($"write {i} failed: {result.Status}");
        }
    }

    private static async Task<RdbReplica> WaitForLeaderAsync(List<RdbReplica> replicas)
    {
        long deadline = Stopwatch.GetTimestamp() + 10 * Stopwatch.Frequency;
        while (Stopwatch.GetTimestamp() < deadline)
        {
            RdbReplica? leader = replicas.SingleOrDefault(r => r.Role == RaftRole.Leader);
            if (leader is not null && replicas.All(r => r.LeaderId == leader.Id))
            {
                return leader;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException("no leader within 10 s");
    }
}

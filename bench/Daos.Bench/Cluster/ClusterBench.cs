using Daos.Client;
using static Daos.Bench.Cluster.ClusterLoadModes;

namespace Daos.Bench.Cluster;

/// <summary>
/// Runs the IOR- and mdtest-shaped tools over an in-process cluster and engines on loopback TCP, in interleaved
/// rounds with the raw baselines measured in every round (raw file, durable 4 KiB write, loopback round trip), and
/// prints every run as it ends, then the medians and the per-round ratios' medians as Markdown tables.
/// </summary>
internal static class ClusterBench
{
    private const string PoolLabel = "bench";

    public static int Run(string[] args, bool ior, bool mdtest)
    {
        ClusterBenchOptions options;
        try
        {
            options = ClusterBenchOptions.Parse(args);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
        {
            Console.Error.WriteLine("error: " + e.Message);
            return 1;
        }

        try
        {
            RunAsync(options, ior, mdtest, CancellationToken.None).GetAwaiter().GetResult();
            return 0;
        }
        catch (DaosException e) when (e.Error == DaosError.DataLoss)
        {
            Console.Error.WriteLine("FAILED: " + e.Message);
            return 2;
        }
    }

    public static async Task<BenchRecord> RunAsync(ClusterBenchOptions options, bool ior, bool mdtest, CancellationToken ct)
    {
        bool temporary = options.Directory is null;
        string root = Path.GetFullPath(options.Directory ?? Path.Combine(Path.GetTempPath(), Invariant($"daos-cluster-bench-{Environment.ProcessId}")));
        TextWriter progress = options.Quiet ? TextWriter.Null : Console.Error;
        var record = new BenchRecord();
        Console.WriteLine(Invariant($"# cluster load: {Environment.ProcessorCount} cores, .NET {Environment.Version}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, load average {LoadAverage()}"));
        if (ior)
        {
            Console.WriteLine("# ior: " + options.Ior);
        }

        if (mdtest)
        {
            Console.WriteLine("# mdtest: " + options.Mdtest);
        }

        var hosts = new List<IClusterHost>();
        try
        {
            if (options.InProcess)
            {
                hosts.Add(await InProcessClusterHost.StartAsync(options.Engines, options.Targets, Path.Combine(root, "inproc"), ct));
            }

            if (options.Tcp)
            {
                hosts.Add(await TcpClusterHost.StartAsync(options.Engines, options.Targets, Path.Combine(root, "tcp"), options.ServerInChildProcess, ct));
            }

            foreach (IClusterHost host in hosts)
            {
                Console.WriteLine($"# {host.Name}: {host.Description}");
                await CreatePoolAsync(host, options, ct);
            }

            for (int round = 1; round <= options.Rounds; round++)
            {
                Console.WriteLine(Invariant($"## round {round} of {options.Rounds} (load average {LoadAverage()})"));
                if (ior)
                {
                    if (options.Baselines)
                    {
                        var raw = RawBaselines.File(Path.Combine(root, "raw"), options.Ior.Clients, options.Ior.BytesPerClient, options.Ior.TransferBytes, progress);
                        record.Add(round, "raw file", raw.SyncedWrite, raw.StreamWrite, raw.Read);
                    }

                    foreach (IClusterHost host in hosts)
                    {
                        var result = await IorLoad.RunAsync(host, PoolLabel, Invariant($"ior-{round}"), options.Ior, progress, ct);
                        record.Add(round, "ior " + host.Name, result.Write, result.Read);
                    }
                }

                if (mdtest)
                {
                    if (options.Baselines)
                    {
                        record.Add(round, "raw loopback", RawBaselines.LoopbackRoundTrip(options.RoundTrips));
                        record.Add(round, "raw 4 KiB sync", RawBaselines.SmallSyncedWrites(Path.Combine(root, "raw"), options.Mdtest.Clients, options.SyncedWritesPerWriter, progress));
                    }

                    foreach (IClusterHost host in hosts)
                    {
                        var result = await MdtestLoad.RunAsync(host, PoolLabel, Invariant($"mdtest-{round}"), options.Mdtest, progress, ct);
                        record.Add(round, "mdtest " + host.Name, result.Create, result.Stat, result.Remove);
                    }
                }
            }
        }
        finally
        {
            for (int i = hosts.Count - 1; i >= 0; i--)
            {
                await hosts[i].DisposeAsync();
            }

            if (temporary && System.IO.Directory.Exists(root))
            {
                System.IO.Directory.Delete(root, recursive: true);
            }
        }

        Console.WriteLine(Invariant($"# done, load average {LoadAverage()}"));
        record.PrintSummary(Console.Out, options);
        return record;
    }

    private static async Task CreatePoolAsync(IClusterHost host, ClusterBenchOptions options, CancellationToken ct)
    {
        // Each round's container is destroyed after its run, so the data tier needs room for one run of everything,
        // twice over for the blob allocator's slack. Capacity is not enforced across pools; the sizes bound VOS's files.
        int targets = options.Engines * options.Targets;
        long nvme = Math.Max(256L << 20, options.Ior.TotalBytes * 2 / targets + (128L << 20)) / 4096 * 4096;
        await using DaosClient admin = await host.ConnectClientAsync(ct);
        await admin.Admin.CreatePoolAsync(PoolLabel, new PoolCreateOptions { ScmSizeBytes = 64L << 20, NvmeSizeBytes = nvme }, ct);
    }
}

using Daos.Bench.Cluster;

namespace Daos.Bench.Tests.Cluster;

/// <summary>
/// The whole <c>cluster-bench</c> command on a tiny size: engines in a child process on loopback TCP and an in-process
/// cluster, every baseline, one round, every figure present in the record it prints.
/// </summary>
public sealed class ClusterBenchCommandTests
{
    [Fact]
    public async Task Cluster_bench_runs_both_tools_on_both_networks_beside_the_baselines()
    {
        ClusterBenchOptions options = ClusterBenchOptions.Parse([
            "--rounds", "1", "--engines", "1", "--targets", "2", "--clients", "2", "-b", "128k", "-t", "64k", "-n", "20",
            "--rtt-count", "200", "--sync-count", "10", "--quiet",
        ]);
        BenchRecord record = await ClusterBench.RunAsync(options, ior: true, mdtest: true, default);
        string[] expected =
        [
            "raw file/raw write+fdatasync", "raw file/raw write, one fdatasync", "raw file/raw read",
            "ior in-process/write", "ior in-process/read", "ior tcp/write", "ior tcp/read",
            "raw 4 KiB sync/raw 4 KiB write+fdatasync",
            "mdtest in-process/create", "mdtest in-process/stat", "mdtest in-process/remove",
            "mdtest tcp/create", "mdtest tcp/stat", "mdtest tcp/remove",
        ];
        string[] recorded = [.. record.Entries.Select(e => e.Path + "/" + e.Result.Phase)];
        foreach (string entry in expected)
        {
            Assert.Contains(entry, recorded);
        }

        Assert.Contains(record.Entries, e => e.Path == "raw loopback" && e.Result.Operations == 200);
        Assert.All(record.Entries, e => Assert.True(e.Result.Seconds > 0 && e.Result.P50Micros > 0, $"{e.Path}/{e.Result.Phase} has no timing"));
        Assert.Equal(4, record.Find(1, "ior tcp", "read")!.Operations);
        Assert.Equal(40, record.Find(1, "mdtest tcp", "remove")!.Operations);
    }
}

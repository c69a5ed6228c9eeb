using System.Globalization;

namespace Daos.Bench.Cluster;

/// <summary>
/// The cluster load modes of the bench program:
/// <code>
/// dotnet run -c Release --project bench/Daos.Bench -- ior    [options]   # IOR shape: array write then read, GiB/s
/// dotnet run -c Release --project bench/Daos.Bench -- mdtest [options]   # mdtest shape: create, stat, remove, ops/s
/// dotnet run -c Release --project bench/Daos.Bench -- cluster-bench [options]   # both, interleaved per round
/// dotnet run -c Release --project bench/Daos.Bench -- cluster-probe [options]   # target depth, VOS vs engine, reply copy
/// </code>
/// See <see cref="ClusterBenchOptions"/> for the options and docs/benchmarks/cluster.md for the published figures.
/// </summary>
internal static class ClusterLoadModes
{
    /// <summary>Runs the mode <paramref name="args"/> names if it is one of these; false otherwise.</summary>
    public static bool TryRun(string[] args, out int exitCode)
    {
        exitCode = 0;
        if (args.Length == 0)
        {
            return false;
        }

        string[] rest = args[1..];
        switch (args[0])
        {
            case "ior":
                exitCode = ClusterBench.Run(rest, ior: true, mdtest: false);
                return true;
            case "mdtest":
                exitCode = ClusterBench.Run(rest, ior: false, mdtest: true);
                return true;
            case "cluster-bench":
                exitCode = ClusterBench.Run(rest, ior: true, mdtest: true);
                return true;
            case "cluster-probe":
                exitCode = ClusterProbe.Run(rest);
                return true;
            case ServerChild.ModeName:
                exitCode = ServerChild.Run(rest);
                return true;
            default:
                return false;
        }
    }

    /// <summary>The median of a few figures (the middle one; the mean of the middle two for an even count).</summary>
    public static double Median(IEnumerable<double> values)
    {
        double[] sorted = [.. values.Where(v => !double.IsNaN(v)).Order()];
        return sorted.Length == 0 ? double.NaN
            : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2]
            : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>The 1-, 5- and 15-minute load averages, to say how busy the shared machine was.</summary>
    public static string LoadAverage()
    {
        try
        {
            string[] parts = File.ReadAllText("/proc/loadavg").Split(' ');
            return string.Join(' ', parts.Take(3));
        }
        catch (IOException)
        {
            return "n/a";
        }
    }

    public static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

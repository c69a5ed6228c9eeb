using BenchmarkDotNet.Running;

namespace Daos.Bench;

/// <summary>
/// Entry point for every benchmark: <c>dotnet run -c Release --project bench/Daos.Bench -- --filter '*Checksum*'</c>.
/// See docs/BENCHMARKS.md for the commands behind each published figure.
/// </summary>
public static class Program
{
    public static void Main(string[] args)
    {
        // Load modes measure percentiles under concurrency, which BenchmarkDotNet does not; everything else is
        // BenchmarkDotNet.
        if (args.Length > 0 && args[0] == "transport-load")
        {
            Transport.TransportLoad.Run(args[1..]);
            return;
        }

        if (args.Length > 0 && args[0] == "engine-load")
        {
            Engine.EngineLoad.Run(args[1..]);
            return;
        }

        if (args.Length > 0 && args[0] == "rdb-load")
        {
            Rdb.RdbLoad.Run(args[1..]);
            return;
        }

        if (Cluster.ClusterLoadModes.TryRun(args, out int exitCode))
        {
            Environment.ExitCode = exitCode;
            return;
        }

        if (args.Length > 0 && args[0] == "vos-dkey-load")
        {
            Vos.VosDkeyLoad.Run(args[1..]);
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}

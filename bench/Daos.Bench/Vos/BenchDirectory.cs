using System.Globalization;

namespace Daos.Bench.Vos;

/// <summary>A scratch directory on the machine's disk for file benchmarks, removed at cleanup.</summary>
internal static class BenchDirectory
{
    public static string Create(string purpose)
    {
        string root = Environment.GetEnvironmentVariable("DAOS_BENCH_DIR") ?? Path.GetTempPath();
        string path = Path.Combine(root, $"daos-bench-{purpose}-{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}");
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }

        Directory.CreateDirectory(path);
        return path;
    }
}

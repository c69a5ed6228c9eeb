namespace Daos.Bench.Cluster; internal static class ClusterProbe { public static int Run(string[] args) => args.Length; }

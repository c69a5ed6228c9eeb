using Daos.Server.Configuration;
using Daos.Server.Hosting;

namespace Daos.Bench.Cluster;

/// <summary>
/// <c>cluster-server --config PATH</c>: the engines of a <see cref="TcpClusterHost"/> in their own process. Prints
/// <see cref="ReadyLine"/> once every engine has joined, then serves until its standard input closes (the parent
/// closed it, or died), stops the engines in order and exits 0.
/// </summary>
internal static class ServerChild
{
    public const string ModeName = "cluster-server";
    public const string ReadyLine = "cluster-server ready";

    public static int Run(string[] args)
    {
        var options = new LoadArguments(args);
        string config = options.Text("--config", "");
        options.RejectUnknown();
        if (config.Length == 0)
        {
            Console.Error.WriteLine("cluster-server needs --config PATH");
            return 1;
        }

        return RunAsync(config).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(string configPath)
    {
        ServerConfig config = ServerConfigLoader.Load(configPath);
        await using DaosServer server = await DaosServer.StartAsync(new DaosServerOptions { Config = config });
        Console.WriteLine($"{ReadyLine} {server.ManagementAddress}");
        await Console.In.ReadToEndAsync();
        await server.StopAsync();
        return 0;
    }
}

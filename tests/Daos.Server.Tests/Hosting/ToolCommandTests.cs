using System.CommandLine;
using Daos.Harness.Network;
using Daos.Server.Configuration;
using Daos.Server.Hosting;
using Daos.Tool.Commands;

namespace Daos.Server.Tests.Hosting;

/// <summary>
/// The <c>dmg</c> and <c>daos</c> commands run in-process (their handlers, output captured) against a
/// <see cref="DaosServer"/> on loopback TCP, and the <c>server</c> command's refusals.
/// </summary>
public sealed class ToolCommandTests
{
    [Fact]
    public async Task Dmg_and_daos_commands_manage_pools_containers_snapshots_and_attributes()
    {
        string directory = TemporaryDirectory();
        try
        {
            int port = LoopbackPorts.Free(1)[0];
            await using DaosServer server = await DaosServer.StartAsync(new DaosServerOptions { Config = SingleEngine("tools", port, directory), Seed = 7 });
            string[] connection = ["--address", $"tcp://127.0.0.1:{port}", "--system", "tools"];

            Result system = await RunAsync(["dmg", "system", "query", .. connection]);
            Assert.Equal(0, system.ExitCode);
            Assert.Contains("System tools: 1 rank(s)", system.Output, StringComparison.Ordinal);
            Assert.Contains($"tcp://127.0.0.1:{port}", system.Output, StringComparison.Ordinal);

            Result create = await RunAsync(["dmg", "pool", "create", "pool-a", "--size", "8MiB", .. connection]);
            Assert.Equal(0, create.ExitCode);
            Assert.Contains("Pool created: pool-a", create.Output, StringComparison.Ordinal);
            Assert.Contains("targets 2 (0 disabled)", create.Output, StringComparison.Ordinal);

            Assert.Contains("pool-a", (await RunAsync(["dmg", "pool", "list", .. connection])).Output, StringComparison.Ordinal);
            Assert.Contains("SCM  total", (await RunAsync(["dmg", "pool", "query", "pool-a", .. connection])).Output, StringComparison.Ordinal);

            Assert.Equal(0, (await RunAsync(["daos", "container", "create", "pool-a", "cont-a", "--properties", "cksum:crc32,rd_fac:0", .. connection])).ExitCode);
            Assert.Contains("cont-a", (await RunAsync(["daos", "cont", "list", "pool-a", .. connection])).Output, StringComparison.Ordinal);
            Assert.Contains("snapshots 0", (await RunAsync(["daos", "cont", "query", "pool-a", "cont-a", .. connection])).Output, StringComparison.Ordinal);

            Assert.Equal(0, (await RunAsync(["daos", "cont", "set-prop", "pool-a", "cont-a", "--properties", "label:cont-b", .. connection])).ExitCode);
            Result props = await RunAsync(["daos", "cont", "get-prop", "pool-a", "cont-b", .. connection]);
            Assert.Equal(0, props.ExitCode);
            Assert.Matches(@"label\s+cont-b", props.Output);
            Assert.Matches(@"cksum\s+crc32", props.Output);

            Result snap = await RunAsync(["daos", "cont", "create-snap", "pool-a", "cont-b", "--snap", "nightly", .. connection]);
            Assert.Equal(0, snap.ExitCode);
            string epoch = snap.Output.Trim().Split(' ')[^1];
            Result snaps = await RunAsync(["daos", "cont", "list-snap", "pool-a", "cont-b", .. connection]);
            Assert.Matches(epoch + @"\s+nightly", snaps.Output);

            Assert.Equal(0, (await RunAsync(["daos", "cont", "set-attr", "pool-a", "cont-b", "colour", "blue", .. connection])).ExitCode);
            Assert.Contains("colour: blue", (await RunAsync(["daos", "cont", "get-attr", "pool-a", "cont-b", "colour", .. connection])).Output, StringComparison.Ordinal);
            Assert.Equal("colour", (await RunAsync(["daos", "cont", "list-attrs", "pool-a", "cont-b", .. connection])).Output.Trim());

            // Expected failures: a typed message and exit code 1.
            Result missingAttr = await RunAsync(["daos", "cont", "get-attr", "pool-a", "cont-b", "shape", .. connection]);
            Assert.Equal(1, missingAttr.ExitCode);
            Assert.Contains("no attribute 'shape'", missingAttr.Error, StringComparison.Ordinal);
            Result badProperty = await RunAsync(["daos", "cont", "set-prop", "pool-a", "cont-b", "--properties", "colour:red", .. connection]);
            Assert.Equal(1, badProperty.ExitCode);
            Assert.Contains("unknown property 'colour'", badProperty.Error, StringComparison.Ordinal);
            Result badSize = await RunAsync(["dmg", "pool", "create", "pool-b", "--size", "lots", .. connection]);
            Assert.Equal(1, badSize.ExitCode);
            Assert.Contains("--size: 'lots'", badSize.Error, StringComparison.Ordinal);
            Result wrongSystem = await RunAsync(["dmg", "system", "query", "--address", $"tcp://127.0.0.1:{port}", "--system", "other"]);
            Assert.Equal(1, wrongSystem.ExitCode);
            Assert.Contains("serves system 'tools'", wrongSystem.Error, StringComparison.Ordinal);

            Assert.Equal(0, (await RunAsync(["daos", "cont", "destroy", "pool-a", "cont-b", .. connection])).ExitCode);
            Assert.DoesNotContain("cont-b", (await RunAsync(["daos", "cont", "list", "pool-a", .. connection])).Output, StringComparison.Ordinal);
            Assert.Equal(0, (await RunAsync(["dmg", "pool", "destroy", "pool-a", .. connection])).ExitCode);
            Result gone = await RunAsync(["dmg", "pool", "query", "pool-a", .. connection]);
            Assert.Equal(1, gone.ExitCode);
            Assert.Contains("pool-a", gone.Error, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Unreachable_address_fails_with_exit_code_1()
    {
        int port = LoopbackPorts.Free(1)[0];
        Result result = await RunAsync(["dmg", "system", "query", "--address", $"tcp://127.0.0.1:{port}", "--timeout", "0.5"]);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"127.0.0.1:{port}", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Server_command_refuses_a_malformed_configuration_with_its_line_and_field()
    {
        string directory = TemporaryDirectory();
        try
        {
            string path = Path.Combine(directory, "daos_server.yml");
            await File.WriteAllTextAsync(path, "name: bad\nengines:\n  - targets: many\n    storage:\n      - class: ram\n        scm_mount: e0\n        scm_size: 1\n");
            Result result = await RunAsync(["server", "--config", path]);
            Assert.Equal(1, result.ExitCode);
            Assert.Contains("line 3", result.Error, StringComparison.Ordinal);
            Assert.Contains("engines[0].targets", result.Error, StringComparison.Ordinal);
            Assert.False(Directory.Exists(Path.Combine(directory, "e0")), "nothing is created for a refused configuration");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Server_command_names_a_port_in_use_and_starts_nothing()
    {
        string directory = TemporaryDirectory();
        var holder = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        holder.Start();
        try
        {
            int port = ((System.Net.IPEndPoint)holder.LocalEndpoint).Port;
            string path = Path.Combine(directory, "daos_server.yml");
            await File.WriteAllTextAsync(path, $"name: busy\nport: {port}\nengines:\n  - targets: 1\n    storage:\n      - class: ram\n        scm_mount: e0\n        scm_size: 64MiB\n");
            Result result = await RunAsync(["server", "--config", path]);
            Assert.Equal(1, result.ExitCode);
            Assert.Contains($"port {port}", result.Error, StringComparison.Ordinal);
            Assert.False(Directory.Exists(Path.Combine(directory, "e0")), "no engine opened its storage");

            DaosException e = await Assert.ThrowsAsync<DaosException>(async () =>
                await DaosServer.StartAsync(new DaosServerOptions { Config = SingleEngine("busy", port, directory) }));
            Assert.Equal(DaosError.Exists, e.Error);
            Assert.Contains($"port {port}", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            holder.Stop();
            Directory.Delete(directory, recursive: true);
        }
    }

    internal static ServerConfig SingleEngine(string name, int port, string directory) => new()
    {
        Name = name,
        Port = port,
        ManagementReplicas = [$"localhost:{port}"],
        Engines =
        [
            new EngineConfig
            {
                Targets = 2,
                Storage =
                [
                    new StorageTierConfig { Class = StorageClass.Ram, Mount = Path.Combine(directory, "engine0"), SizeBytes = 128L << 20 },
                    new StorageTierConfig { Class = StorageClass.File, Devices = [Path.Combine(directory, "engine0", "bdev")], SizeBytes = 512L << 20 },
                ],
            },
        ],
    };

    private static string TemporaryDirectory()
    {
        string directory = Path.Combine(Path.GetTempPath(), "daos-tool-test-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(directory);
        return directory;
    }

    private static async Task<Result> RunAsync(string[] args)
    {
        var root = new RootCommand("test") { DmgCommand.Create(), DaosCommand.Create(), ServerCommand.Create() };
        var output = new StringWriter();
        var error = new StringWriter();
        int code = await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return new Result(code, output.ToString(), error.ToString());
    }

    private sealed record Result(int ExitCode, string Output, string Error);
}

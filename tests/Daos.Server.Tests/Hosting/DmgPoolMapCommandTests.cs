using System.CommandLine;
using Daos.Harness.Network;
using Daos.Server.Hosting;
using Daos.Tool.Commands;

namespace Daos.Server.Tests.Hosting;

/// <summary>
/// <c>dmg pool exclude|drain|reintegrate|extend</c> and the target states <c>dmg pool query</c> shows, run in-process
/// against a single-engine <see cref="DaosServer"/> on loopback TCP.
/// </summary>
public sealed class DmgPoolMapCommandTests
{
    [Fact]
    public async Task Pool_map_commands_change_target_states_and_refuse_bad_requests()
    {
        string directory = Path.Combine(Path.GetTempPath(), "daos-dmg-map-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(directory);
        try
        {
            int port = LoopbackPorts.Free(1)[0];
            await using DaosServer server = await DaosServer.StartAsync(new DaosServerOptions
            {
                Config = ToolCommandTests.SingleEngine("maps", port, directory), Seed = 9,
            });
            string[] connection = ["--address", $"tcp://127.0.0.1:{port}", "--system", "maps"];
            Assert.Equal(0, (await RunAsync(["dmg", "pool", "create", "tank", "--size", "8MiB", .. connection])).ExitCode);

            Result exclude = await RunAsync(["dmg", "pool", "exclude", "tank", "--rank", "0", "--target-idx", "1", .. connection]);
            Assert.Equal(0, exclude.ExitCode);
            Assert.Contains("map version 2, targets 2 (1 disabled)", exclude.Output, StringComparison.Ordinal);
            Assert.Contains("rank 0: 0 UpIn, 1 Down", exclude.Output, StringComparison.Ordinal);

            Result twice = await RunAsync(["dmg", "pool", "exclude", "tank", "--rank", "0", "--target-idx", "1", .. connection]);
            Assert.Equal(1, twice.ExitCode);
            Assert.Contains("cannot exclude target", twice.Error, StringComparison.Ordinal);

            Result reintegrate = await RunAsync(["dmg", "pool", "reintegrate", "tank", "--rank", "0", "--target-idx", "1", .. connection]);
            Assert.Equal(0, reintegrate.ExitCode);
            Assert.Contains("rank 0: 0 UpIn, 1 Up", reintegrate.Output, StringComparison.Ordinal);

            Result drain = await RunAsync(["dmg", "pool", "drain", "tank", "--rank", "0", "--target-idx", "0", .. connection]);
            Assert.Equal(0, drain.ExitCode);
            Assert.Contains("map version 4", drain.Output, StringComparison.Ordinal);

            Result query = await RunAsync(["dmg", "pool", "query", "tank", .. connection]);
            Assert.Contains("map version 4", query.Output, StringComparison.Ordinal);
            Assert.Contains("rank 0: 0 Drain, 1 Up", query.Output, StringComparison.Ordinal);

            Result unknownRank = await RunAsync(["dmg", "pool", "exclude", "tank", "--rank", "7", .. connection]);
            Assert.Equal(1, unknownRank.ExitCode);
            Assert.Contains("rank 7", unknownRank.Error, StringComparison.Ordinal);
            Result extendUnknown = await RunAsync(["dmg", "pool", "extend", "tank", "--ranks", "5", .. connection]);
            Assert.Equal(1, extendUnknown.ExitCode);
            Assert.Contains("rank 5 is not a joined member", extendUnknown.Error, StringComparison.Ordinal);
            Result extendMember = await RunAsync(["dmg", "pool", "extend", "tank", "--ranks", "0", .. connection]);
            Assert.Equal(1, extendMember.ExitCode);
            Assert.Contains("already in pool", extendMember.Error, StringComparison.Ordinal);
            Result badIndex = await RunAsync(["dmg", "pool", "drain", "tank", "--rank", "0", "--target-idx", "x", .. connection]);
            Assert.Equal(1, badIndex.ExitCode);
            Assert.Contains("--target-idx: 'x'", badIndex.Error, StringComparison.Ordinal);
            Result unknownPool = await RunAsync(["dmg", "pool", "exclude", "no-such-pool", "--rank", "0", .. connection]);
            Assert.Equal(1, unknownPool.ExitCode);
            Assert.Contains("no pool 'no-such-pool'", unknownPool.Error, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<Result> RunAsync(string[] args)
    {
        var root = new RootCommand("test") { DmgCommand.Create() };
        var output = new StringWriter();
        var error = new StringWriter();
        int code = await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return new Result(code, output.ToString(), error.ToString());
    }

    private sealed record Result(int ExitCode, string Output, string Error);
}

using Daos.Harness;
using Xunit.Abstractions;

namespace Daos.Client.Tests;

public sealed class ScratchTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task Scratch(int engines)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        await using TestCluster cluster = await TestCluster.StartAsync(new TestClusterOptions { Engines = engines, TargetsPerEngine = 2 });
        output.WriteLine($"started in {sw.ElapsedMilliseconds} ms");
        await using DaosClient client = await cluster.ConnectClientAsync();
        output.WriteLine($"connected in {sw.ElapsedMilliseconds} ms");
        await client.Admin.CreatePoolAsync("p", new PoolCreateOptions { ScmSizeBytes = 32L << 20, NvmeSizeBytes = 64L << 20 });
        output.WriteLine($"pool in {sw.ElapsedMilliseconds} ms");
    }
}

using Daos.Harness;
using Xunit.Abstractions;

namespace Daos.Client.Tests;

public sealed class ScratchTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Scratch()
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        void Log(string s) => output.WriteLine($"{sw.ElapsedMilliseconds,6} ms {s}");
        await using TestCluster cluster = await TestCluster.StartAsync(new TestClusterOptions { Engines = 1, TargetsPerEngine = 3 });
        await using DaosClient client = await cluster.ConnectClientAsync();
        await client.Admin.CreatePoolAsync("p", new PoolCreateOptions { ScmSizeBytes = 32L << 20, NvmeSizeBytes = 32L << 20 });
        Log("pool");
        await using DaosPool pool = await client.ConnectPoolAsync("p");
        await using DaosContainer c = await pool.CreateContainerAsync("c");
        DaosKeyValue kv = c.OpenKeyValue(await c.AllocateObjectIdAsync(ObjectType.KeyValue));
        await kv.PutAsync("a", "x"u8.ToArray());
        Log("put");
        await cluster.KillEngineAsync(0);
        Log("killed");
        await cluster.RestartEngineAsync(0);
        Log("restarted");
        await kv.PutAsync("b", "x"u8.ToArray());
        Log("put after");
        await kv.PutAsync("c", "x"u8.ToArray());
        Log("put after 2");
        Assert.NotNull(await kv.GetAsync("a"));
        Log("get");
    }
}

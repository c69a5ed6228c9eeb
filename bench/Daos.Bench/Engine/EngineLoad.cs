using System.Diagnostics;
using System.Globalization;
using Daos.Bench.Cluster;
using Daos.Engine;
using Daos.Protocol;
using Daos.Protocol.Objects;
using Daos.Vos;

namespace Daos.Bench.Engine;

/// <summary>
/// <c>engine-load</c>: single-value updates then fetches through one in-process <see cref="DaosEngine"/> (protocol
/// codec, transport, handle and map checks, VOS on files), beside the same operations on the same number of
/// <see cref="VosPool"/>s called directly (one gate per pool, as the engine serializes a target) in the same run.
/// <code>dotnet run -c Release --project bench/Daos.Bench -- engine-load [operations] [in-flight] [valueBytes] [targets] [engine-first]</code>
/// </summary>
internal static class EngineLoad
{
    public static void Run(string[] args)
    {
        int operations = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20_000;
        int inFlight = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 16;
        int valueBytes = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1024;
        int targets = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 2;
        bool engineFirst = args.Length > 4 && args[4] == "engine-first";
        RunAsync(operations, inFlight, valueBytes, targets, engineFirst).GetAwaiter().GetResult();
    }

    private static async Task RunAsync(int operations, int inFlight, int valueBytes, int targets, bool engineFirst)
    {
        string root = Path.Combine(Path.GetTempPath(), $"daos-engine-load-{Environment.ProcessId}");
        byte[] value = new byte[valueBytes];
        new DeterministicRandom(1).NextBytes(value);
        try
        {
            Console.WriteLine($"engine-load: {operations} updates then fetches of {valueBytes} B, {inFlight} in flight, {targets} targets, files in {root}");
            // Either order, to see whether the first run pays for fresh files on a busy disk.
            if (engineFirst)
            {
                await MeasureEngineAsync(Path.Combine(root, "engine"), operations, inFlight, value, targets);
            }

            await MeasureDirectVosAsync(Path.Combine(root, "vos"), operations, inFlight, value, targets);
            if (!engineFirst)
            {
                await MeasureEngineAsync(Path.Combine(root, "engine"), operations, inFlight, value, targets);
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task MeasureDirectVosAsync(string directory, int operations, int inFlight, byte[] value, int targets)
    {
        var pools = new VosPool[targets];
        var containers = new VosContainer[targets];
        var gates = new SemaphoreSlim[targets];
        for (int t = 0; t < targets; t++)
        {
            pools[t] = await VosPool.CreateAsync(Path.Combine(directory, $"target-{t}"), new VosPoolOptions { HeapSizeBytes = 256L << 20, BlobSizeBytes = 1L << 30 });
            containers[t] = await pools[t].CreateContainerAsync(Guid.NewGuid());
            gates[t] = new SemaphoreSlim(1, 1);
        }

        ulong epoch = 0;
        await MeasureAsync("direct VOS", "update", operations, inFlight, async i =>
        {
            int t = i % targets;
            await gates[t].WaitAsync();
            try
            {
                await containers[t].UpdateAsync(Oid(i), new Epoch(Interlocked.Increment(ref epoch)), Key(i), "a"u8.ToArray(), value);
            }
            finally
            {
                gates[t].Release();
            }
        });
        await MeasureAsync("direct VOS", "fetch", operations, inFlight, async i =>
        {
            int t = i % targets;
            await gates[t].WaitAsync();
            try
            {
                _ = await containers[t].FetchAsync(Oid(i), Epoch.Max, Key(i), "a"u8.ToArray());
            }
            finally
            {
                gates[t].Release();
            }
        });
        foreach (VosPool pool in pools)
        {
            await pool.DisposeAsync();
        }
    }

    private static async Task MeasureEngineAsync(string directory, int operations, int inFlight, byte[] value, int targets)
    {
        await using ProbeEngine engine = await ProbeEngine.StartAsync(directory, targets);
        await MeasureAsync("engine (in-process)", "update", operations, inFlight, i => ProbeEngine.CallAsync<ObjectUpdateRequest, EpochReply>(engine.Peer, ProtocolOpcodes.ObjectUpdate,
            (uint)(i % targets), new ObjectUpdateRequest(engine.Address(Oid(i)), Epoch.Zero, UpdateCondition.None, Key(i), [new IodUpdate("a"u8.ToArray(), IodKind.Single, 0, 0, value)])));
        await MeasureAsync("engine (in-process)", "fetch", operations, inFlight, i => ProbeEngine.CallAsync<ObjectFetchRequest, ObjectFetchReply>(engine.Peer, ProtocolOpcodes.ObjectFetch,
            (uint)(i % targets), new ObjectFetchRequest(engine.Address(Oid(i)), Epoch.Max, Key(i), [new IodFetch("a"u8.ToArray(), IodKind.Single, 0, 0, 0)])));
    }

    private static ObjectId Oid(int i) => ObjectId.Create(ObjectType.MultiLexical, ObjectClass.S1, (ulong)(i % 64) + 1);

    private static byte[] Key(int i) => System.Text.Encoding.ASCII.GetBytes($"k{i:D8}");

    private static async Task MeasureAsync(string path, string operation, int operations, int inFlight, Func<int, Task> run)
    {
        long[] latencies = new long[operations];
        int next = -1;
        long start = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, inFlight).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < operations)
            {
                long begin = Stopwatch.GetTimestamp();
                await run(i);
                latencies[i] = Stopwatch.GetTimestamp() - begin;
            }
        }));
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        Array.Sort(latencies);
        double Micros(double q) => latencies[(int)Math.Min(latencies.Length - 1, q * latencies.Length)] * 1e6 / Stopwatch.Frequency;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{path,-20} {operation,-6} {operations / seconds,10:F0} ops/s   p50 {Micros(0.50),8:F1} us   p99 {Micros(0.99),8:F1} us"));
    }
}

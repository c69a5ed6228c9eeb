using System.Diagnostics;
using Daos.Protocol;
using Daos.Protocol.Objects;
using Daos.Transport;
using Daos.Vos;
using static Daos.Bench.Cluster.ClusterLoadModes;

namespace Daos.Bench.Cluster;

/// <summary>
/// <c>cluster-probe [--what depth,vos,copy] [--ops N] [--dir PATH]</c>: three measurements behind the cluster figures.
/// <list type="bullet">
/// <item><c>depth</c>: durable 1 KiB updates to ONE target at 1..32 requests in flight, beside one thread doing
/// 4 KiB write + <c>fdatasync</c> on the same disk: if the target overlapped commits, throughput would climb with depth.</item>
/// <item><c>vos</c>: engine-load's comparison taken apart: the same updates on two <see cref="VosPool"/>s called directly
/// from thread-pool tasks (engine-load's loop), with epochs drawn under the gate, from one dedicated thread per pool,
/// and with the thread pool's minimum raised; then through an engine with two targets.</item>
/// <item><c>copy</c>: fetches through an engine with the reply decoded three ways: copy the body then decode (the
/// client until fetches copied their values out while the response is held), decode the pooled body and copy the
/// value out before releasing it (the client now), decode and copy straight into the caller's buffer.</item>
/// </list>
/// </summary>
internal static class ClusterProbe
{
    public static int Run(string[] args)
    {
        var a = new LoadArguments(args);
        string[] what = a.Text("--what", "depth,vos,copy").Split(',');
        int ops = a.Int("--ops", 3000);
        string? dir = a.OptionalText("--dir");
        a.RejectUnknown();
        string root = Path.GetFullPath(dir ?? Path.Combine(Path.GetTempPath(), Invariant($"daos-cluster-probe-{Environment.ProcessId}")));
        Console.WriteLine(Invariant($"# cluster-probe: {Environment.ProcessorCount} cores, .NET {Environment.Version}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, load average {LoadAverage()}, files in {root}"));
        try
        {
            if (what.Contains("depth"))
            {
                DepthAsync(Path.Combine(root, "depth"), ops).GetAwaiter().GetResult();
            }

            if (what.Contains("vos"))
            {
                VosVersusEngineAsync(Path.Combine(root, "vos"), ops).GetAwaiter().GetResult();
            }

            if (what.Contains("copy"))
            {
                ReplyCopyAsync(Path.Combine(root, "copy"), ops).GetAwaiter().GetResult();
            }
        }
        finally
        {
            if (dir is null && Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }

        Console.WriteLine(Invariant($"# done, load average {LoadAverage()}"));
        return 0;
    }

    private static async Task DepthAsync(string directory, int ops)
    {
        Console.WriteLine();
        Console.WriteLine("## depth: 1 KiB durable updates to one target (one engine, one target, in-process network)");
        PhaseResult raw = RawBaselines.SmallSyncedWrites(Path.Combine(directory, "raw"), 1, Math.Min(ops, 2000), TextWriter.Null);
        Console.WriteLine(Invariant($"raw 4 KiB write+fdatasync, one thread: {raw.OperationsPerSecond:F0} ops/s, p50 {raw.P50Micros:F0} us"));
        Console.WriteLine("| in flight | update ops/s | p50 µs | p99 µs | ÷ raw fdatasync rate | fetch ops/s | fetch p50 µs |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|");
        await using ProbeEngine engine = await ProbeEngine.StartAsync(Path.Combine(directory, "engine"), targets: 1);
        byte[] value = new byte[1024];
        new DeterministicRandom(5).NextBytes(value);
        ObjectId oid = ObjectId.Create(ObjectType.MultiLexical, ObjectClass.S1, 1);
        int round = 0;
        foreach (int depth in new[] { 1, 2, 4, 8, 16, 32 })
        {
            int prefix = round++;
            PhaseResult update = await MeasureAsync("update", ops, depth, i => engine.UpdateAsync(0, oid, Key(prefix, i), value));
            PhaseResult fetch = await MeasureAsync("fetch", ops, depth, i => ProbeEngine.CallAsync<ObjectFetchRequest, ObjectFetchReply>(engine.Peer, ProtocolOpcodes.ObjectFetch, 0,
                new ObjectFetchRequest(engine.Address(oid), Epoch.Max, Key(prefix, i), [new IodFetch("a"u8.ToArray(), IodKind.Single, 0, 0, 0)])));
            Console.WriteLine(Invariant($"| {depth} | {update.OperationsPerSecond:F0} | {update.P50Micros:F0} | {update.P99Micros:F0} | {update.OperationsPerSecond / raw.OperationsPerSecond:F2} | {fetch.OperationsPerSecond:F0} | {fetch.P50Micros:F0} |"));
        }
    }

    private static async Task VosVersusEngineAsync(string directory, int ops)
    {
        Console.WriteLine();
        Console.WriteLine(Invariant($"## vos: {ops} durable 1 KiB updates, 16 in flight, 2 pools/targets"));
        Console.WriteLine("| path | update ops/s | p50 µs | p99 µs | max µs | threads at end |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        byte[] value = new byte[1024];
        new DeterministicRandom(6).NextBytes(value);
        await DirectVosAsync(Path.Combine(directory, "pool-epoch-outside"), ops, value, "direct VOS, thread pool (engine-load's loop)", DirectMode.EpochBeforeGate);
        await DirectVosAsync(Path.Combine(directory, "pool-epoch-inside"), ops, value, "direct VOS, thread pool, epoch drawn under the gate", DirectMode.EpochUnderGate);
        await DirectVosAsync(Path.Combine(directory, "dedicated"), ops, value, "direct VOS, one dedicated thread per pool", DirectMode.DedicatedThread);
        await using (ProbeEngine engine = await ProbeEngine.StartAsync(Path.Combine(directory, "engine"), targets: 2))
        {
            PhaseResult r = await MeasureAsync("update", ops, 16, i => engine.UpdateAsync((uint)(i % 2), Oid(i), Key(0, i), value));
            Row("engine, 2 targets, in-process network", r);
        }

        ThreadPool.GetMinThreads(out int workers, out int io);
        ThreadPool.SetMinThreads(Math.Max(workers, 64), io);
        try
        {
            await DirectVosAsync(Path.Combine(directory, "pool-min64"), ops, value, "direct VOS, thread pool with 64 threads minimum (engine-load's loop)", DirectMode.EpochBeforeGate);
        }
        finally
        {
            ThreadPool.SetMinThreads(workers, io);
        }
    }

    private enum DirectMode
    {
        EpochBeforeGate,
        EpochUnderGate,
        DedicatedThread,
    }

    private static async Task DirectVosAsync(string directory, int ops, byte[] value, string name, DirectMode mode)
    {
        const int Pools = 2;
        var pools = new VosPool[Pools];
        var containers = new VosContainer[Pools];
        var gates = new SemaphoreSlim[Pools];
        var threads = new DedicatedThreadExecutor?[Pools];
        for (int t = 0; t < Pools; t++)
        {
            pools[t] = await VosPool.CreateAsync(Path.Combine(directory, Invariant($"target-{t}")), new VosPoolOptions { HeapSizeBytes = 256L << 20, BlobSizeBytes = 1L << 30 });
            containers[t] = await pools[t].CreateContainerAsync(Guid.NewGuid());
            gates[t] = new SemaphoreSlim(1, 1);
            threads[t] = mode == DirectMode.DedicatedThread ? new DedicatedThreadExecutor(Invariant($"vos-{t}")) : null;
        }

        ulong epoch = 0;
        byte[] akey = "a"u8.ToArray();
        try
        {
            PhaseResult r = await MeasureAsync("update", ops, 16, async i =>
            {
                int t = i % Pools;
                if (mode == DirectMode.DedicatedThread)
                {
                    // Every VOS call of a pool on that pool's own thread, one after another, as a target executor runs them.
                    var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    threads[t]!.Post(_ =>
                    {
                        try
                        {
                            ValueTask update = containers[t].UpdateAsync(Oid(i), new Epoch(Interlocked.Increment(ref epoch)), Key(0, i), akey, value);
                            if (!update.IsCompletedSuccessfully)
                            {
                                update.AsTask().GetAwaiter().GetResult();
                            }

                            done.SetResult();
                        }
                        catch (Exception e)
                        {
                            done.SetException(e);
                        }
                    }, null);
                    await done.Task;
                    return;
                }

                Epoch drawn = mode == DirectMode.EpochBeforeGate ? new Epoch(Interlocked.Increment(ref epoch)) : default;
                await gates[t].WaitAsync();
                try
                {
                    await containers[t].UpdateAsync(Oid(i), mode == DirectMode.EpochUnderGate ? new Epoch(Interlocked.Increment(ref epoch)) : drawn, Key(0, i), akey, value);
                }
                finally
                {
                    gates[t].Release();
                }
            });
            Row(name, r);
        }
        finally
        {
            foreach (DedicatedThreadExecutor? thread in threads)
            {
                thread?.Dispose();
            }

            foreach (VosPool pool in pools)
            {
                await pool.DisposeAsync();
            }
        }
    }

    private static void Row(string name, PhaseResult r) =>
        Console.WriteLine(Invariant($"| {name} | {r.OperationsPerSecond:F0} | {r.P50Micros:F0} | {r.P99Micros:F0} | {r.MaxMicros:F0} | {ThreadPool.ThreadCount} |"));

    private static async Task ReplyCopyAsync(string directory, int ops)
    {
        Console.WriteLine();
        Console.WriteLine("## copy: fetch replies decoded three ways (one engine, one target, in-process network, 1 in flight)");
        Console.WriteLine("| value | decode | fetch ops/s | MiB/s | p50 µs | p99 µs | allocated per fetch | gen2 GCs |");
        Console.WriteLine("|---:|---|---:|---:|---:|---:|---:|---:|");
        await using ProbeEngine engine = await ProbeEngine.StartAsync(Path.Combine(directory, "engine"), targets: 1);
        ObjectId oid = ObjectId.Create(ObjectType.MultiLexical, ObjectClass.S1, 7);
        foreach (int size in new[] { 64, 4096, 64 * 1024, 1 << 20 })
        {
            byte[] records = new byte[size];
            new DeterministicRandom((ulong)size).NextBytes(records);
            byte[] dkey = Key(9, size);
            await engine.WriteExtentAsync(0, oid, dkey, records);
            byte[] request = ProtocolCodec.EncodeToArray(new ObjectFetchRequest(engine.Address(oid), Epoch.Max, dkey, [new IodFetch("0"u8.ToArray(), IodKind.Array, 1, 0, size)]));
            byte[] destination = new byte[size];
            int count = size >= 64 * 1024 ? Math.Max(200, ops / 4) : ops;
            // Interleaved twice, so a burst of load from elsewhere does not land on one variant only.
            for (int pass = 0; pass < 2; pass++)
            {
                foreach (CopyMode mode in Enum.GetValues<CopyMode>())
                {
                    long allocated = GC.GetTotalAllocatedBytes(precise: true);
                    int gen2 = GC.CollectionCount(2);
                    PhaseResult r = await MeasureAsync("fetch", count, 1, async _ =>
                    {
                        await FetchAsync(engine.Peer, request, destination, mode);
                    }, bytesPerOperation: size);
                    long perFetch = (GC.GetTotalAllocatedBytes(precise: true) - allocated) / count;
                    if (!destination.AsSpan().SequenceEqual(records))
                    {
                        throw new DaosException(DaosError.DataLoss, Invariant($"copy probe: the {size} bytes fetched differ from those written"));
                    }

                    Console.WriteLine(Invariant($"| {size} | {Describe(mode)} | {r.OperationsPerSecond:F0} | {r.MiBPerSecond:F1} | {r.P50Micros:F1} | {r.P99Micros:F1} | {perFetch:N0} B | {GC.CollectionCount(2) - gen2} |"));
                }
            }
        }
    }

    private enum CopyMode
    {
        CopyBodyThenDecode,
        DecodePooledBody,
        DecodeIntoDestination,
    }

    private static string Describe(CopyMode mode) => mode switch
    {
        CopyMode.CopyBodyThenDecode => "body copied, decoded, value copied out, then into the buffer (client until the copy-out change)",
        CopyMode.DecodePooledBody => "pooled body decoded, value copied out while the response is held, then into the buffer (client now)",
        _ => "pooled body decoded, value copied straight into the buffer",
    };

    /// <summary>The three ways, each ending with the bytes in the caller's buffer as <c>DaosArray.ReadAsync</c> leaves them.</summary>
    private static async Task FetchAsync(RpcPeer peer, byte[] request, byte[] destination, CopyMode mode)
    {
        if (mode == CopyMode.CopyBodyThenDecode)
        {
            byte[] owned;
            using (RpcResponse response = await peer.SendAsync(ProtocolOpcodes.ObjectFetch, 0, request))
            {
                ProtocolErrors.ThrowIfFailed(response);
                owned = response.Body.ToArray();
            }

            ObjectFetchReply reply = ProtocolCodec.Decode<ObjectFetchReply>(owned);
            reply.Results[0].Data.ToArray().CopyTo(destination, 0);
            return;
        }

        using (RpcResponse response = await peer.SendAsync(ProtocolOpcodes.ObjectFetch, 0, request))
        {
            ProtocolErrors.ThrowIfFailed(response);
            ObjectFetchReply reply = ProtocolCodec.Decode<ObjectFetchReply>(response.Body);
            if (mode == CopyMode.DecodePooledBody)
            {
                reply.Results[0].Data.ToArray().CopyTo(destination, 0);
            }
            else
            {
                reply.Results[0].Data.Span.CopyTo(destination);
            }
        }
    }

    private static ObjectId Oid(int i) => ObjectId.Create(ObjectType.MultiLexical, ObjectClass.S1, (ulong)(i % 64) + 1);

    private static byte[] Key(int prefix, int i) => System.Text.Encoding.ASCII.GetBytes(Invariant($"p{prefix}k{i:D8}"));

    private static async Task<PhaseResult> MeasureAsync(string phase, int operations, int inFlight, Func<int, Task> run, long bytesPerOperation = 0)
    {
        var latencies = new LatencyRecorder(inFlight, operations);
        int next = -1;
        long start = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, inFlight).Select(async worker =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < operations)
            {
                long begin = Stopwatch.GetTimestamp();
                await run(i);
                latencies.Record(worker, begin);
            }
        }));
        return latencies.Finish(phase, bytesPerOperation * operations, Stopwatch.GetElapsedTime(start));
    }
}

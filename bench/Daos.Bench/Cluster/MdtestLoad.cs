using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Daos.Client;

namespace Daos.Bench.Cluster;

/// <summary>
/// mdtest's shape on a Daos.NET system: N tasks, each its own <see cref="DaosClient"/>, create (an insert-only put, as
/// DFS creates an entry), stat (a get, its value checked byte for byte) and remove (a dkey punch) of small entries in
/// one <see cref="DaosKeyValue"/> per task or one shared, a barrier between phases; afterwards the objects must list
/// no key. Rate is the phase's operations over the time from the barrier to the last task's end; latency is per call.
/// </summary>
internal static class MdtestLoad
{
    private static readonly WriteOptions Create = new() { Condition = WriteCondition.InsertOnly };

    public static async Task<(PhaseResult Create, PhaseResult Stat, PhaseResult Remove)> RunAsync(
        IClusterHost host, string poolLabel, string containerLabel, MdtestOptions options, TextWriter progress, CancellationToken ct)
    {
        await using MdtestRun run = await MdtestRun.StartAsync(host, poolLabel, containerLabel, options, progress, ct);
        PhaseResult create = await run.PhaseAsync("create", ct);
        PhaseResult stat = await run.PhaseAsync("stat", ct);
        PhaseResult remove = await run.PhaseAsync("remove", ct);
        await run.CheckEmptyAsync(ct);
        return (create, stat, remove);
    }

    /// <summary>The key of item <paramref name="item"/> of task <paramref name="client"/>: distinct across tasks, so a shared object works too.</summary>
    public static byte[] KeyOf(int client, int item) => Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"t{client:D4}.f{item:D8}"));

    /// <summary>The value written at create: the key's numbers, then bytes derived from them, so a value from another entry differs.</summary>
    public static byte[] ValueOf(int client, int item, int length)
    {
        byte[] value = new byte[length];
        BinaryPrimitives.WriteInt32LittleEndian(value, client);
        BinaryPrimitives.WriteInt32LittleEndian(value.AsSpan(4), item);
        ulong state = ((ulong)(uint)client << 32 | (uint)item) * 0x9E3779B97F4A7C15UL + 1;
        for (int i = 8; i < length; i++)
        {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            value[i] = (byte)state;
        }

        return value;
    }

    internal static async Task<PhaseResult> PhaseAsync(string phase, DaosKeyValue[] objects, MdtestOptions options, TextWriter progress, CancellationToken ct)
    {
        int workers = objects.Length * options.DepthPerClient;
        var latencies = new LatencyRecorder(workers, (options.ItemsPerClient + options.DepthPerClient - 1) / options.DepthPerClient);
        using var meter = new PhaseProgress("mdtest " + phase, options.TotalItems, "ops", 1, progress);
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tasks = new Task[workers];
        for (int w = 0; w < workers; w++)
        {
            int worker = w;
            int client = w / options.DepthPerClient;
            int lane = w % options.DepthPerClient;
            tasks[w] = Task.Run(async () =>
            {
                await start.Task;
                DaosKeyValue kv = objects[client];
                for (int item = lane; item < options.ItemsPerClient; item += options.DepthPerClient)
                {
                    byte[] key = KeyOf(client, item);
                    byte[]? expected = phase == "remove" ? null : ValueOf(client, item, options.ValueBytes);
                    long begin = Stopwatch.GetTimestamp();
                    byte[]? got = null;
                    switch (phase)
                    {
                        case "create":
                            await kv.PutAsync(key, expected, Create, ct);
                            break;
                        case "stat":
                            got = await kv.GetAsync(key, null, ct);
                            break;
                        default:
                            await kv.RemoveAsync(key, null, ct);
                            break;
                    }

                    latencies.Record(worker, begin);
                    if (phase == "stat" && (got is null || !got.AsSpan().SequenceEqual(expected)))
                    {
                        throw new DaosException(DaosError.DataLoss, string.Create(CultureInfo.InvariantCulture,
                            $"mdtest task {client}: entry {Encoding.ASCII.GetString(key)} read back {(got is null ? "absent" : got.Length + " bytes that differ")}, expected the {expected!.Length} bytes created"));
                    }

                    meter.Add(1);
                }
            }, ct);
        }

        long begin = Stopwatch.GetTimestamp();
        start.SetResult();
        await Task.WhenAll(tasks);
        return latencies.Finish(phase, 0, Stopwatch.GetElapsedTime(begin));
    }

    /// <summary>After the remove phase no object may list a key: a remove that was acknowledged but did not happen fails the run.</summary>
    internal static async Task CheckEmptyAsync(DaosKeyValue[] objects, MdtestOptions options, CancellationToken ct)
    {
        foreach (DaosKeyValue kv in options.Shared ? objects.Take(1) : objects)
        {
            await foreach (byte[] key in kv.ListKeysAsync(null, ct))
            {
                throw new DaosException(DaosError.DataLoss, $"mdtest: entry {Encoding.ASCII.GetString(key)} still listed after the remove phase");
            }
        }
    }
}

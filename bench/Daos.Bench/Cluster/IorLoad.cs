using System.Diagnostics;
using System.Globalization;
using Daos.Client;

namespace Daos.Bench.Cluster;

/// <summary>
/// IOR's shape on a Daos.NET system: N tasks, each its own <see cref="DaosClient"/>, write then read sequential
/// transfers to one <see cref="DaosArray"/> per task (file-per-process) or to one shared array in IOR's segmented
/// layout, a barrier between the phases, every byte read compared with what was written. Bandwidth is the phase's
/// bytes over the time from the barrier to the last task's end; latency is per transfer call.
/// </summary>
internal static class IorLoad
{
    public static async Task<(PhaseResult Write, PhaseResult Read)> RunAsync(
        IClusterHost host, string poolLabel, string containerLabel, IorOptions options, TextWriter progress, CancellationToken ct)
    {
        await using IorRun run = await IorRun.StartAsync(host, poolLabel, containerLabel, options, progress, ct);
        PhaseResult write = await run.WriteAsync(ct);
        PhaseResult read = await run.ReadAsync(ct);
        return (write, read);
    }

    /// <summary>Where transfer <paramref name="index"/> of a task lands (IOR's offsets: segment, then task, then transfer).</summary>
    public static long OffsetOf(IorOptions options, int client, long index)
    {
        long perBlock = options.BlockBytes / options.TransferBytes;
        long segment = index / perBlock;
        long within = index % perBlock * options.TransferBytes;
        return options.Shared
            ? segment * options.Clients * options.BlockBytes + client * options.BlockBytes + within
            : segment * options.BlockBytes + within;
    }

    internal static async Task<PhaseResult> PhaseAsync(string phase, DaosArray[] arrays, IorOptions options, TransferPattern pattern, TextWriter progress, CancellationToken ct)
    {
        int transfers = (int)(options.BytesPerClient / options.TransferBytes);
        var latencies = new LatencyRecorder(arrays.Length, transfers);
        using var meter = new PhaseProgress("ior " + phase, options.TotalBytes, "MiB", 1 << 20, progress);
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tasks = new Task[arrays.Length];
        for (int c = 0; c < arrays.Length; c++)
        {
            int client = c;
            tasks[c] = Task.Run(async () =>
            {
                await start.Task;
                if (phase == "write")
                {
                    await WriteTaskAsync(arrays[client], client, transfers, options, pattern, latencies, meter, ct);
                }
                else
                {
                    await ReadTaskAsync(arrays[client], client, transfers, options, pattern, latencies, meter, ct);
                }
            }, ct);
        }

        long begin = Stopwatch.GetTimestamp();
        start.SetResult();
        await Task.WhenAll(tasks);
        return latencies.Finish(phase, options.TotalBytes, Stopwatch.GetElapsedTime(begin));
    }

    private static async Task WriteTaskAsync(DaosArray array, int client, int transfers, IorOptions options, TransferPattern pattern,
        LatencyRecorder latencies, PhaseProgress meter, CancellationToken ct)
    {
        byte[] buffer = pattern.NewBuffer();
        for (int i = 0; i < transfers; i++)
        {
            long offset = OffsetOf(options, client, i);
            TransferPattern.Stamp(buffer, Tag(client), offset);
            long begin = Stopwatch.GetTimestamp();
            await array.WriteAsync(offset, buffer, null, ct);
            latencies.Record(client, begin);
            meter.Add(buffer.Length);
        }
    }

    private static async Task ReadTaskAsync(DaosArray array, int client, int transfers, IorOptions options, TransferPattern pattern,
        LatencyRecorder latencies, PhaseProgress meter, CancellationToken ct)
    {
        byte[] buffer = new byte[options.TransferBytes];
        byte[] expected = pattern.NewBuffer();
        for (int i = 0; i < transfers; i++)
        {
            long offset = OffsetOf(options, client, i);
            buffer.AsSpan().Clear();
            long begin = Stopwatch.GetTimestamp();
            int read = await array.ReadAsync(offset, buffer, null, ct);
            latencies.Record(client, begin);
            if (read != buffer.Length)
            {
                throw new DaosException(DaosError.DataLoss, string.Create(CultureInfo.InvariantCulture,
                    $"ior task {client}: short read of {read} bytes at offset {offset}, expected {buffer.Length}"));
            }

            TransferPattern.Stamp(expected, Tag(client), offset);
            TransferPattern.Verify(buffer, expected, string.Create(CultureInfo.InvariantCulture, $"ior task {client} ({array.Id})"), offset);
            meter.Add(buffer.Length);
        }
    }

    private static ulong Tag(int client) => 0x1000_0000_0000UL + (ulong)client;
}

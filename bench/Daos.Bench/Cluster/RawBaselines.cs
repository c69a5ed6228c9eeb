using System.Diagnostics;
using System.Globalization;
using Daos.Bench.Transport;
using Daos.Storage;

namespace Daos.Bench.Cluster;

/// <summary>
/// The physical limits the load tools are read against, measured on the same disk and the same loopback in the same
/// run. Files go through <see cref="FileMedium"/>, the same write and <c>fdatasync</c> calls VOS makes; each writer
/// runs on a thread of its own, as each engine target does.
/// </summary>
internal static class RawBaselines
{
    /// <summary>
    /// IOR's shape on plain files: <paramref name="writers"/> files written at once in sequential transfers, each
    /// transfer followed by <c>fdatasync</c> (one barrier per transfer; a VOS array update issues two, the blob's then
    /// the WAL record's), then read back and compared. Also the same bytes written with one <c>fdatasync</c> at the
    /// end (the disk's streaming rate).
    /// </summary>
    public static (PhaseResult SyncedWrite, PhaseResult StreamWrite, PhaseResult Read) File(
        string directory, int writers, long bytesPerWriter, int transferBytes, TextWriter progress)
    {
        Directory.CreateDirectory(directory);
        FileMedium medium = FileMedium.Open(directory);
        int transfers = checked((int)(bytesPerWriter / transferBytes));
        long total = (long)transfers * transferBytes * writers;
        var pattern = new TransferPattern(transferBytes, seed: 0xF11E);
        try
        {
            PhaseResult synced = RunThreads("raw write+fdatasync", writers, transfers, total, progress, (w, latencies, meter) =>
            {
                using IMediumFile file = medium.OpenFile(FileName(w), MediumOpenMode.CreateNew);
                byte[] buffer = pattern.NewBuffer();
                for (int i = 0; i < transfers; i++)
                {
                    long offset = (long)i * transferBytes;
                    TransferPattern.Stamp(buffer, (ulong)w, offset);
                    long begin = Stopwatch.GetTimestamp();
                    file.Write(offset, buffer);
                    file.Flush();
                    latencies.Record(w, begin);
                    meter.Add(transferBytes);
                }
            });
            PhaseResult read = RunThreads("raw read", writers, transfers, total, progress, (w, latencies, meter) =>
            {
                using IMediumFile file = medium.OpenFile(FileName(w), MediumOpenMode.OpenExisting);
                byte[] buffer = new byte[transferBytes];
                byte[] expected = pattern.NewBuffer();
                for (int i = 0; i < transfers; i++)
                {
                    long offset = (long)i * transferBytes;
                    long begin = Stopwatch.GetTimestamp();
                    int got = file.Read(offset, buffer);
                    latencies.Record(w, begin);
                    TransferPattern.Stamp(expected, (ulong)w, offset);
                    TransferPattern.Verify(buffer.AsSpan(0, got), expected, "raw file " + FileName(w), offset);
                    meter.Add(transferBytes);
                }
            });
            DeleteFiles(medium, writers);
            PhaseResult stream = RunThreads("raw write, one fdatasync", writers, transfers, total, progress, (w, latencies, meter) =>
            {
                using IMediumFile file = medium.OpenFile(FileName(w), MediumOpenMode.CreateNew);
                byte[] buffer = pattern.NewBuffer();
                for (int i = 0; i < transfers; i++)
                {
                    long offset = (long)i * transferBytes;
                    TransferPattern.Stamp(buffer, (ulong)w, offset);
                    long begin = Stopwatch.GetTimestamp();
                    file.Write(offset, buffer);
                    latencies.Record(w, begin);
                    meter.Add(transferBytes);
                }

                file.Flush();
            });
            return (synced, stream, read);
        }
        finally
        {
            DeleteFiles(medium, writers);
        }
    }

    /// <summary>
    /// The durable small write an mdtest create waits for: <paramref name="writers"/> files at once, each operation
    /// one 4 KiB write and one <c>fdatasync</c> (a VOS update commits one WAL record with one barrier).
    /// </summary>
    public static PhaseResult SmallSyncedWrites(string directory, int writers, int operationsPerWriter, TextWriter progress)
    {
        Directory.CreateDirectory(directory);
        FileMedium medium = FileMedium.Open(directory);
        byte[] page = new byte[TransferPattern.PageBytes];
        new DeterministicRandom(7).NextBytes(page);
        try
        {
            return RunThreads("raw 4 KiB write+fdatasync", writers, operationsPerWriter, 0, progress, (w, latencies, meter) =>
            {
                using IMediumFile file = medium.OpenFile(FileName(w), MediumOpenMode.CreateNew);
                for (int i = 0; i < operationsPerWriter; i++)
                {
                    long begin = Stopwatch.GetTimestamp();
                    file.Write(i % 256 * (long)page.Length, page);
                    file.Flush();
                    latencies.Record(w, begin);
                    meter.Add(1);
                }
            });
        }
        finally
        {
            DeleteFiles(medium, writers);
        }
    }

    /// <summary>One 64-byte message at a time over a raw loopback socket: the round trip no RPC can beat.</summary>
    public static PhaseResult LoopbackRoundTrip(int roundTrips, int messageBytes = 64)
    {
        using var server = new RawEchoServer();
        using var client = new RawEchoClient(server.Port);
        byte[] message = new byte[messageBytes];
        for (int i = 0; i < Math.Min(1000, roundTrips); i++)
        {
            client.RoundTripAsync(message).GetAwaiter().GetResult();
        }

        var latencies = new LatencyRecorder(1, roundTrips);
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < roundTrips; i++)
        {
            long begin = Stopwatch.GetTimestamp();
            client.RoundTripAsync(message).GetAwaiter().GetResult();
            latencies.Record(0, begin);
        }

        return latencies.Finish(string.Create(CultureInfo.InvariantCulture, $"raw loopback TCP round trip ({messageBytes} B)"), 0, Stopwatch.GetElapsedTime(start));
    }

    private static string FileName(int writer) => string.Create(CultureInfo.InvariantCulture, $"raw-{writer}.bin");

    private static void DeleteFiles(FileMedium medium, int writers)
    {
        for (int w = 0; w < writers; w++)
        {
            if (medium.FileExists(FileName(w)))
            {
                medium.DeleteFile(FileName(w));
            }
        }
    }

    private static PhaseResult RunThreads(string phase, int writers, int operationsPerWriter, long bytes, TextWriter progress,
        Action<int, LatencyRecorder, PhaseProgress> body)
    {
        var latencies = new LatencyRecorder(writers, operationsPerWriter);
        using var meter = new PhaseProgress(phase, bytes > 0 ? bytes : (long)writers * operationsPerWriter, bytes > 0 ? "MiB" : "ops", bytes > 0 ? 1 << 20 : 1, progress);
        var threads = new Thread[writers];
        Exception? failure = null;
        using var start = new ManualResetEventSlim();
        for (int w = 0; w < writers; w++)
        {
            int writer = w;
            threads[w] = new Thread(() =>
            {
                start.Wait();
                try
                {
                    body(writer, latencies, meter);
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref failure, e, null);
                }
            }) { IsBackground = true, Name = $"raw-{w}" };
            threads[w].Start();
        }

        long begin = Stopwatch.GetTimestamp();
        start.Set();
        foreach (Thread thread in threads)
        {
            thread.Join();
        }

        TimeSpan elapsed = Stopwatch.GetElapsedTime(begin);
        return failure is null ? latencies.Finish(phase, bytes, elapsed) : throw new InvalidOperationException($"{phase} failed", failure);
    }
}

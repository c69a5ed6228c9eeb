using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using Daos.Transport;

namespace Daos.Bench.Transport;

/// <summary>
/// <c>transport-load</c>: round-trip latency percentiles, throughput and allocations per request for echo RPCs over
/// TCP loopback and in-process, beside a raw-socket echo on the same machine in the same run.
/// <code>dotnet run -c Release --project bench/Daos.Bench -- transport-load [seconds] [payloads] [windows]</code>
/// e.g. <c>transport-load 5 64,1048576 1,64</c>. Each cell: a warm-up, then <c>seconds</c> of measurement with
/// <c>window</c> requests outstanding on one connection. Allocations count both client and server (same process).
/// </summary>
internal static class TransportLoad
{
    private const ushort EchoOpcode = 0x0100;

    public static void Run(string[] args)
    {
        double seconds = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 5;
        int[] payloads = args.Length > 1 ? ParseList(args[1]) : [64, 1024 * 1024];
        int[] windows = args.Length > 2 ? ParseList(args[2]) : [1, 64];
        Console.WriteLine($"# transport-load: {seconds} s per cell, {Environment.ProcessorCount} cores, .NET {Environment.Version}");
        Console.WriteLine("| network | payload | in flight | requests/s | MB/s | p50 µs | p99 µs | alloc B/req |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (int payload in payloads)
        {
            foreach (int window in windows)
            {
                Report("raw socket", payload, window, RunRaw(payload, window, seconds));
                Report("tcp", payload, window, RunRpc(TransportScheme.Tcp, payload, window, seconds));
                Report("inproc", payload, window, RunRpc(TransportScheme.InProcess, payload, window, seconds));
            }
        }
    }

    private static int[] ParseList(string text) =>
        [.. text.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))];

    private static void Report(string network, int payload, int window, Result r) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {network} | {payload} | {window} | {r.Throughput:F0} | {r.Throughput * payload / 1e6:F1} | {r.P50Micros:F1} | {r.P99Micros:F1} | {r.AllocatedPerRequest:F0} |"));

    private static Result RunRaw(int payload, int window, double seconds)
    {
        using var server = new RawEchoServer();
        using var client = new RawEchoClient(server.Port);
        byte[] body = new byte[payload];
        return Measure(window, seconds, () => new ValueTask(client.RoundTripAsync(body)));
    }

    private static Result RunRpc(TransportScheme scheme, int payload, int window, double seconds)
    {
        var options = new TransportOptions { FrameBodyMaxBytes = 2 * 1024 * 1024, InFlightRequestsMax = 256 };
        ITransportNetwork network = scheme == TransportScheme.Tcp ? new TcpNetwork(options) : new InProcessNetwork(options);
        var server = new RpcNode(network, options);
        server.RegisterHandler(EchoOpcode, static (request, response, _) =>
        {
            response.Write(request.Body.Span);
            return ValueTask.FromResult(DaosError.None);
        });
        TransportAddress address = server.ListenAsync(scheme == TransportScheme.Tcp
            ? TransportAddress.Tcp("127.0.0.1", 0)
            : TransportAddress.InProcess("bench")).AsTask().GetAwaiter().GetResult();
        var client = new RpcNode(network, options);
        RpcPeer peer = client.GetPeer(address);
        byte[] body = new byte[payload];
        try
        {
            return Measure(window, seconds, [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))] async ValueTask () =>
            {
                using RpcResponse response = await peer.SendAsync(EchoOpcode, 0, body);
                if (response.Body.Length != payload)
                {
                    throw new InvalidOperationException("echo came back the wrong size");
                }
            });
        }
        finally
        {
            client.DisposeAsync().AsTask().GetAwaiter().GetResult();
            server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    private static Result Measure(int window, double seconds, Func<ValueTask> roundTrip)
    {
        // Warm-up: JIT, pools, TCP windows. Latencies go into preallocated lists so the harness itself allocates
        // nothing per request (the request delegates use pooled async builders).
        RunWorkers(window, TimeSpan.FromSeconds(Math.Min(1, seconds / 3)), roundTrip, null);
        var latencies = new List<long>[window];
        for (int i = 0; i < window; i++)
        {
            latencies[i] = new List<long>(1 << 16);
        }

        GC.Collect();
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        long start = Stopwatch.GetTimestamp();
        long count = RunWorkers(window, TimeSpan.FromSeconds(seconds), roundTrip, latencies);
        double elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        long[] all = [.. latencies.SelectMany(l => l)];
        Array.Sort(all);
        double toMicros = 1e6 / Stopwatch.Frequency;
        return new Result(
            count / elapsed,
            all[all.Length / 2] * toMicros,
            all[Math.Min(all.Length - 1, (int)(all.Length * 0.99))] * toMicros,
            (double)allocated / count);
    }

    private static long RunWorkers(int window, TimeSpan duration, Func<ValueTask> roundTrip, List<long>[]? latencies)
    {
        long end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        long total = 0;
        var workers = new Task[window];
        for (int w = 0; w < window; w++)
        {
            List<long>? mine = latencies?[w];
            workers[w] = Task.Run(async () =>
            {
                long n = 0;
                while (Stopwatch.GetTimestamp() < end)
                {
                    long t0 = Stopwatch.GetTimestamp();
                    await roundTrip();
                    mine?.Add(Stopwatch.GetTimestamp() - t0);
                    n++;
                }

                Interlocked.Add(ref total, n);
            });
        }

        Task.WaitAll(workers);
        return total;
    }

    private readonly record struct Result(double Throughput, double P50Micros, double P99Micros, double AllocatedPerRequest);
}

using System.Buffers;
using BenchmarkDotNet.Attributes;
using Daos.Transport;

namespace Daos.Bench.Transport;

/// <summary>
/// Echo round trips through the RPC layer with 1 and 64 requests in flight, over TCP loopback and in-process,
/// with a raw-socket echo as the physical baseline. Allocations are per operation (client and server together).
/// <c>dotnet run -c Release --project bench/Daos.Bench -- --filter '*TransportRoundTrip*'</c>
/// </summary>
[MemoryDiagnoser]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet disposes through GlobalCleanup.")]
public class TransportRoundTripBenchmarks
{
    private const ushort EchoOpcode = 0x0100;
    private const int Window = 64;

    private RpcNode _server = null!;
    private RpcNode _client = null!;
    private RpcPeer _peer = null!;
    private RawEchoServer _rawServer = null!;
    private RawEchoClient _rawClient = null!;
    private byte[] _body = [];
    private readonly Task[] _batch = new Task[Window];

    /// <summary>Which network carries the RPCs.</summary>
    [Params("tcp", "inproc")]
    public string Network { get; set; } = "tcp";

    /// <summary>Request and response body size.</summary>
    [Params(64, 1024 * 1024)]
    public int PayloadBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var options = new TransportOptions { FrameBodyMaxBytes = 2 * 1024 * 1024 };
        ITransportNetwork network = Network == "tcp" ? new TcpNetwork(options) : new InProcessNetwork(options);
        _server = new RpcNode(network, options);
        _server.RegisterHandler(EchoOpcode, static (request, response, _) =>
        {
            response.Write(request.Body.Span);
            return ValueTask.FromResult(DaosError.None);
        });
        TransportAddress address = _server.ListenAsync(Network == "tcp"
            ? TransportAddress.Tcp("127.0.0.1", 0)
            : TransportAddress.InProcess("bench")).AsTask().GetAwaiter().GetResult();
        _client = new RpcNode(network, options);
        _peer = _client.GetPeer(address);
        _body = new byte[PayloadBytes];
        _rawServer = new RawEchoServer();
        _rawClient = new RawEchoClient(_rawServer.Port);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _client.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _rawClient.Dispose();
        _rawServer.Dispose();
    }

    /// <summary>The physical limit: a raw socket echo of the same payload (TCP only; same value in both rows).</summary>
    [Benchmark(Baseline = true)]
    public Task RawSocketRoundTrip() => _rawClient.RoundTripAsync(_body);

    /// <summary>One request in flight.</summary>
    [Benchmark]
    public async Task RpcRoundTrip()
    {
        using RpcResponse response = await _peer.SendAsync(EchoOpcode, 0, _body);
    }

    /// <summary>64 requests in flight on one connection; the figure is per request.</summary>
    [Benchmark(OperationsPerInvoke = Window)]
    public async Task RpcRoundTrip64InFlight()
    {
        for (int i = 0; i < Window; i++)
        {
            _batch[i] = One();
        }

        await Task.WhenAll(_batch);

        async Task One()
        {
            using RpcResponse response = await _peer.SendAsync(EchoOpcode, 0, _body);
        }
    }
}

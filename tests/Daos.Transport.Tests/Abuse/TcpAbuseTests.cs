using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Daos.Transport.Tests.Framing;
using Daos.Transport.Tests.Rpc;

namespace Daos.Transport.Tests.Abuse;

/// <summary>
/// Hostile peers on real loopback TCP: each case opens a raw socket, misbehaves, and checks that the server closes
/// that connection with a logged reason while a well-behaved client on its own connection keeps being served,
/// and that the listener still accepts new connections afterwards.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "Disposed by IAsyncLifetime.DisposeAsync.")]
public sealed class TcpAbuseTests : IAsyncLifetime
{
    private static readonly TimeSpan CloseWithin = TimeSpan.FromSeconds(10);

    private readonly ListLogger _log = new();
    private RpcNode _server = null!;
    private RpcNode _client = null!;
    private TransportAddress _address;
    private Task _background = Task.CompletedTask;
    private CancellationTokenSource _stopBackground = new();
    private int _servedDuringAbuse;


    public async Task InitializeAsync()
    {
        // The server's short heartbeat timeout is what ends the silent and slow senders; the well-behaved client
        // gets a long one, so a loaded machine that delays a loop never closes the connection that must survive.
        TransportOptions options = new()
        {
            FrameBodyMaxBytes = 64 * 1024,
            HeartbeatInterval = TimeSpan.FromMilliseconds(200),
            HeartbeatTimeout = TimeSpan.FromSeconds(3),
            TimerResolution = TimeSpan.FromMilliseconds(20),
            ConnectionsMax = 64,
        };
        TransportOptions clientOptions = new()
        {
            FrameBodyMaxBytes = 64 * 1024,
            HeartbeatInterval = TimeSpan.FromMilliseconds(200),
            HeartbeatTimeout = TimeSpan.FromSeconds(30),
        };
        _server = new RpcNode(new TcpNetwork(options), options, RpcExecutors.Everywhere(RpcExecutors.ThreadPool), _log);
        RpcTestNodes.RegisterStandardHandlers(_server);
        _address = await _server.ListenAsync(TransportAddress.Tcp("127.0.0.1", 0));
        _client = new RpcNode(new TcpNetwork(clientOptions), clientOptions);
        await AssertServedAsync();
        _background = Task.Run(async () =>
        {
            // A well-behaved client keeps talking through every abuse case.
            while (!_stopBackground.IsCancellationRequested)
            {
                await AssertServedAsync();
                Interlocked.Increment(ref _servedDuringAbuse);
                await Task.Delay(5);
            }
        });
    }

    public async Task DisposeAsync()
    {
        await _stopBackground.CancelAsync();
        await _background;
        _stopBackground.Dispose();
        await _client.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public Task Oversized_frame_is_refused_before_its_body() => AbuseAsync("frame body longer than the limit", async socket =>
    {
        await socket.SendAsync(HeaderWith(bodyLength: 10 * 1024 * 1024));
    });

    [Fact]
    public Task Bad_magic_closes_the_connection() => AbuseAsync("bad magic number", async socket =>
    {
        byte[] frame = ValidFrame();
        frame[0] = (byte)'X';
        await socket.SendAsync(frame);
    });

    [Fact]
    public Task Bad_version_closes_the_connection() => AbuseAsync("unsupported protocol version", async socket =>
    {
        byte[] frame = ValidFrame();
        frame[4] = 9;
        await socket.SendAsync(frame);
    });

    [Fact]
    public Task Bad_header_checksum_closes_the_connection() => AbuseAsync("header checksum mismatch", async socket =>
    {
        byte[] frame = ValidFrame();
        frame[10] ^= 0x40;
        await socket.SendAsync(frame);
    });

    [Fact]
    public Task Lying_length_runs_into_the_next_header_and_is_refused() => AbuseAsync("bad magic number", async socket =>
    {
        // Announces 100 bytes, sends 10, then a valid frame: its header becomes body, and what follows is garbage.
        byte[] liar = HeaderWith(bodyLength: 100);
        byte[] next = ValidFrame(body: new byte[200]);
        await socket.SendAsync(liar.Concat(new byte[10]).Concat(next).ToArray());
    });

    [Fact]
    public Task Unknown_transport_opcode_closes_the_connection() => AbuseAsync("transport opcode 99 sent as a request", async socket =>
    {
        await socket.SendAsync(Frames.Encode(new FrameHeader(99, FrameFlags.None, 1, 0, DaosError.None, 0, 0), []));
    });

    [Fact]
    public Task Dropped_mid_frame_is_logged_as_such() => AbuseAsync("mid-frame", async socket =>
    {
        byte[] frame = ValidFrame(body: new byte[1000]);
        await socket.SendAsync(frame.AsMemory(0, 500));
        socket.Shutdown(SocketShutdown.Send);
    });

    [Fact]
    public Task Truncated_body_then_silence_is_closed_by_the_heartbeat_timeout() => AbuseAsync("no complete frame received", async socket =>
    {
        byte[] frame = ValidFrame(body: new byte[1000]);
        await socket.SendAsync(frame.AsMemory(0, 500));
    });

    [Fact]
    public Task Slow_sender_is_closed_before_its_frame_completes() => AbuseAsync("no complete frame received", async socket =>
    {
        byte[] frame = ValidFrame(body: new byte[64]);
        // One byte per second: the 104-byte frame would take 104 s; the 3 s heartbeat timeout ends it first.
        for (int i = 0; i < frame.Length; i++)
        {
            try
            {
                await socket.SendAsync(frame.AsMemory(i, 1));
            }
            catch (SocketException)
            {
                return;
            }

            if (await ClosedWithinAsync(socket, TimeSpan.FromSeconds(1)))
            {
                return;
            }
        }
    });

    [Fact]
    public async Task Unknown_application_opcode_is_answered_Unregistered_and_the_connection_survives()
    {
        using Socket socket = await ConnectRawAsync();
        byte[] request = Frames.Encode(new FrameHeader(0x7000, FrameFlags.None, 5, 0, DaosError.None, 0, 3), [1, 2, 3]);
        await socket.SendAsync(request);
        FrameHeader answer = await ReadHeaderAsync(socket);
        Assert.Equal(DaosError.Unregistered, answer.Status);
        Assert.Equal(5UL, answer.RequestId);
        Assert.True(answer.IsResponse);

        // Still usable: a real echo on the same raw socket.
        await socket.SendAsync(Frames.Encode(new FrameHeader(RpcTestNodes.Echo, FrameFlags.None, 6, 0, DaosError.None, 0, 2), [7, 8]));
        FrameHeader echo = await ReadHeaderAsync(socket);
        Assert.Equal(DaosError.None, echo.Status);
        Assert.Equal(6UL, echo.RequestId);
    }

    [Fact]
    public async Task Many_idle_connections_are_bounded_and_timed_out_while_others_are_served()
    {
        var idle = new List<Socket>();
        try
        {
            for (int i = 0; i < 300; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                idle.Add(socket);
                try
                {
                    await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _address.Port));
                }
                catch (SocketException)
                {
                    // Over the limit the server resets connections as it accepts them; some resets race the connect.
                }
            }

            await AssertServedAsync();
            await RpcNodeTests.WaitUntil(() => _log.Contains("connections is the limit"));
            Assert.True(_server.ConnectionCount <= 64, $"{_server.ConnectionCount} connections open");

            // Idle ones send no heartbeat; the server closes them after its heartbeat timeout.
            await RpcNodeTests.WaitUntil(() => _server.ConnectionCount <= 2);
            foreach (Socket socket in idle.Where(s => s.Connected))
            {
                Assert.True(await ClosedWithinAsync(socket, CloseWithin), "an idle connection stayed open");
            }

            await AssertServedAsync();
        }
        finally
        {
            foreach (Socket socket in idle)
            {
                socket.Dispose();
            }
        }
    }

    [Fact]
    public Task Five_hundred_idle_connections_do_not_disturb_others() => IdleConnectionsAsync(500, measureMemory: false);

    // Measuring memory per connection needs a quiet process (other test classes allocate concurrently), and two
    // thousand sockets are slow to open on a loaded machine, so the full case runs with the soak tests.
    [Fact]
    [Trait("Category", "Soak")]
    public Task Two_thousand_idle_connections_cost_bounded_memory_and_do_not_disturb_others() =>
        IdleConnectionsAsync(2000, measureMemory: true);

    private async Task IdleConnectionsAsync(int idleCount, bool measureMemory)
    {
        TransportOptions options = new() { ConnectionsMax = 4000, HeartbeatTimeout = TimeSpan.FromSeconds(30) };
        var server = new RpcNode(new TcpNetwork(options), options, logger: _log);
        await using var _ = server;
        RpcTestNodes.RegisterStandardHandlers(server);
        TransportAddress address = await server.ListenAsync(TransportAddress.Tcp("127.0.0.1", 0));
        var sockets = new List<Socket>();
        try
        {
            long before = GC.GetTotalMemory(forceFullCollection: true);
            for (int i = 0; i < idleCount; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                sockets.Add(socket);
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, address.Port));
            }

            await RpcNodeTests.WaitUntil(() => server.ConnectionCount == idleCount);
            if (measureMemory)
            {
                long perConnection = (GC.GetTotalMemory(forceFullCollection: true) - before) / idleCount;
                // Pipes rent no buffer until bytes arrive (zero-byte reads); what remains is bookkeeping.
                Assert.True(perConnection < 16 * 1024, $"{perConnection} bytes per idle connection");
            }

            var client = new RpcNode(new TcpNetwork(), new TransportOptions());
            await using (client)
            {
                for (int i = 0; i < 20; i++)
                {
                    using RpcResponse r = await client.GetPeer(address).SendAsync(RpcTestNodes.Echo, 0, new byte[] { (byte)i });
                    Assert.Equal(new[] { (byte)i }, r.Body.ToArray());
                }
            }
        }
        finally
        {
            foreach (Socket socket in sockets)
            {
                socket.Dispose();
            }
        }
    }

    private async Task AbuseAsync(string expectedReason, Func<Socket, Task> misbehave)
    {
        int servedBefore = Volatile.Read(ref _servedDuringAbuse);
        using Socket socket = await ConnectRawAsync();
        await misbehave(socket);
        Assert.True(await ClosedWithinAsync(socket, CloseWithin), "the server kept the offending connection open");
        await RpcNodeTests.WaitUntil(() => _log.Contains(expectedReason));

        // Others were served meanwhile, and the listener still accepts.
        await RpcNodeTests.WaitUntil(() => Volatile.Read(ref _servedDuringAbuse) > servedBefore + 2);
        var fresh = new RpcNode(new TcpNetwork(), new TransportOptions());
        await using (fresh)
        {
            using RpcResponse response = await fresh.GetPeer(_address).SendAsync(RpcTestNodes.Echo, 0, new byte[] { 1 });
            Assert.Equal(DaosError.None, response.Status);
        }
    }

    private async Task AssertServedAsync()
    {
        byte[] body = [1, 2, 3, 4, 5];
        using RpcResponse response = await _client.GetPeer(_address).SendAsync(RpcTestNodes.Echo, 0, body, timeout: TimeSpan.FromSeconds(5));
        Assert.Equal(body, response.Body.ToArray());
    }

    private async Task<Socket> ConnectRawAsync()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _address.Port));
        return socket;
    }

    /// <summary>True once the peer has closed (read returns 0 or the connection is reset).</summary>
    private static async Task<bool> ClosedWithinAsync(Socket socket, TimeSpan within)
    {
        byte[] sink = new byte[4096];
        var watch = Stopwatch.StartNew();
        using var cts = new CancellationTokenSource(within);
        try
        {
            while (true)
            {
                int n = await socket.ReceiveAsync(sink, SocketFlags.None, cts.Token);
                if (n == 0)
                {
                    return true;
                }
            }
        }
        catch (SocketException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static async Task<FrameHeader> ReadHeaderAsync(Socket socket)
    {
        byte[] header = new byte[FrameHeader.SizeBytes];
        int read = 0;
        using var cts = new CancellationTokenSource(CloseWithin);
        while (read < header.Length)
        {
            int n = await socket.ReceiveAsync(header.AsMemory(read), SocketFlags.None, cts.Token);
            Assert.True(n > 0, "connection closed before a response");
            read += n;
        }

        FrameHeader parsed = FrameCodec.ReadHeader(header, 1 << 20);
        byte[] body = new byte[parsed.BodyLengthBytes];
        read = 0;
        while (read < body.Length)
        {
            read += await socket.ReceiveAsync(body.AsMemory(read), SocketFlags.None, cts.Token);
        }

        return parsed;
    }

    private static byte[] ValidFrame(byte[]? body = null)
    {
        body ??= [1, 2, 3];
        return Frames.Encode(new FrameHeader(RpcTestNodes.Echo, FrameFlags.None, 1, 0, DaosError.None, 0, body.Length), body);
    }

    private static byte[] HeaderWith(int bodyLength)
    {
        byte[] header = Frames.Encode(new FrameHeader(RpcTestNodes.Echo, FrameFlags.None, 1, 0, DaosError.None, 0, 0), []);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(32), (uint)bodyLength);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(36), Crc32C.Compute(header.AsSpan(0, 36)));
        return header;
    }
}

using System.Buffers;
using Daos.Transport;

namespace Daos.Transport.Tests.Rpc;

public sealed class RpcNodeTests
{
    public static TheoryData<TransportScheme> Schemes => new() { TransportScheme.Tcp, TransportScheme.InProcess };

    [Theory]
    [MemberData(nameof(Schemes))]
    public async Task Echo_returns_the_body_for_many_requests_in_flight(TransportScheme scheme)
    {
        var (server, client, address) = await RpcTestNodes.StartAsync(scheme);
        await using var _ = server;
        await using var __ = client;
        RpcPeer peer = client.GetPeer(address);
        var tasks = new List<Task>();
        for (int i = 0; i < 200; i++)
        {
            int n = i;
            tasks.Add(Task.Run(async () =>
            {
                byte[] body = new byte[n * 37 % 5000];
                new DeterministicRandom((ulong)n).NextBytes(body);
                using RpcResponse response = await peer.SendAsync(RpcTestNodes.Echo, (uint)n, body);
                Assert.Equal(DaosError.None, response.Status);
                Assert.Equal(body, response.Body.ToArray());
            }));
        }

        await Task.WhenAll(tasks);
    }

    [Theory]
    [MemberData(nameof(Schemes))]
    public async Task Large_payload_round_trips(TransportScheme scheme)
    {
        var (server, client, address) = await RpcTestNodes.StartAsync(scheme);
        await using var _ = server;
        await using var __ = client;
        byte[] body = new byte[1024 * 1024];
        new DeterministicRandom(7).NextBytes(body);
        using RpcResponse response = await client.GetPeer(address).SendAsync(RpcTestNodes.Echo, 0, body);
        Assert.True(response.Body.Span.SequenceEqual(body));
    }

    [Theory]
    [MemberData(nameof(Schemes))]
    public async Task Handler_statuses_and_exceptions_arrive_as_DaosErrors(TransportScheme scheme)
    {
        var (server, client, address) = await RpcTestNodes.StartAsync(scheme);
        await using var _ = server;
        await using var __ = client;
        RpcPeer peer = client.GetPeer(address);
        using (RpcResponse failed = await peer.SendAsync(RpcTestNodes.Fail, 0, ReadOnlyMemory<byte>.Empty))
        {
            Assert.Equal(DaosError.NonExistent, failed.Status);
        }

        using (RpcResponse thrown = await peer.SendAsync(RpcTestNodes.Throw, 0, ReadOnlyMemory<byte>.Empty))
        {
            var e = Assert.Throws<DaosException>(() => thrown.ThrowIfFailed());
            Assert.Equal(DaosError.NoPermission, e.Error);
            Assert.Equal("not yours (DER_NO_PERM(-1001))", e.Message);
        }

        using (RpcResponse unknown = await peer.SendAsync(0x7777, 0, ReadOnlyMemory<byte>.Empty))
        {
            Assert.Equal(DaosError.Unregistered, unknown.Status);
        }

        // The connection survived all three.
        using RpcResponse echo = await peer.SendAsync(RpcTestNodes.Echo, 0, new byte[] { 1, 2, 3 });
        Assert.Equal(new byte[] { 1, 2, 3 }, echo.Body.ToArray());
    }

    [Fact]
    public async Task Targets_without_an_executor_are_answered_BadTarget()
    {
        var selector = new OnlyTargetZero();
        var (server, client, address) = await RpcTestNodes.StartAsync(TransportScheme.InProcess, executors: selector);
        await using var _ = server;
        await using var __ = client;
        using RpcResponse good = await client.GetPeer(address).SendAsync(RpcTestNodes.Echo, 0, new byte[] { 9 });
        using RpcResponse bad = await client.GetPeer(address).SendAsync(RpcTestNodes.Echo, 5, new byte[] { 9 });
        Assert.Equal(DaosError.None, good.Status);
        Assert.Equal(DaosError.BadTarget, bad.Status);
        Assert.Equal(1, selector.Posted);
    }

    [Theory]
    [MemberData(nameof(Schemes))]
    public async Task A_request_times_out_and_a_cancelled_one_throws_OperationCanceled(TransportScheme scheme)
    {
        var (server, client, address) = await RpcTestNodes.StartAsync(scheme);
        await using var _ = server;
        await using var __ = client;
        RpcPeer peer = client.GetPeer(address);
        var timedOut = await Assert.ThrowsAsync<DaosException>(async () =>
            await peer.SendAsync(RpcTestNodes.Hang, 0, ReadOnlyMemory<byte>.Empty, timeout: TimeSpan.FromMilliseconds(100)));
        Assert.Equal(DaosError.Timeout, timedOut.Error);

        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            await peer.SendAsync(RpcTestNodes.Hang, 0, ReadOnlyMemory<byte>.Empty, cancellationToken: cts.Token));

        using RpcResponse echo = await peer.SendAsync(RpcTestNodes.Echo, 0, new byte[] { 4 });
        Assert.Equal(DaosError.None, echo.Status);
    }

    [Fact]
    public async Task Unreachable_address_fails_with_Unreachable_after_bounded_backoff()
    {
        TransportOptions options = RpcTestNodes.FastOptions();
        var client = new RpcNode(new InProcessNetwork(options), options);
        await using var _ = client;
        var e = await Assert.ThrowsAsync<DaosException>(async () =>
            await client.GetPeer(TransportAddress.InProcess("nobody")).SendAsync(RpcTestNodes.Echo, 0, ReadOnlyMemory<byte>.Empty,
                timeout: TimeSpan.FromMilliseconds(300)));
        Assert.Equal(DaosError.Unreachable, e.Error);
    }

    [Fact]
    public async Task Refused_tcp_connect_fails_with_Unreachable_within_the_timeout()
    {
        // A port that was just bound and released: nothing listens there.
        int port;
        using (var probe = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp))
        {
            probe.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
            port = ((System.Net.IPEndPoint)probe.LocalEndPoint!).Port;
        }

        TransportOptions options = RpcTestNodes.FastOptions();
        var client = new RpcNode(new TcpNetwork(options), options);
        await using var _ = client;
        var e = await Assert.ThrowsAsync<DaosException>(async () =>
            await client.GetPeer(TransportAddress.Tcp("127.0.0.1", port)).SendAsync(RpcTestNodes.Echo, 0, ReadOnlyMemory<byte>.Empty,
                timeout: TimeSpan.FromMilliseconds(300)));
        Assert.Equal(DaosError.Unreachable, e.Error);
    }

    [Fact]
    public async Task Peer_reconnects_after_the_server_restarts()
    {
        TransportOptions options = RpcTestNodes.FastOptions();
        var network = new InProcessNetwork(options);
        TransportAddress address = TransportAddress.InProcess("restarting");
        var first = new RpcNode(network, options);
        RpcTestNodes.RegisterStandardHandlers(first);
        await first.ListenAsync(address);
        var client = new RpcNode(network, options);
        await using var _ = client;
        RpcPeer peer = client.GetPeer(address);
        using (RpcResponse r = await peer.SendAsync(RpcTestNodes.Echo, 0, new byte[] { 1 }))
        {
            Assert.Equal(DaosError.None, r.Status);
        }

        await first.ShutdownAsync();
        await WaitUntil(() => !peer.IsConnected);
        var second = new RpcNode(network, options);
        await using var __ = second;
        RpcTestNodes.RegisterStandardHandlers(second);
        await second.ListenAsync(address);
        using RpcResponse again = await peer.SendAsync(RpcTestNodes.Echo, 0, new byte[] { 2 }, timeout: TimeSpan.FromSeconds(5));
        Assert.Equal(new byte[] { 2 }, again.Body.ToArray());
    }

    [Theory]
    [MemberData(nameof(Schemes))]
    public async Task Shutdown_drains_requests_in_flight_and_refuses_new_ones(TransportScheme scheme)
    {
        var (server, client, address) = await RpcTestNodes.StartAsync(scheme);
        var release = new TaskCompletionSource();
        const ushort Slow = 0x0200;
        server.RegisterHandler(Slow, async (request, response, ct) =>
        {
            await release.Task;
            response.Write(request.Body.Span);
            return DaosError.None;
        });
        await using var __ = client;
        RpcPeer peer = client.GetPeer(address);
        Task<RpcResponse> slow = peer.SendAsync(Slow, 0, new byte[] { 42 }).AsTask();
        await WaitUntil(() => server.ConnectionCount == 1);
        await Task.Delay(50);
        Task shutdown = server.ShutdownAsync().AsTask();
        await Task.Delay(50);
        Assert.False(shutdown.IsCompleted);
        release.SetResult();
        using RpcResponse answered = await slow;
        Assert.Equal(new byte[] { 42 }, answered.Body.ToArray());
        await shutdown;
        Assert.Equal(0, server.ConnectionCount);
    }

    [Theory]
    [MemberData(nameof(Schemes))]
    public async Task The_in_flight_window_bounds_concurrent_requests_on_both_sides(TransportScheme scheme)
    {
        TransportOptions fast = RpcTestNodes.FastOptions();
        var options = new TransportOptions
        {
            InFlightRequestsMax = 4,
            HeartbeatInterval = fast.HeartbeatInterval,
            HeartbeatTimeout = fast.HeartbeatTimeout,
            TimerResolution = fast.TimerResolution,
        };
        var (server, client, address) = await RpcTestNodes.StartAsync(scheme, options);
        await using var _ = server;
        await using var __ = client;
        const ushort Gate = 0x0300;
        int running = 0, peak = 0;
        var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server.RegisterHandler(Gate, async (request, response, ct) =>
        {
            int now = Interlocked.Increment(ref running);
            InterlockedMax(ref peak, now);
            await open.Task;
            Interlocked.Decrement(ref running);
            return DaosError.None;
        });
        RpcPeer peer = client.GetPeer(address);
        Task<RpcResponse>[] calls = Enumerable.Range(0, 20).Select(_ => peer.SendAsync(Gate, 0, new byte[] { 1 }).AsTask()).ToArray();
        await WaitUntil(() => Volatile.Read(ref running) == 4);
        await Task.Delay(100);
        Assert.Equal(4, Volatile.Read(ref peak));
        open.SetResult();
        foreach (Task<RpcResponse> call in calls)
        {
            using RpcResponse r = await call;
            Assert.Equal(DaosError.None, r.Status);
        }

        Assert.Equal(4, peak);
    }

    [Theory]
    [MemberData(nameof(Schemes))]
    public async Task A_stalled_server_pushes_back_through_the_pipes_and_everything_completes_when_it_resumes(TransportScheme scheme)
    {
        TransportOptions fast = RpcTestNodes.FastOptions();
        var serverOptions = new TransportOptions
        {
            FrameBodyMaxBytes = 256 * 1024,
            InFlightRequestsMax = 2,
            OutputPauseThresholdBytes = 64 * 1024,
            HeartbeatInterval = fast.HeartbeatInterval,
            HeartbeatTimeout = TimeSpan.FromSeconds(30),
            TimerResolution = fast.TimerResolution,
        };
        var clientOptions = new TransportOptions
        {
            FrameBodyMaxBytes = 256 * 1024,
            InFlightRequestsMax = 64,
            OutputPauseThresholdBytes = 64 * 1024,
            HeartbeatInterval = fast.HeartbeatInterval,
            HeartbeatTimeout = TimeSpan.FromSeconds(30),
            TimerResolution = fast.TimerResolution,
        };
        ITransportNetwork network = scheme == TransportScheme.Tcp ? new TcpNetwork(serverOptions) : new InProcessNetwork(serverOptions);
        var server = new RpcNode(network, serverOptions, RpcExecutors.Everywhere(RpcExecutors.ThreadPool));
        await using var _ = server;
        const ushort Stall = 0x0400;
        var resume = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int started = 0;
        server.RegisterHandler(Stall, async (request, response, ct) =>
        {
            Interlocked.Increment(ref started);
            await resume.Task;
            response.Write(request.Body.Span[..16]);
            return DaosError.None;
        });
        TransportAddress address = await server.ListenAsync(scheme == TransportScheme.Tcp
            ? TransportAddress.Tcp("127.0.0.1", 0)
            : TransportAddress.InProcess("stalled-" + Guid.NewGuid().ToString("N")));
        var client = new RpcNode(scheme == TransportScheme.Tcp ? new TcpNetwork(clientOptions) : network, clientOptions);
        await using var __ = client;
        RpcPeer peer = client.GetPeer(address);

        // 64 requests of 256 KiB = 16 MiB, far beyond every pipe threshold and socket buffer on the way.
        Task<RpcResponse>[] calls = Enumerable.Range(0, 64).Select(i =>
        {
            byte[] body = new byte[256 * 1024];
            body[0] = (byte)i;
            return peer.SendAsync(Stall, 0, body, timeout: TimeSpan.FromSeconds(60)).AsTask();
        }).ToArray();
        await WaitUntil(() => Volatile.Read(ref started) == 2);
        await Task.Delay(300);
        Assert.Equal(2, Volatile.Read(ref started));
        Assert.DoesNotContain(calls, c => c.IsCompleted);

        resume.SetResult();
        for (int i = 0; i < calls.Length; i++)
        {
            using RpcResponse r = await calls[i];
            Assert.Equal(DaosError.None, r.Status);
            Assert.Equal((byte)i, r.Body.Span[0]);
        }

        Assert.Equal(64, started);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while (value > (current = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    internal static async Task WaitUntil(Func<bool> condition, int timeoutMs = 10_000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached in time");
            await Task.Delay(10);
        }
    }

    private sealed class OnlyTargetZero : IRpcExecutorSelector, IRpcExecutor
    {
        public int Posted;

        public IRpcExecutor? Select(uint target) => target == 0 ? this : null;

        public void Post(SendOrPostCallback callback, object? state)
        {
            Interlocked.Increment(ref Posted);
            ThreadPool.QueueUserWorkItem(s => callback(s), state);
        }
    }
}

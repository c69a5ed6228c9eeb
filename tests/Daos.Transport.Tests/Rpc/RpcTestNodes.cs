using System.Buffers;
using Daos.Transport;

namespace Daos.Transport.Tests.Rpc;

/// <summary>Builds server/client node pairs on each real network, with an echo handler and friends.</summary>
internal static class RpcTestNodes
{
    public const ushort Echo = 0x0100;
    public const ushort Fail = 0x0101;
    public const ushort Hang = 0x0102;
    public const ushort Throw = 0x0103;

    public static TransportOptions FastOptions(TimeProvider? time = null) => new()
    {
        FrameBodyMaxBytes = 2 * 1024 * 1024,
        HeartbeatInterval = TimeSpan.FromMilliseconds(200),
        // Generous: test processes run many test classes at once on few cores, and a healthy connection must not
        // be closed because a loop was not scheduled for a second or two. Tests of the timeout set their own.
        HeartbeatTimeout = TimeSpan.FromSeconds(10),
        TimerResolution = TimeSpan.FromMilliseconds(20),
        RequestTimeout = TimeSpan.FromSeconds(10),
        DrainTimeout = TimeSpan.FromSeconds(10),
        TimeProvider = time ?? TimeProvider.System,
    };

    public static void RegisterStandardHandlers(RpcNode node)
    {
        node.RegisterHandler(Echo, static (request, response, _) =>
        {
            response.Write(request.Body.Span);
            return ValueTask.FromResult(DaosError.None);
        });
        node.RegisterHandler(Fail, static (request, _, _) => ValueTask.FromResult(DaosError.NonExistent));
        node.RegisterHandler(Hang, static async (request, _, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            return DaosError.None;
        });
        node.RegisterHandler(Throw, static (request, _, _) => throw new DaosException(DaosError.NoPermission, "not yours"));
    }

    public static async Task<(RpcNode Server, RpcNode Client, TransportAddress Address)> StartAsync(
        TransportScheme scheme, TransportOptions? options = null, IRpcExecutorSelector? executors = null)
    {
        options ??= FastOptions();
        ITransportNetwork network = scheme == TransportScheme.Tcp
            ? new TcpNetwork(options)
            : new InProcessNetwork(options);
        var server = new RpcNode(network, options, executors ?? RpcExecutors.Everywhere(RpcExecutors.ThreadPool));
        RegisterStandardHandlers(server);
        TransportAddress address = await server.ListenAsync(scheme == TransportScheme.Tcp
            ? TransportAddress.Tcp("127.0.0.1", 0)
            : TransportAddress.InProcess("server-" + Guid.NewGuid().ToString("N")));
        var client = new RpcNode(network, options);
        return (server, client, address);
    }
}

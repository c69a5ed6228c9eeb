using System.Buffers;
using System.Buffers.Binary;
using Daos.Harness.Network;
using Daos.Harness.Scheduling;
using Daos.Transport;

namespace Daos.Harness.Tests.Network;

/// <summary>A server node "s" and a client node "c" on a simulated network, on one deterministic scheduler.</summary>
internal sealed class SimCluster
{
    public const ushort Echo = 0x0100;

    public SimCluster(ulong seed, SimulatedNetworkOptions? options = null)
    {
        Scheduler = new DeterministicScheduler(seed, new DeterministicSchedulerOptions { Output = null });
        TransportOptions = SimulatedTransport.Options(Scheduler, requestTimeout: TimeSpan.FromMilliseconds(200),
            timerResolution: TimeSpan.FromMilliseconds(5), reconnectBackoffMax: TimeSpan.FromMilliseconds(50),
            drainTimeout: TimeSpan.FromMilliseconds(100));
        Network = new SimulatedNetwork(Scheduler, options, TransportOptions);
    }

    public DeterministicScheduler Scheduler { get; }

    public TransportOptions TransportOptions { get; }

    public SimulatedNetwork Network { get; }

    public RpcNode Server { get; private set; } = null!;

    public RpcNode Client { get; private set; } = null!;

    public RpcPeer Peer { get; private set; } = null!;

    /// <summary>Sequence numbers of requests in the order the server's handler saw them.</summary>
    public List<int> ServerSaw { get; } = [];

    public async Task StartAsync()
    {
        await StartServerAsync();
        IRpcExecutorSelector executors = RpcExecutors.Everywhere(RpcExecutors.FromSynchronizationContext(Scheduler.SynchronizationContext));
        Client = new RpcNode(Network.Host("c"), TransportOptions, executors);
        Peer = Client.GetPeer(TransportAddress.Simulated("s"));
    }

    public async Task StartServerAsync()
    {
        // Handlers run inline on the server's receive loop, so the order they see is the order of arrival.
        Server = new RpcNode(Network.Host("s"), TransportOptions, RpcExecutors.Everywhere(RpcExecutors.Inline));
        Server.RegisterHandler(Echo, (request, response, _) =>
        {
            if (request.Body.Length >= 4)
            {
                ServerSaw.Add(BinaryPrimitives.ReadInt32LittleEndian(request.Body.Span));
            }

            response.Write(request.Body.Span);
            return ValueTask.FromResult(DaosError.None);
        });
        await Server.ListenAsync(TransportAddress.Simulated("s"));
    }

    /// <summary>Sends one echo carrying <paramref name="sequence"/>; returns the status or the exception's error.</summary>
    public async Task<DaosError> EchoAsync(int sequence, int extraBytes = 0, TimeSpan? timeout = null)
    {
        byte[] body = new byte[4 + extraBytes];
        BinaryPrimitives.WriteInt32LittleEndian(body, sequence);
        try
        {
            using RpcResponse response = await Peer.SendAsync(Echo, 0, body, timeout: timeout);
            Assert.True(response.Body.Span.SequenceEqual(body), $"seed {Scheduler.Seed}: echo body differs");
            return response.Status;
        }
        catch (DaosException e)
        {
            return e.Error;
        }
    }

    public async Task StopAsync()
    {
        await Client.ShutdownAsync();
        await Server.ShutdownAsync();
    }
}

using Daos.Engine.Engine;
using Daos.Protocol;
using Daos.Protocol.Management;
using Daos.Transport;

namespace Daos.Engine.Tests.Engine;

/// <summary>
/// Engine-to-engine reads ask again when an attempt goes unanswered: a peer that swallows the first requests (as a
/// network that loses them would) is answered on a later attempt within the call's timeout, where a single call waits
/// out the whole timeout and fails.
/// </summary>
public sealed class EngineCallsTests
{
    [Fact]
    public async Task A_read_whose_first_attempts_are_lost_is_answered_by_a_later_one()
    {
        await using Peer peer = await Peer.StartAsync("calls-read", swallowFirst: 2);
        var calls = new EngineCalls(peer.Client, TimeSpan.FromSeconds(20));

        PoolSpace space = await calls.CallIdempotentAsync<PoolShardQueryRequest, PoolSpace>(peer.Address, ProtocolOpcodes.PoolShardQuery, ProtocolTargets.System,
            new PoolShardQueryRequest(Guid.NewGuid()), attemptTimeout: TimeSpan.FromMilliseconds(100));

        Assert.Equal(Peer.Answer, space);
        Assert.Equal(3, peer.Requests);
    }

    [Fact]
    public async Task A_plain_call_is_sent_once_and_a_read_to_a_silent_peer_fails_with_timeout_at_the_call_timeout()
    {
        await using Peer peer = await Peer.StartAsync("calls-silent", swallowFirst: int.MaxValue);
        var calls = new EngineCalls(peer.Client, TimeSpan.FromMilliseconds(300));

        DaosException once = await Assert.ThrowsAsync<DaosException>(() => calls.CallAsync<PoolShardQueryRequest, PoolSpace>(peer.Address,
            ProtocolOpcodes.PoolShardQuery, ProtocolTargets.System, new PoolShardQueryRequest(Guid.NewGuid())));
        Assert.Equal(DaosError.Timeout, once.Error);
        Assert.Equal(1, peer.Requests);

        DaosException read = await Assert.ThrowsAsync<DaosException>(() => calls.CallIdempotentAsync<PoolShardQueryRequest, PoolSpace>(peer.Address,
            ProtocolOpcodes.PoolShardQuery, ProtocolTargets.System, new PoolShardQueryRequest(Guid.NewGuid()), attemptTimeout: TimeSpan.FromMilliseconds(100)));
        Assert.Equal(DaosError.Timeout, read.Error);
        Assert.InRange(peer.Requests, 3, 5); // about 300 ms of 100 ms attempts, then the call gives up
    }

    /// <summary>A peer answering pool shard queries that leaves the first requests unanswered until it is disposed.</summary>
    private sealed class Peer : IAsyncDisposable
    {
        public static readonly PoolSpace Answer = new(1 << 20, 1 << 19, 1 << 24, 1 << 23, 1);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly RpcNode _server;
        private int _requests;

        private Peer(RpcNode server, RpcNode client, TransportAddress address)
        {
            _server = server;
            Client = client;
            Address = address;
        }

        public RpcNode Client { get; }

        public TransportAddress Address { get; }

        public int Requests => Volatile.Read(ref _requests);

        public static async Task<Peer> StartAsync(string host, int swallowFirst)
        {
            var network = new InProcessNetwork();
            var server = new RpcNode(network);
            var client = new RpcNode(network);
            Peer? peer = null;
            ProtocolHandlers.Register<PoolShardQueryRequest, PoolSpace>(server, ProtocolOpcodes.PoolShardQuery, async (_, _, _) =>
            {
                if (Interlocked.Increment(ref peer!._requests) <= swallowFirst)
                {
                    await peer._released.Task;
                    throw new DaosException(DaosError.Shutdown, "the peer stopped");
                }

                return Answer;
            });
            TransportAddress address = await server.ListenAsync(TransportAddress.InProcess(host));
            peer = new Peer(server, client, address);
            return peer;
        }

        public async ValueTask DisposeAsync()
        {
            _released.TrySetResult();
            await Client.DisposeAsync();
            await _server.DisposeAsync();
        }
    }
}

using System.Buffers;
using Daos.Protocol;
using Daos.Transport;

namespace Daos.Engine.Engine;

/// <summary>Typed requests from one engine to another (management to engines, services to engines, targets to services).</summary>
internal sealed class EngineCalls(RpcNode node, TimeSpan timeout)
{
    public RpcNode Node { get; } = node;

    public Task<TReply> CallAsync<TRequest, TReply>(TransportAddress address, ushort opcode, uint target, TRequest request, CancellationToken cancellationToken = default)
        where TRequest : IProtocolMessage<TRequest>
        where TReply : IProtocolMessage<TReply> =>
        CallOnceAsync<TRequest, TReply>(address, opcode, target, request, timeout, cancellationToken);

    /// <summary>
    /// As <see cref="CallAsync"/> for a request that may take effect more than once with the same result (a read, or a
    /// change idempotent by content such as creating a pool shard from its record): an attempt unanswered within
    /// <paramref name="attemptTimeout"/> is sent again, until the whole call timeout has passed. A lost request or
    /// reply then costs one attempt, not the whole timeout; a dead peer still fails the call with Timeout at its end.
    /// </summary>
    public async Task<TReply> CallIdempotentAsync<TRequest, TReply>(TransportAddress address, ushort opcode, uint target, TRequest request, TimeSpan attemptTimeout,
        CancellationToken cancellationToken = default)
        where TRequest : IProtocolMessage<TRequest>
        where TReply : IProtocolMessage<TReply>
    {
        TimeProvider time = Node.Options.TimeProvider;
        long start = time.GetTimestamp();
        while (true)
        {
            TimeSpan left = timeout - time.GetElapsedTime(start);
            try
            {
                return await CallOnceAsync<TRequest, TReply>(address, opcode, target, request, left < attemptTimeout ? left : attemptTimeout, cancellationToken);
            }
            catch (DaosException e) when (e.Error == DaosError.Timeout && time.GetElapsedTime(start) < timeout)
            {
                // Lost on the way (or the peer is slow): ask again.
            }
        }
    }

    private async Task<TReply> CallOnceAsync<TRequest, TReply>(TransportAddress address, ushort opcode, uint target, TRequest request, TimeSpan allowed,
        CancellationToken cancellationToken)
        where TRequest : IProtocolMessage<TRequest>
        where TReply : IProtocolMessage<TReply>
    {
        var body = new ArrayBufferWriter<byte>(256);
        ProtocolCodec.Encode(request, body);
        RpcResponse response = await Node.GetPeer(address).SendAsync(opcode, target, body.WrittenMemory, timeout: allowed, cancellationToken: cancellationToken);
        byte[] copy;
        DaosError status;
        try
        {
            status = response.Status;
            copy = response.Body.ToArray();
        }
        finally
        {
            response.Dispose();
        }

        if (status != DaosError.None)
        {
            throw ProtocolErrors.ToException(status, copy);
        }

        return ProtocolCodec.Decode<TReply>(copy);
    }
}

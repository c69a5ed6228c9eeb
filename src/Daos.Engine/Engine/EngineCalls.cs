using System.Buffers;
using Daos.Protocol;
using Daos.Transport;

namespace Daos.Engine.Engine;

/// <summary>Typed requests from one engine to another (management to engines, services to engines, targets to services).</summary>
internal sealed class EngineCalls(RpcNode node, TimeSpan timeout)
{
    public RpcNode Node { get; } = node;

    public async Task<TReply> CallAsync<TRequest, TReply>(TransportAddress address, ushort opcode, uint target, TRequest request, CancellationToken cancellationToken = default)
        where TRequest : IProtocolMessage<TRequest>
        where TReply : IProtocolMessage<TReply>
    {
        var body = new ArrayBufferWriter<byte>(256);
        ProtocolCodec.Encode(request, body);
        RpcResponse response = await Node.GetPeer(address).SendAsync(opcode, target, body.WrittenMemory, timeout: timeout, cancellationToken: cancellationToken);
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

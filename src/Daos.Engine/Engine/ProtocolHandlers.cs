using System.Buffers;
using Daos.Protocol;
using Daos.Transport;

namespace Daos.Engine.Engine;

/// <summary>
/// Registers typed protocol handlers on an <see cref="RpcNode"/>: the body is decoded as hostile input, the reply
/// encoded on success, and a <see cref="DaosException"/> becomes the reply status with an <see cref="ErrorReply"/>
/// body (leader hint, newer pool map) that <see cref="ProtocolErrors"/> turns back into the same exception.
/// </summary>
internal static class ProtocolHandlers
{
    public static void Register<TRequest, TReply>(RpcNode node, ushort opcode, Func<TRequest, RpcRequest, CancellationToken, ValueTask<TReply>> handler)
        where TRequest : IProtocolMessage<TRequest>
        where TReply : IProtocolMessage<TReply>
    {
        node.RegisterHandler(opcode, async (request, response, cancellationToken) =>
        {
            TReply reply;
            try
            {
                TRequest decoded = ProtocolCodec.Decode<TRequest>(request.Body);
                reply = await handler(decoded, request, cancellationToken);
            }
            catch (DaosException e)
            {
                return ProtocolErrors.WriteFailure(e, response);
            }

            ProtocolCodec.Encode(reply, response);
            return DaosError.None;
        });
    }
}

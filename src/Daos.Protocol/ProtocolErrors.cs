using System.Buffers;
using Daos.Transport;
using Daos.Transport.Messages;

namespace Daos.Protocol;

/// <summary>
/// The error mapping of the protocol. A handler failure becomes a status in the frame header plus an
/// <see cref="ErrorReply"/> body; the caller rethrows it as <see cref="DaosException"/> with the same
/// <see cref="DaosError"/> (as <see cref="NotLeaderException"/> or <see cref="StaleMapException"/> when the reply
/// carries a hint or a map).
/// </summary>
public static class ProtocolErrors
{
    /// <summary>Writes the failure body for <paramref name="exception"/> and returns the status to answer with.</summary>
    public static DaosError WriteFailure(DaosException exception, IBufferWriter<byte> response)
    {
        ArgumentNullException.ThrowIfNull(exception);
        ArgumentNullException.ThrowIfNull(response);
        DaosError status = exception.Error == DaosError.None ? DaosError.Miscellaneous : exception.Error;
        int leader = exception is NotLeaderException notLeader ? notLeader.LeaderRank : -1;
        ReadOnlyMemory<byte> map = exception is StaleMapException stale ? stale.PoolMap : ReadOnlyMemory<byte>.Empty;
        ProtocolCodec.Encode(new ErrorReply(BareMessage(exception), leader, map), response);
        return status;
    }

    /// <summary>
    /// Throws the <see cref="DaosException"/> a failed <paramref name="response"/> stands for; returns when it
    /// succeeded. Bodies the transport wrote itself (no handler, bad target) are understood too.
    /// </summary>
    public static void ThrowIfFailed(in RpcResponse response)
    {
        if (response.IsSuccess)
        {
            return;
        }

        throw ToException(response.Status, response.Body);
    }

    /// <summary>The exception for a failed reply of <paramref name="status"/> with body <paramref name="body"/>.</summary>
    public static DaosException ToException(DaosError status, ReadOnlyMemory<byte> body)
    {
        ErrorReply? reply = null;
        try
        {
            reply = ProtocolCodec.Decode<ErrorReply>(body);
        }
        catch (DaosException)
        {
            // Not a protocol error body: the transport's own reason, or nothing.
        }

        if (reply is not null)
        {
            return status switch
            {
                DaosError.NotLeader => new NotLeaderException(reply.Message, reply.LeaderRank),
                DaosError.Stale => new StaleMapException(reply.Message, reply.PoolMap),
                _ => new DaosException(status, reply.Message),
            };
        }

        string text = $"remote handler failed with {status}";
        try
        {
            if (!body.IsEmpty)
            {
                text = WireMessage.Decode<ErrorMessage>(body.Span).Text;
            }
        }
        catch (DaosException)
        {
            // Unreadable: keep the generic text.
        }

        return status switch
        {
            DaosError.NotLeader => new NotLeaderException(text, -1),
            DaosError.Stale => new StaleMapException(text, ReadOnlyMemory<byte>.Empty),
            _ => new DaosException(status, text),
        };
    }

    // A DaosException's message ends with " (DER_X(-n))"; the receiver appends it again when rethrowing.
    private static string BareMessage(DaosException exception)
    {
        string suffix = $" ({exception.Error.ToDerName()}({exception.Error.ToReturnCode()}))";
        string message = exception.Message;
        return message.EndsWith(suffix, StringComparison.Ordinal) ? message[..^suffix.Length] : message;
    }
}

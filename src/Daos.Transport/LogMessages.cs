using Microsoft.Extensions.Logging;

namespace Daos.Transport;

/// <summary>Every log line the transport writes, as source-generated <see cref="LoggerMessageAttribute"/> methods.</summary>
internal static partial class LogMessages
{
    [LoggerMessage(1, LogLevel.Information, "Listening on {Address}")]
    public static partial void Listening(this ILogger logger, TransportAddress address);

    [LoggerMessage(2, LogLevel.Debug, "Connection {Remote} opened")]
    public static partial void ConnectionOpened(this ILogger logger, string remote);

    [LoggerMessage(3, LogLevel.Information, "Connection {Remote} closed: {Reason}")]
    public static partial void ConnectionClosed(this ILogger logger, string remote, string reason);

    [LoggerMessage(4, LogLevel.Warning, "Connection {Remote} closed for a protocol violation ({Error}): {Reason}")]
    public static partial void ProtocolViolation(this ILogger logger, string remote, DaosError error, string reason);

    [LoggerMessage(5, LogLevel.Warning, "Connection {Remote} refused: {Count} connections is the limit")]
    public static partial void ConnectionRefused(this ILogger logger, string remote, int count);

    [LoggerMessage(6, LogLevel.Error, "Handler for opcode {Opcode} failed")]
    public static partial void HandlerFailed(this ILogger logger, ushort opcode, Exception exception);

    [LoggerMessage(7, LogLevel.Warning, "Listener on {Address} stopped after an error")]
    public static partial void ListenerFailed(this ILogger logger, TransportAddress address, Exception exception);

    [LoggerMessage(8, LogLevel.Debug, "Connecting to {Address} failed ({Failures} in a row); next attempt in {Backoff}")]
    public static partial void ConnectFailed(this ILogger logger, TransportAddress address, int failures, TimeSpan backoff);

    [LoggerMessage(9, LogLevel.Debug, "Connection {Remote}: request {RequestId} for opcode {Opcode} refused with {Status}")]
    public static partial void RequestRefused(this ILogger logger, string remote, ulong requestId, ushort opcode, DaosError status);

    [LoggerMessage(10, LogLevel.Debug, "Connection {Remote}: response to unknown request {RequestId} ignored")]
    public static partial void UnknownResponse(this ILogger logger, string remote, ulong requestId);

    [LoggerMessage(11, LogLevel.Information, "Draining {Count} connections")]
    public static partial void Draining(this ILogger logger, int count);
}

using Daos.Transport;
using Microsoft.Extensions.Logging;

namespace Daos.Server.Hosting;

/// <summary>Every log line the server host writes, as source-generated <see cref="LoggerMessageAttribute"/> methods.</summary>
internal static partial class LogMessages
{
    [LoggerMessage(1, LogLevel.Information, "System '{SystemName}': starting {Engines} engine(s) on {Host}")]
    public static partial void Starting(this ILogger logger, string systemName, int engines, string host);

    [LoggerMessage(2, LogLevel.Information, "Rank {Rank}: {Targets} targets at {Address}, files in {Directory}, pool shards {ScmBytes} SCM + {NvmeBytes} NVMe bytes per target by default{Management}")]
    public static partial void EngineStarted(this ILogger logger, int rank, int targets, TransportAddress address, string directory, long scmBytes, long nvmeBytes, string management);

    [LoggerMessage(3, LogLevel.Information, "Rank {Rank} joined the system")]
    public static partial void EngineJoined(this ILogger logger, int rank);

    [LoggerMessage(4, LogLevel.Information, "System '{SystemName}' ready: management endpoint {Address}")]
    public static partial void Ready(this ILogger logger, string systemName, TransportAddress address);

    [LoggerMessage(5, LogLevel.Information, "Stopping rank {Rank}")]
    public static partial void EngineStopping(this ILogger logger, int rank);

    [LoggerMessage(6, LogLevel.Information, "System '{SystemName}' stopped")]
    public static partial void Stopped(this ILogger logger, string systemName);

    [LoggerMessage(7, LogLevel.Error, "Rank {Rank} failed to stop cleanly")]
    public static partial void StopFailed(this ILogger logger, int rank, Exception exception);
}

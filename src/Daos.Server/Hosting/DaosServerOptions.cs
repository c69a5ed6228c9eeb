using Daos.Server.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Daos.Server.Hosting;

/// <summary>What <see cref="DaosServer.StartAsync"/> needs besides the configuration file's contents.</summary>
public sealed record DaosServerOptions
{
    /// <summary>The parsed <c>daos_server.yml</c> (<see cref="ServerConfigLoader"/>), or <see cref="ServerConfig.Default"/>.</summary>
    public required ServerConfig Config { get; init; }

    /// <summary>
    /// Host name or IP address the engines listen on and advertise to clients (default loopback). It must be an
    /// address clients can reach: a wildcard such as <c>0.0.0.0</c> cannot be advertised and is refused.
    /// </summary>
    public string ListenHost { get; init; } = "127.0.0.1";

    /// <summary>Receives the start, join and stop lines (default: none).</summary>
    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    /// <summary>Clock for the engines (default <see cref="TimeProvider.System"/>).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Seed for the engines' random sources (pool uuids, election jitter); default: drawn at start.</summary>
    public ulong? Seed { get; init; }

    /// <summary>How long start waits for every engine to join the management service.</summary>
    public TimeSpan JoinTimeout { get; init; } = TimeSpan.FromSeconds(60);
}

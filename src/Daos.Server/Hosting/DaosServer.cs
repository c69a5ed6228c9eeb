using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Daos.Engine;
using Daos.Server.Configuration;
using Daos.Transport;
using Microsoft.Extensions.Logging;

namespace Daos.Server.Hosting;

/// <summary>
/// A <c>daos_server</c>: the engines a configuration names, each on real TCP with one dedicated thread per target
/// and its files under its <c>scm_mount</c>, the first of them hosting the management service clients reach on the
/// system port.
/// </summary>
/// <remarks>
/// Start checks every port first and refuses a port in use before any engine opens its storage. Start on the same
/// directories reopens every pool shard and service replica the engines held, so a server killed at any moment
/// comes back with every acknowledged write. One server runs ranks 0..N-1: systems spanning several hosts are not
/// served yet.
/// </remarks>
public sealed class DaosServer : IAsyncDisposable
{
    private readonly DaosServerOptions _options;
    private readonly ILogger _logger;
    private readonly List<HostedEngine> _engines = [];
    private int _stopped;

    private DaosServer(DaosServerOptions options, IReadOnlyList<EnginePlan> plans)
    {
        _options = options;
        _logger = options.LoggerFactory.CreateLogger("Daos.Server");
        Plans = plans;
        ManagementAddress = plans[0].Address;
    }

    /// <summary>The system name clients must give.</summary>
    public string SystemName => _options.Config.Name;

    /// <summary>Where clients and <c>dmg</c> reach the management service: engine 0, on the system port.</summary>
    public TransportAddress ManagementAddress { get; }

    /// <summary>The ranks this server runs.</summary>
    public IReadOnlyList<int> Ranks => [.. Plans.Select(p => p.Rank)];

    internal IReadOnlyList<EnginePlan> Plans { get; }

    /// <summary>
    /// Starts every engine of the configuration and returns once each has joined the system; on any failure the
    /// engines already started are stopped and the error is thrown.
    /// </summary>
    /// <exception cref="DaosException">A port in use (<see cref="DaosError.Exists"/>, naming the port), storage that
    /// cannot be recovered, a configuration the server cannot lay out (<see cref="DaosError.InvalidArgument"/>), or engines
    /// that did not join in time (<see cref="DaosError.Timeout"/>).</exception>
    public static async ValueTask<DaosServer> StartAsync(DaosServerOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Config);
        IReadOnlyList<EnginePlan> plans = EnginePlan.From(options.Config, options.ListenHost);
        foreach (EnginePlan plan in plans)
        {
            CheckPortFree(plan);
        }

        var server = new DaosServer(options, plans);
        try
        {
            await server.StartEnginesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await server.StopCoreAsync(orderly: false).ConfigureAwait(false);
            throw;
        }

        return server;
    }

    /// <summary>Orderly stop, last rank first: each engine drains, checkpoints and closes its pools.</summary>
    public ValueTask StopAsync() => StopCoreAsync(orderly: true);

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => StopAsync();

    private static void CheckPortFree(EnginePlan plan)
    {
        IPAddress ip = IPAddress.TryParse(plan.Address.Host, out IPAddress? parsed) ? parsed
            : plan.Address.Host == "localhost" ? IPAddress.Loopback
            : Dns.GetHostAddresses(plan.Address.Host).FirstOrDefault()
              ?? throw new DaosException(DaosError.InvalidArgument, $"cannot resolve listen host '{plan.Address.Host}'");
        using var probe = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            probe.Bind(new IPEndPoint(ip, plan.Address.Port));
        }
        catch (SocketException e)
        {
            throw new DaosException(
                e.SocketErrorCode == SocketError.AddressAlreadyInUse ? DaosError.Exists : DaosError.IO,
                string.Create(CultureInfo.InvariantCulture,
                    $"port {plan.Address.Port} on {plan.Address.Host} is not available for rank {plan.Rank} ({e.SocketErrorCode}): stop whatever holds it or choose another port"),
                e);
        }
    }

    private async Task StartEnginesAsync(CancellationToken cancellationToken)
    {
        ServerConfig config = _options.Config;
        _logger.Starting(config.Name, Plans.Count, _options.ListenHost);
        var management = new Dictionary<int, TransportAddress>();
        foreach (EnginePlan plan in Plans.Take(EnginePlan.ManagementReplicasMax))
        {
            management[plan.Rank] = plan.Address;
        }

        ulong seed = _options.Seed ?? BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));
        var network = new TcpNetwork();
        foreach (EnginePlan plan in Plans)
        {
            var hosted = new HostedEngine(plan);
            _engines.Add(hosted);
            var engineOptions = new DaosEngineOptions
            {
                Rank = plan.Rank,
                TargetCount = plan.Targets,
                Network = network,
                ListenAddress = plan.Address,
                Storage = new FileEngineStorage(plan.RootDirectory),
                TimeProvider = _options.TimeProvider,
                ExecutorFactory = hosted.CreateExecutor,
                ManagementReplicas = management,
                SystemName = config.Name,
                Seed = seed ^ ((ulong)plan.Rank * 0x9E3779B97F4A7C15UL),
                ScmBytesPerTargetDefault = plan.ScmBytesPerTarget,
                NvmeBytesPerTargetDefault = plan.NvmeBytesPerTarget ?? EnginePlan.NvmeShardBytesDefault,
            };
            hosted.Engine = await DaosEngine.StartAsync(engineOptions, cancellationToken).ConfigureAwait(false);
            _logger.EngineStarted(plan.Rank, plan.Targets, hosted.Engine.Address, plan.RootDirectory, engineOptions.ScmBytesPerTargetDefault,
                engineOptions.NvmeBytesPerTargetDefault, management.ContainsKey(plan.Rank) ? ", management replica" : "");
        }

        foreach (HostedEngine hosted in _engines)
        {
            try
            {
                await hosted.Engine!.WaitForJoinAsync(cancellationToken).WaitAsync(_options.JoinTimeout, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException e)
            {
                throw new DaosException(DaosError.Timeout, $"rank {hosted.Plan.Rank} did not join the system within {_options.JoinTimeout}", e);
            }

            _logger.EngineJoined(hosted.Plan.Rank);
        }

        _logger.Ready(config.Name, ManagementAddress);
    }

    private async ValueTask StopCoreAsync(bool orderly)
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        for (int i = _engines.Count - 1; i >= 0; i--)
        {
            HostedEngine hosted = _engines[i];
            try
            {
                if (hosted.Engine is { } engine)
                {
                    _logger.EngineStopping(hosted.Plan.Rank);
                    if (orderly)
                    {
                        await engine.StopAsync().ConfigureAwait(false);
                    }
                    else
                    {
                        await engine.KillAsync().ConfigureAwait(false);
                    }
                }
            }
            catch (Exception e) when (e is DaosException or IOException or ObjectDisposedException)
            {
                _logger.StopFailed(hosted.Plan.Rank, e);
            }
            finally
            {
                hosted.StopExecutors();
            }
        }

        _logger.Stopped(_options.Config.Name);
    }
}

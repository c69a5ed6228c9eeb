using System.Globalization;
using Daos.Server.Configuration;
using Daos.Transport;

namespace Daos.Server.Hosting;

/// <summary>
/// One engine of a server as the configuration lays it out: its rank, the address it answers on, the directory
/// holding its files, its target count and the default size of each pool shard on each of its targets.
/// </summary>
internal sealed record EnginePlan(
    int Rank,
    int Targets,
    TransportAddress Address,
    string RootDirectory,
    long ScmBytesPerTarget,
    long? NvmeBytesPerTarget)
{
    /// <summary>
    /// Management replicas per server: one, on engine 0, as DAOS's <c>mgmt_svc_replicas</c> lists servers rather than
    /// engines. The engines of one server share its fate, so more replicas in one process would add no availability,
    /// and clients given the system port always reach the leader.
    /// </summary>
    public const int ManagementReplicasMax = 1;

    /// <summary>A pool shard's default SCM size per target, unless the engine's capacity per target is smaller.</summary>
    public const long ScmShardBytesDefault = 64L << 20;

    /// <summary>A pool shard's default NVMe size per target, unless the engine's capacity per target is smaller.</summary>
    public const long NvmeShardBytesDefault = 256L << 20;

    private const long ScmShardBytesMin = 1L << 20;
    private const long NvmeShardBytesMin = 64L << 10;

    /// <summary>
    /// Lays out the engines of <paramref name="config"/>: engine 0 answers on the system <c>port</c> (the endpoint
    /// clients and <c>dmg</c> are given), engine i &gt; 0 on its <c>fabric_iface_port</c>; each keeps its files under
    /// its metadata tier's <c>scm_mount</c>.
    /// </summary>
    /// <exception cref="DaosException">A layout the configuration does not pin down (InvalidArgument).</exception>
    public static IReadOnlyList<EnginePlan> From(ServerConfig config, string listenHost)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (listenHost is "0.0.0.0" or "*" or "::" or "")
        {
            ThrowHelper.InvalidArgument($"listen host '{listenHost}' is a wildcard; engines advertise it to clients, so give an address they can reach");
        }

        if (config.Engines.Count == 0)
        {
            ThrowHelper.InvalidArgument("the configuration has no engines");
        }

        var plans = new List<EnginePlan>(config.Engines.Count);
        for (int rank = 0; rank < config.Engines.Count; rank++)
        {
            EngineConfig engine = config.Engines[rank];
            string field = string.Create(CultureInfo.InvariantCulture, $"engines[{rank}]");
            int port = rank == 0 ? config.Port : engine.FabricPort;
            if (rank > 0 && port == 0)
            {
                ThrowHelper.InvalidArgument($"{field}.fabric_iface_port is needed: engine {rank} answers on its own port (engine 0 answers on port {config.Port})");
            }

            if (rank > 0 && port == config.Port)
            {
                ThrowHelper.InvalidArgument($"{field}.fabric_iface_port {port} is the system port, which engine 0 answers on");
            }

            StorageTierConfig metadata = engine.Metadata;
            if (string.IsNullOrEmpty(metadata.Mount))
            {
                ThrowHelper.InvalidArgument($"{field}.storage[0].scm_mount is needed: it holds the engine's files");
            }

            long scm = ShardSize(metadata.SizeBytes, engine.Targets, ScmShardBytesDefault, ScmShardBytesMin, field + ".storage[0].scm_size");
            long? nvme = engine.Data is { } data
                ? ShardSize(data.SizeBytes, engine.Targets, NvmeShardBytesDefault, NvmeShardBytesMin, field + ".storage[1].bdev_size")
                : null;
            plans.Add(new EnginePlan(rank, engine.Targets, TransportAddress.Tcp(listenHost, port), metadata.Mount!, scm, nvme));
        }

        return plans;
    }

    private static long ShardSize(long capacityBytes, int targets, long defaultBytes, long minimumBytes, string field)
    {
        long perTarget = capacityBytes / targets;
        if (perTarget < minimumBytes)
        {
            ThrowHelper.InvalidArgument(string.Create(CultureInfo.InvariantCulture,
                $"{field}: {capacityBytes} bytes over {targets} targets leaves {perTarget} bytes per target; at least {minimumBytes} are needed"));
        }

        return Math.Min(perTarget, defaultBytes) & ~4095L;
    }
}

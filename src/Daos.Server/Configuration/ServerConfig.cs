namespace Daos.Server.Configuration;

/// <summary>
/// The contents of a <c>daos_server.yml</c>, in DAOS's shape: a system name, the management port and replicas, and
/// one entry per engine with its targets, its listen port and its storage tiers. Produced by
/// <see cref="ServerConfigLoader"/>, which validates every field; paths are absolute.
/// </summary>
public sealed record ServerConfig
{
    /// <summary>DAOS's default management port.</summary>
    public const int DefaultPort = 10001;

    /// <summary>The system name every engine and client must agree on (<c>name</c>).</summary>
    public required string Name { get; init; }

    /// <summary>The management port (<c>port</c>); 0 picks a free one.</summary>
    public int Port { get; init; } = DefaultPort;

    /// <summary>Addresses of the management-service replicas, <c>host:port</c> (<c>mgmt_svc_replicas</c>).</summary>
    public required IReadOnlyList<string> ManagementReplicas { get; init; }

    /// <summary>The port that serves metrics (<c>telemetry_port</c>); 0 disables it.</summary>
    public int TelemetryPort { get; init; } = 9191;

    /// <summary>Where the control plane logs (<c>control_log_file</c>); null logs to the console.</summary>
    public string? ControlLogFile { get; init; }

    /// <summary>The fault-domain path of this host, such as <c>/rack1/host3</c> (<c>fault_path</c>).</summary>
    public string? FaultPath { get; init; }

    /// <summary>True when clients may connect without signed credentials (<c>transport_config.allow_insecure</c>).</summary>
    public bool AllowInsecure { get; init; }

    /// <summary>The engines this host runs (<c>engines</c>).</summary>
    public required IReadOnlyList<EngineConfig> Engines { get; init; }

    /// <summary>
    /// The configuration used when no file is given: a single-node system with one engine of four targets, its
    /// metadata and data under <paramref name="dataDirectory"/>.
    /// </summary>
    public static ServerConfig Default(string dataDirectory)
    {
        string root = Path.GetFullPath(dataDirectory);
        return new ServerConfig
        {
            Name = "daos_server",
            ManagementReplicas = ["localhost:" + DefaultPort],
            AllowInsecure = true,
            Engines =
            [
                new EngineConfig
                {
                    Targets = 4,
                    FabricPort = 31416,
                    Storage =
                    [
                        new StorageTierConfig { Class = StorageClass.Ram, Mount = Path.Combine(root, "engine0", "meta"), SizeBytes = 1L << 30 },
                        new StorageTierConfig
                        {
                            Class = StorageClass.File,
                            Devices = [Path.Combine(root, "engine0", "data")],
                            SizeBytes = 4L << 30,
                        },
                    ],
                },
            ],
        };
    }
}

/// <summary>One engine of a host (<c>engines[i]</c>).</summary>
public sealed record EngineConfig
{
    /// <summary>Targets (single-threaded storage units) in the engine, 1..64 (<c>targets</c>).</summary>
    public required int Targets { get; init; }

    /// <summary>Helper streams for offloaded work such as EC and checksums (<c>nr_xs_helpers</c>).</summary>
    public int HelperStreams { get; init; }

    /// <summary>The TCP port the engine serves objects on (<c>fabric_iface_port</c>); 0 picks a free one.</summary>
    public int FabricPort { get; init; }

    /// <summary>The engine's log file (<c>log_file</c>); null logs with the control plane.</summary>
    public string? LogFile { get; init; }

    /// <summary>Storage tiers: first the metadata tier (ram or dcpm), then optionally a data tier (file).</summary>
    public required IReadOnlyList<StorageTierConfig> Storage { get; init; }

    /// <summary>The metadata tier.</summary>
    public StorageTierConfig Metadata => Storage[0];

    /// <summary>The data tier, when bulk data is kept apart from metadata.</summary>
    public StorageTierConfig? Data => Storage.Count > 1 ? Storage[1] : null;
}

/// <summary>One storage tier of an engine (<c>engines[i].storage[j]</c>).</summary>
public sealed record StorageTierConfig
{
    /// <summary>The tier class (<c>class</c>).</summary>
    public required StorageClass Class { get; init; }

    /// <summary>The directory of a metadata tier (<c>scm_mount</c>).</summary>
    public string? Mount { get; init; }

    /// <summary>The tier's capacity in bytes (<c>scm_size</c> for ram, <c>bdev_size</c> for file; GiB unless a unit is given).</summary>
    public long SizeBytes { get; init; }

    /// <summary>The files of a file tier, one blob directory each (<c>bdev_list</c>).</summary>
    public IReadOnlyList<string> Devices { get; init; } = [];

    /// <summary>What the tier holds (<c>bdev_roles</c>: wal, meta, data); empty means the default split.</summary>
    public IReadOnlyList<string> Roles { get; init; } = [];
}

/// <summary>Storage tier classes. DAOS's <c>nvme</c> (SPDK devices) has no equivalent here; <c>file</c> is DAOS's own emulation of NVMe on files.</summary>
public enum StorageClass
{
    /// <summary>Metadata in memory, persisted by the WAL and checkpoints (DAOS's MD-on-SSD <c>ram</c> class).</summary>
    Ram,
    /// <summary>Persistent memory (<c>dcpm</c>); here the same as <see cref="Ram"/> on the mount's file system.</summary>
    Dcpm,
    /// <summary>Bulk data in blob files (<c>file</c>).</summary>
    File,
}

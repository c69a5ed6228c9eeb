using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Daos.Server.Configuration;

/// <summary>
/// Reads and validates a <c>daos_server.yml</c>. Every problem is reported as a <see cref="DaosException"/> with
/// <see cref="DaosError.InvalidArgument"/> whose message names the file, the line and column, and the field path
/// (for example <c>engines[1].storage[0].scm_size</c>), so an administrator can fix it without guessing. DAOS keys
/// that only matter to DAOS's own hardware stack (hugepages, fabric providers, NUMA pinning, ...) are accepted and
/// ignored; unknown keys are refused, since a misspelt key silently falling back to a default is worse.
/// </summary>
public static class ServerConfigLoader
{
    /// <summary>The most engines one host may run.</summary>
    public const int EnginesMax = 16;

    /// <summary>The most targets one engine may run.</summary>
    public const int TargetsMax = 64;

    private static readonly HashSet<string> IgnoredTopLevel = new(StringComparer.Ordinal)
    {
        "provider", "socket_dir", "nr_hugepages", "disable_vfio", "disable_vmd", "disable_hotplug", "enable_vmd",
        "enable_hotplug", "bdev_exclude", "bdev_include", "system_ram_reserved", "control_log_mask", "helper_log_file",
        "firmware_helper_log_file", "crt_timeout", "fault_cb", "hyperthreads", "disable_engine_auto_restart",
        "client_env_vars", "support_config", "control_metadata", "core_dump_filter", "telemetry_config",
    };

    private static readonly HashSet<string> IgnoredEngine = new(StringComparer.Ordinal)
    {
        "first_core", "pinned_numa_node", "fabric_iface", "fabric_auth_key", "provider", "log_mask", "env_vars",
        "bypass_health_chk", "crt_ctx_share_addr", "crt_timeout", "storage_class", "spdk_rpc_server",
    };

    /// <summary>Loads and validates the file at <paramref name="path"/>; relative paths inside it are resolved against its folder.</summary>
    public static ServerConfig Load(string path)
    {
        string full = Path.GetFullPath(path);
        string text;
        try
        {
            text = File.ReadAllText(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DaosException(DaosError.NonExistent, $"cannot read configuration '{full}': {e.Message}", e);
        }

        return Parse(text, full, Path.GetDirectoryName(full)!);
    }

    /// <summary>Parses and validates YAML text; <paramref name="baseDirectory"/> resolves relative paths.</summary>
    public static ServerConfig Parse(string yaml, string sourceName, string baseDirectory)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        var reader = new Reader(sourceName, baseDirectory);
        YamlMappingNode root;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(yaml));
            if (stream.Documents.Count == 0)
            {
                throw new DaosException(DaosError.InvalidArgument, $"{sourceName}: the configuration is empty");
            }

            root = stream.Documents[0].RootNode as YamlMappingNode
                ?? throw reader.Error(stream.Documents[0].RootNode, "", "expected a mapping of configuration keys at the top level");
        }
        catch (YamlException e)
        {
            throw new DaosException(DaosError.InvalidArgument,
                $"{sourceName} line {e.Start.Line}, column {e.Start.Column}: malformed YAML: {e.Message}", e);
        }

        return reader.ReadServer(root);
    }

    private sealed class Reader(string source, string baseDirectory)
    {
        public DaosException Error(YamlNode node, string field, string problem) => new(DaosError.InvalidArgument,
            string.Create(CultureInfo.InvariantCulture,
                $"{source} line {node.Start.Line}, column {node.Start.Column}: {(field.Length > 0 ? field + ": " : "")}{problem}"));

        public ServerConfig ReadServer(YamlMappingNode root)
        {
            string name = "daos_server";
            int port = ServerConfig.DefaultPort;
            int telemetryPort = 9191;
            List<string>? replicas = null;
            string? logFile = null, faultPath = null;
            bool allowInsecure = false;
            List<EngineConfig>? engines = null;
            YamlNode? enginesNode = null;
            foreach ((string key, YamlNode value) in Entries(root, ""))
            {
                switch (key)
                {
                    case "name":
                        name = Name(value, key);
                        break;
                    case "port":
                        port = Int(value, key, 0, 65535);
                        break;
                    case "telemetry_port":
                        telemetryPort = Int(value, key, 0, 65535);
                        break;
                    case "mgmt_svc_replicas":
                    case "access_points":
                        replicas = Strings(value, key);
                        break;
                    case "control_log_file":
                        logFile = PathValue(value, key);
                        break;
                    case "fault_path":
                        faultPath = Scalar(value, key);
                        if (!faultPath.StartsWith('/'))
                        {
                            throw Error(value, key, $"expected a path such as /rack1/host3, got '{faultPath}'");
                        }

                        break;
                    case "transport_config":
                        allowInsecure = ReadTransport(value, key);
                        break;
                    case "engines":
                        enginesNode = value;
                        engines = ReadEngines(value, key);
                        break;
                    default:
                        if (!IgnoredTopLevel.Contains(key))
                        {
                            throw Error(value, key, "unknown configuration key");
                        }

                        break;
                }
            }

            if (engines is null || enginesNode is null)
            {
                throw Error(root, "engines", "missing: at least one engine must be configured");
            }

            replicas ??= ["localhost:" + port.ToString(CultureInfo.InvariantCulture)];
            if (replicas.Count == 0 || replicas.Count % 2 == 0)
            {
                throw Error(root, "mgmt_svc_replicas", $"expected an odd number of replicas (1, 3 or 5), got {replicas.Count}");
            }

            foreach (string replica in replicas)
            {
                int colon = replica.LastIndexOf(':');
                if (colon <= 0 || !int.TryParse(replica.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int p)
                    || p is < 1 or > 65535)
                {
                    throw Error(root, "mgmt_svc_replicas", $"expected host:port entries, got '{replica}'");
                }
            }

            CheckDistinct(enginesNode, engines);
            return new ServerConfig
            {
                Name = name,
                Port = port,
                TelemetryPort = telemetryPort,
                ManagementReplicas = replicas,
                ControlLogFile = logFile,
                FaultPath = faultPath,
                AllowInsecure = allowInsecure,
                Engines = engines,
            };
        }

        private bool ReadTransport(YamlNode node, string field)
        {
            bool allowInsecure = false;
            foreach ((string key, YamlNode value) in Entries(Mapping(node, field), field))
            {
                if (key == "allow_insecure")
                {
                    allowInsecure = Bool(value, field + "." + key);
                }
                else if (key is not ("client_cert_dir" or "ca_cert" or "cert" or "key" or "server_name"))
                {
                    throw Error(value, field + "." + key, "unknown configuration key");
                }
            }

            return allowInsecure;
        }

        private List<EngineConfig> ReadEngines(YamlNode node, string field)
        {
            if (node is not YamlSequenceNode list || list.Children.Count == 0)
            {
                throw Error(node, field, "expected a list of at least one engine");
            }

            if (list.Children.Count > EnginesMax)
            {
                throw Error(node, field, $"at most {EnginesMax} engines per host, got {list.Children.Count}");
            }

            var engines = new List<EngineConfig>();
            for (int i = 0; i < list.Children.Count; i++)
            {
                engines.Add(ReadEngine(list.Children[i], string.Create(CultureInfo.InvariantCulture, $"{field}[{i}]")));
            }

            return engines;
        }

        private EngineConfig ReadEngine(YamlNode node, string field)
        {
            YamlMappingNode map = Mapping(node, field);
            int? targets = null;
            int helpers = 0, fabricPort = 0;
            string? logFile = null;
            List<StorageTierConfig>? storage = null;
            foreach ((string key, YamlNode value) in Entries(map, field))
            {
                string path = field + "." + key;
                switch (key)
                {
                    case "targets":
                        targets = Int(value, path, 1, TargetsMax);
                        break;
                    case "nr_xs_helpers":
                        helpers = Int(value, path, 0, TargetsMax);
                        break;
                    case "fabric_iface_port":
                        fabricPort = Int(value, path, 0, 65535);
                        break;
                    case "log_file":
                        logFile = PathValue(value, path);
                        break;
                    case "storage":
                        storage = ReadStorage(value, path);
                        break;
                    default:
                        if (!IgnoredEngine.Contains(key))
                        {
                            throw Error(value, path, "unknown engine key");
                        }

                        break;
                }
            }

            if (targets is null)
            {
                throw Error(node, field + ".targets", "missing: every engine needs a number of targets (1.." + TargetsMax + ")");
            }

            if (helpers > targets)
            {
                throw Error(node, field + ".nr_xs_helpers", $"{helpers} helper streams for {targets} targets: at most one per target");
            }

            if (storage is null)
            {
                throw Error(node, field + ".storage", "missing: every engine needs a metadata tier (class ram or dcpm)");
            }

            return new EngineConfig { Targets = targets.Value, HelperStreams = helpers, FabricPort = fabricPort, LogFile = logFile, Storage = storage };
        }

        private List<StorageTierConfig> ReadStorage(YamlNode node, string field)
        {
            if (node is not YamlSequenceNode list || list.Children.Count is 0 or > 2)
            {
                throw Error(node, field, "expected a list of one metadata tier (ram or dcpm) and optionally one data tier (file)");
            }

            var tiers = new List<StorageTierConfig>();
            for (int i = 0; i < list.Children.Count; i++)
            {
                string path = string.Create(CultureInfo.InvariantCulture, $"{field}[{i}]");
                StorageTierConfig tier = ReadTier(list.Children[i], path);
                bool metadata = tier.Class is StorageClass.Ram or StorageClass.Dcpm;
                if (i == 0 && !metadata)
                {
                    throw Error(list.Children[i], path + ".class", "the first tier must hold metadata: class ram or dcpm");
                }

                if (i == 1 && metadata)
                {
                    throw Error(list.Children[i], path + ".class", "only one metadata tier per engine; the second tier must be class file");
                }

                tiers.Add(tier);
            }

            return tiers;
        }

        private StorageTierConfig ReadTier(YamlNode node, string field)
        {
            YamlMappingNode map = Mapping(node, field);
            StorageClass? cls = null;
            string? mount = null;
            long size = 0;
            List<string> devices = [], roles = [];
            YamlNode? sizeNode = null;
            foreach ((string key, YamlNode value) in Entries(map, field))
            {
                string path = field + "." + key;
                switch (key)
                {
                    case "class":
                        string c = Scalar(value, path);
                        cls = c switch
                        {
                            "ram" => StorageClass.Ram,
                            "dcpm" => StorageClass.Dcpm,
                            "file" => StorageClass.File,
                            "nvme" or "kdev" => throw Error(value, path,
                                $"class '{c}' needs SPDK-managed devices, which Daos.NET does not drive; use class file with bdev_list paths"),
                            _ => throw Error(value, path, $"unknown storage class '{c}': expected ram, dcpm or file"),
                        };
                        break;
                    case "scm_mount":
                        mount = PathValue(value, path);
                        break;
                    case "scm_size":
                    case "bdev_size":
                        size = Size(value, path);
                        sizeNode = value;
                        break;
                    case "scm_list":
                    case "bdev_list":
                        devices = Strings(value, path).ConvertAll(d => Path.GetFullPath(Path.Combine(baseDirectory, d)));
                        break;
                    case "bdev_roles":
                        roles = Strings(value, path);
                        foreach (string role in roles)
                        {
                            if (role is not ("wal" or "meta" or "data"))
                            {
                                throw Error(value, path, $"unknown role '{role}': expected wal, meta or data");
                            }
                        }

                        break;
                    case "scm_hugepages_disabled":
                    case "bdev_busid_range":
                        break;
                    default:
                        throw Error(value, path, "unknown storage key");
                }
            }

            if (cls is null)
            {
                throw Error(node, field + ".class", "missing: expected ram, dcpm or file");
            }

            if (cls is StorageClass.Ram or StorageClass.Dcpm)
            {
                if (mount is null)
                {
                    throw Error(node, field + ".scm_mount", "missing: a metadata tier needs a directory");
                }

                if (cls == StorageClass.Ram && size <= 0)
                {
                    throw Error(sizeNode ?? node, field + ".scm_size", "a ram tier needs a positive size");
                }
            }
            else
            {
                if (devices.Count == 0)
                {
                    throw Error(node, field + ".bdev_list", "missing: a file tier needs at least one path");
                }

                if (size <= 0)
                {
                    throw Error(sizeNode ?? node, field + ".bdev_size", "a file tier needs a positive size");
                }
            }

            return new StorageTierConfig { Class = cls.Value, Mount = mount, SizeBytes = size, Devices = devices, Roles = roles };
        }

        private void CheckDistinct(YamlNode enginesNode, List<EngineConfig> engines)
        {
            var ports = new HashSet<int>();
            var paths = new HashSet<string>(StringComparer.Ordinal);
            for (int i = 0; i < engines.Count; i++)
            {
                EngineConfig e = engines[i];
                string field = string.Create(CultureInfo.InvariantCulture, $"engines[{i}]");
                if (e.FabricPort != 0 && !ports.Add(e.FabricPort))
                {
                    throw Error(enginesNode, field + ".fabric_iface_port", $"port {e.FabricPort} is used by another engine");
                }

                foreach (StorageTierConfig tier in e.Storage)
                {
                    foreach (string p in tier.Mount is null ? tier.Devices : [tier.Mount, .. tier.Devices])
                    {
                        if (!paths.Add(p))
                        {
                            throw Error(enginesNode, field + ".storage", $"path '{p}' is used by another tier or engine");
                        }
                    }
                }
            }
        }

        private IEnumerable<(string Key, YamlNode Value)> Entries(YamlMappingNode map, string field)
        {
            // Duplicate keys never get here: the YAML parser refuses them with their line.
            foreach ((YamlNode keyNode, YamlNode value) in map.Children)
            {
                string key = keyNode is YamlScalarNode { Value: { } k } ? k : throw Error(keyNode, field, "expected a plain key");
                yield return (key, value);
            }
        }

        private YamlMappingNode Mapping(YamlNode node, string field) =>
            node as YamlMappingNode ?? throw Error(node, field, "expected a mapping of keys");

        private string Scalar(YamlNode node, string field) =>
            node is YamlScalarNode { Value: { Length: > 0 } v } ? v : throw Error(node, field, "expected a value");

        private string Name(YamlNode node, string field)
        {
            string v = Scalar(node, field);
            if (v.Length > 64 || v.AsSpan().ContainsAnyExcept(NameCharacters))
            {
                throw Error(node, field, $"expected 1..64 letters, digits, '_' or '-', got '{v}'");
            }

            return v;
        }

        private static readonly System.Buffers.SearchValues<char> NameCharacters =
            System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-");

        private int Int(YamlNode node, string field, int min, int max)
        {
            string v = Scalar(node, field);
            if (!int.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value) || value < min || value > max)
            {
                throw Error(node, field, $"expected an integer from {min} to {max}, got '{v}'");
            }

            return value;
        }

        private bool Bool(YamlNode node, string field) => Scalar(node, field) switch
        {
            "true" or "True" or "yes" => true,
            "false" or "False" or "no" => false,
            string v => throw Error(node, field, $"expected true or false, got '{v}'"),
        };

        // Sizes are GiB, as DAOS writes them, unless a unit is given: 512MiB, 4GiB, 1TiB, 65536B.
        private long Size(YamlNode node, string field)
        {
            string v = Scalar(node, field).Trim();
            (string digits, long unit) = v.EndsWith("TiB", StringComparison.Ordinal) ? (v[..^3], 1L << 40)
                : v.EndsWith("GiB", StringComparison.Ordinal) ? (v[..^3], 1L << 30)
                : v.EndsWith("MiB", StringComparison.Ordinal) ? (v[..^3], 1L << 20)
                : v.EndsWith("KiB", StringComparison.Ordinal) ? (v[..^3], 1L << 10)
                : v.EndsWith('B') ? (v[..^1], 1L)
                : (v, 1L << 30);
            if (!long.TryParse(digits.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out long n) || n <= 0
                || n > long.MaxValue / unit)
            {
                throw Error(node, field, $"expected a positive size in GiB or with a unit (KiB, MiB, GiB, TiB), got '{v}'");
            }

            return n * unit;
        }

        private string PathValue(YamlNode node, string field) => Path.GetFullPath(Path.Combine(baseDirectory, Scalar(node, field)));

        private List<string> Strings(YamlNode node, string field)
        {
            if (node is not YamlSequenceNode list)
            {
                throw Error(node, field, "expected a list");
            }

            var values = new List<string>();
            for (int i = 0; i < list.Children.Count; i++)
            {
                values.Add(Scalar(list.Children[i], string.Create(CultureInfo.InvariantCulture, $"{field}[{i}]")));
            }

            return values;
        }
    }
}

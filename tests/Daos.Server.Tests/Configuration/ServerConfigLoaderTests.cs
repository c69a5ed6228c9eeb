using Daos.Server.Configuration;

namespace Daos.Server.Tests.Configuration;

public sealed class ServerConfigLoaderTests
{
    private const string Base = "/etc/daos";

    private static ServerConfig Parse(string yaml) => ServerConfigLoader.Parse(yaml, "daos_server.yml", Base);

    private static DaosException Bad(string yaml)
    {
        var e = Assert.Throws<DaosException>(() => Parse(yaml));
        Assert.Equal(DaosError.InvalidArgument, e.Error);
        return e;
    }

    private const string TwoEngines = """
        name: daos_server
        port: 10001
        mgmt_svc_replicas: ['node1:10001', 'node2:10001', 'node3:10001']
        telemetry_port: 9191
        transport_config:
          allow_insecure: true
        control_log_file: /tmp/daos_server.log
        nr_hugepages: 4096
        engines:
          - targets: 16
            nr_xs_helpers: 4
            first_core: 0
            fabric_iface: ib0
            fabric_iface_port: 31416
            log_file: /tmp/daos_engine.0.log
            storage:
              - class: ram
                scm_mount: /mnt/daos0
                scm_size: 64
              - class: file
                bdev_list: [data0/blob]
                bdev_size: 512MiB
                bdev_roles: [data]
          - targets: 8
            fabric_iface_port: 32416
            storage:
              - class: dcpm
                scm_mount: /mnt/daos1
        """;

    [Fact]
    public void Parses_a_DAOS_shaped_configuration()
    {
        ServerConfig config = Parse(TwoEngines);
        Assert.Equal("daos_server", config.Name);
        Assert.Equal(10001, config.Port);
        Assert.Equal(3, config.ManagementReplicas.Count);
        Assert.True(config.AllowInsecure);
        Assert.Equal(2, config.Engines.Count);
        EngineConfig e0 = config.Engines[0];
        Assert.Equal(16, e0.Targets);
        Assert.Equal(4, e0.HelperStreams);
        Assert.Equal(31416, e0.FabricPort);
        Assert.Equal(StorageClass.Ram, e0.Metadata.Class);
        Assert.Equal("/mnt/daos0", e0.Metadata.Mount);
        Assert.Equal(64L << 30, e0.Metadata.SizeBytes);
        Assert.NotNull(e0.Data);
        Assert.Equal(StorageClass.File, e0.Data!.Class);
        Assert.Equal(512L << 20, e0.Data.SizeBytes);
        Assert.Equal(["/etc/daos/data0/blob"], e0.Data.Devices);
        Assert.Equal(["data"], e0.Data.Roles);
        Assert.Null(config.Engines[1].Data);
    }

    [Fact]
    public void Defaults_fill_what_is_left_out()
    {
        ServerConfig config = Parse("""
            engines:
              - targets: 2
                storage:
                  - class: ram
                    scm_mount: meta
                    scm_size: 1
            """);
        Assert.Equal("daos_server", config.Name);
        Assert.Equal(ServerConfig.DefaultPort, config.Port);
        Assert.Equal(["localhost:10001"], config.ManagementReplicas);
        Assert.Equal("/etc/daos/meta", config.Engines[0].Metadata.Mount);
    }

    [Fact]
    public void Default_configuration_is_a_single_node_under_the_data_directory()
    {
        ServerConfig config = ServerConfig.Default("daos-data");
        EngineConfig engine = Assert.Single(config.Engines);
        Assert.Equal(4, engine.Targets);
        Assert.StartsWith(Path.GetFullPath("daos-data"), engine.Metadata.Mount, StringComparison.Ordinal);
        Assert.NotNull(engine.Data);
    }

    [Theory]
    [InlineData("engines:\n  - targets: many\n    storage: [{class: ram, scm_mount: /m, scm_size: 1}]\n", "line 2, column 14", "engines[0].targets", "'many'")]
    [InlineData("engines:\n  - targets: 65\n    storage: [{class: ram, scm_mount: /m, scm_size: 1}]\n", "line 2", "engines[0].targets", "1 to 64")]
    [InlineData("engines:\n  - storage: [{class: ram, scm_mount: /m, scm_size: 1}]\n", "line 2", "engines[0].targets", "missing")]
    [InlineData("name: x\n", "line 1", "engines", "missing")]
    [InlineData("prot: 10001\nengines: []\n", "line 1", "prot", "unknown configuration key")]
    [InlineData("engines:\n  - targets: 1\n    storage: [{class: nvme, bdev_list: ['0000:81:00.0']}]\n", "line 3", "engines[0].storage[0].class", "SPDK")]
    [InlineData("engines:\n  - targets: 1\n    storage: [{class: file, bdev_list: [a], bdev_size: 1}]\n", "line 3", "engines[0].storage[0].class", "metadata")]
    [InlineData("engines:\n  - targets: 1\n    storage: [{class: ram, scm_size: 1}]\n", "line 3", "engines[0].storage[0].scm_mount", "missing")]
    [InlineData("engines:\n  - targets: 1\n    storage: [{class: ram, scm_mount: /m, scm_size: lots}]\n", "line 3", "scm_size", "'lots'")]
    [InlineData("engines:\n  - targets: 1\n    storage:\n      - {class: ram, scm_mount: /m, scm_size: 1}\n      - {class: file, bdev_list: [b], bdev_size: 1, bdev_roles: [cache]}\n", "line 5", "bdev_roles", "'cache'")]
    [InlineData("port: 70000\nengines: []\n", "line 1", "port", "0 to 65535")]
    [InlineData("name: 'bad name!'\nengines: []\n", "line 1", "name", "'bad name!'")]
    [InlineData("mgmt_svc_replicas: [a:1, b:2]\nengines:\n  - targets: 1\n    storage: [{class: ram, scm_mount: /m, scm_size: 1}]\n", "line 1", "mgmt_svc_replicas", "odd number")]
    [InlineData("mgmt_svc_replicas: [nohost]\nengines:\n  - targets: 1\n    storage: [{class: ram, scm_mount: /m, scm_size: 1}]\n", "line 1", "mgmt_svc_replicas", "'nohost'")]
    [InlineData("engines:\n  - targets: 1\n    fabric_iface_port: 5000\n    storage: [{class: ram, scm_mount: /a, scm_size: 1}]\n  - targets: 1\n    fabric_iface_port: 5000\n    storage: [{class: ram, scm_mount: /b, scm_size: 1}]\n", "line 2", "engines[1].fabric_iface_port", "5000")]
    [InlineData("engines:\n  - targets: 1\n    storage: [{class: ram, scm_mount: /a, scm_size: 1}]\n  - targets: 1\n    storage: [{class: ram, scm_mount: /a, scm_size: 1}]\n", "line 2", "engines[1].storage", "'/a'")]
    [InlineData("engines:\n  - targets: 2\n    nr_xs_helpers: 3\n    storage: [{class: ram, scm_mount: /a, scm_size: 1}]\n", "line 2", "nr_xs_helpers", "3 helper")]
    [InlineData("name: a\nname: b\nengines: []\n", "line 2", "", "uplicate key")]
    [InlineData("engines: [\n", "line", "", "malformed YAML")]
    [InlineData("- just\n- a list\n", "line 1", "", "mapping")]
    public void Bad_configurations_name_the_line_and_the_field(string yaml, string where, string field, string problem)
    {
        DaosException e = Bad(yaml);
        Assert.Contains("daos_server.yml " + where, e.Message, StringComparison.Ordinal);
        Assert.Contains(field, e.Message, StringComparison.Ordinal);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_and_missing_files_are_reported()
    {
        Assert.Equal(DaosError.InvalidArgument, Bad("").Error);
        var e = Assert.Throws<DaosException>(() => ServerConfigLoader.Load("/nonexistent/daos_server.yml"));
        Assert.Equal(DaosError.NonExistent, e.Error);
    }

    [Fact]
    public void Loads_from_a_file_and_resolves_paths_against_its_folder()
    {
        string dir = Path.Combine(Path.GetTempPath(), "daos-config-" + Environment.ProcessId);
        Directory.CreateDirectory(dir);
        try
        {
            string file = Path.Combine(dir, "daos_server.yml");
            File.WriteAllText(file, "engines:\n  - targets: 1\n    storage: [{class: ram, scm_mount: meta, scm_size: 2GiB}]\n");
            ServerConfig config = ServerConfigLoader.Load(file);
            Assert.Equal(Path.Combine(dir, "meta"), config.Engines[0].Metadata.Mount);
            Assert.Equal(2L << 30, config.Engines[0].Metadata.SizeBytes);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}

using Daos.Server.Configuration;
using Daos.Server.Hosting;

namespace Daos.Server.Tests.Hosting;

public sealed class EnginePlanTests
{
    [Fact]
    public void Engine_0_answers_on_the_system_port_and_the_others_on_their_fabric_ports()
    {
        ServerConfig config = TwoEngines(fabricPort: 31417);
        IReadOnlyList<EnginePlan> plans = EnginePlan.From(config, "10.0.0.5");
        Assert.Equal("tcp://10.0.0.5:10001", plans[0].Address.ToString());
        Assert.Equal("tcp://10.0.0.5:31417", plans[1].Address.ToString());
        Assert.Equal([0, 1], plans.Select(p => p.Rank));
        Assert.Equal("/mnt/e1", plans[1].RootDirectory);
    }

    [Fact]
    public void Shard_sizes_are_the_default_clamped_to_capacity_per_target_and_whole_pages()
    {
        IReadOnlyList<EnginePlan> plans = EnginePlan.From(TwoEngines(31417), "127.0.0.1");
        Assert.Equal(EnginePlan.ScmShardBytesDefault, plans[0].ScmBytesPerTarget);      // 1 GiB over 4 targets
        Assert.Equal(EnginePlan.NvmeShardBytesDefault, plans[0].NvmeBytesPerTarget);
        Assert.Equal((10L << 20) / 4 & ~4095L, plans[1].ScmBytesPerTarget);             // 10 MiB over 4 targets
        Assert.Null(plans[1].NvmeBytesPerTarget);
    }

    [Theory]
    [InlineData(0, "engines[1].fabric_iface_port is needed")]
    [InlineData(10001, "is the system port")]
    public void A_second_engine_needs_its_own_port(int fabricPort, string message)
    {
        DaosException e = Assert.Throws<DaosException>(() => EnginePlan.From(TwoEngines(fabricPort), "127.0.0.1"));
        Assert.Equal(DaosError.InvalidArgument, e.Error);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("*")]
    public void A_wildcard_listen_host_cannot_be_advertised(string host)
    {
        DaosException e = Assert.Throws<DaosException>(() => EnginePlan.From(TwoEngines(31417), host));
        Assert.Contains("wildcard", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Capacity_too_small_for_the_targets_is_refused_naming_the_field()
    {
        ServerConfig config = TwoEngines(31417) with
        {
            Engines = [new EngineConfig { Targets = 8, Storage = [new StorageTierConfig { Class = StorageClass.Ram, Mount = "/mnt/e0", SizeBytes = 4L << 20 }] }],
        };
        DaosException e = Assert.Throws<DaosException>(() => EnginePlan.From(config, "127.0.0.1"));
        Assert.Contains("engines[0].storage[0].scm_size", e.Message, StringComparison.Ordinal);
    }

    private static ServerConfig TwoEngines(int fabricPort) => new()
    {
        Name = "plan",
        ManagementReplicas = ["localhost:10001"],
        Engines =
        [
            new EngineConfig
            {
                Targets = 4,
                Storage =
                [
                    new StorageTierConfig { Class = StorageClass.Ram, Mount = "/mnt/e0", SizeBytes = 1L << 30 },
                    new StorageTierConfig { Class = StorageClass.File, Devices = ["/mnt/e0/bdev"], SizeBytes = 8L << 30 },
                ],
            },
            new EngineConfig
            {
                Targets = 4,
                FabricPort = fabricPort,
                Storage = [new StorageTierConfig { Class = StorageClass.Ram, Mount = "/mnt/e1", SizeBytes = 10L << 20 }],
            },
        ],
    };
}

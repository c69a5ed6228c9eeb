namespace Daos.Harness;

/// <summary>The shape of a <see cref="TestCluster"/>.</summary>
public sealed record TestClusterOptions
{
    /// <summary>Engines (ranks 0..Engines-1).</summary>
    public int Engines { get; init; } = 3;

    /// <summary>Targets per engine: single-threaded executors, each owning its VOS shards.</summary>
    public int TargetsPerEngine { get; init; } = 4;

    /// <summary>Seeds every random choice of the harness (crash outcomes, simulated network faults).</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>How engines and clients talk.</summary>
    public TestClusterNetwork Network { get; init; } = TestClusterNetwork.InProcess;

    /// <summary>Where engines keep their data.</summary>
    public TestClusterStorage Storage { get; init; } = TestClusterStorage.Memory;

    /// <summary>The system name clients must name.</summary>
    public string SystemName { get; init; } = "daos_server";

    /// <summary>Checks the shape.</summary>
    /// <exception cref="DaosException"><see cref="DaosError.InvalidArgument"/> naming the bad setting.</exception>
    public void Validate()
    {
        if (Engines is < 1 or > 64)
        {
            ThrowHelper.InvalidArgument($"Engines must be 1..64, not {Engines}");
        }

        if (TargetsPerEngine is < 1 or > 64)
        {
            ThrowHelper.InvalidArgument($"TargetsPerEngine must be 1..64, not {TargetsPerEngine}");
        }

        if (!Enum.IsDefined(Network))
        {
            ThrowHelper.InvalidArgument($"network {(int)Network} is not defined");
        }

        ArgumentNullException.ThrowIfNull(Storage);
        ArgumentException.ThrowIfNullOrEmpty(SystemName);
    }
}

using Daos.Harness.Network;
using Daos.Harness.Scheduling;

namespace Daos.Harness;

/// <summary>The shape of a <see cref="TestCluster"/>.</summary>
public sealed record TestClusterOptions
{
    /// <summary>Engines (ranks 0..Engines-1).</summary>
    public int Engines { get; init; } = 3;

    /// <summary>Targets per engine: single-threaded executors, each owning its VOS shards.</summary>
    public int TargetsPerEngine { get; init; } = 4;

    /// <summary>Seeds every random choice of the harness (crash outcomes, engine randomness, client uuids).</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>How engines and clients talk.</summary>
    public TestClusterNetwork Network { get; init; } = TestClusterNetwork.InProcess;

    /// <summary>Where engines keep their data.</summary>
    public TestClusterStorage Storage { get; init; } = TestClusterStorage.Memory;

    /// <summary>The system name clients must name.</summary>
    public string SystemName { get; init; } = "daos_server";

    /// <summary>
    /// For <see cref="TestClusterNetwork.Simulated"/> (required there, refused otherwise): the scheduler the whole
    /// cluster runs on. Its clock is every engine's and client's clock, its context every target's executor, and
    /// <see cref="TestCluster.StartAsync"/> and everything after it must be called from inside its
    /// <see cref="DeterministicScheduler.Run{T}(Func{Task{T}})"/>.
    /// </summary>
    public DeterministicScheduler? Scheduler { get; init; }

    /// <summary>For <see cref="TestClusterNetwork.Simulated"/>: packet delays, loss, duplication and reordering (none but a
    /// small delay when null).</summary>
    public SimulatedNetworkOptions? SimulatedNetwork { get; init; }

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
        if (Network == TestClusterNetwork.Simulated)
        {
            if (Scheduler is null)
            {
                ThrowHelper.InvalidArgument("the simulated network needs a Scheduler: the cluster runs on its thread and clock");
            }

            if (Storage.Kind != TestClusterStorageKind.Memory)
            {
                ThrowHelper.InvalidArgument("the simulated network runs on Memory storage only: file I/O would complete on other threads");
            }

            SimulatedNetwork?.Validate();
        }
        else if (Scheduler is not null || SimulatedNetwork is not null)
        {
            ThrowHelper.InvalidArgument($"Scheduler and SimulatedNetwork apply to the simulated network only, not {Network}");
        }
    }
}

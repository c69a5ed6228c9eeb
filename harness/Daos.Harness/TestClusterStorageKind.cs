namespace Daos.Harness;

/// <summary>Where the engines of a <see cref="TestCluster"/> keep their VOS pools and RDB logs.</summary>
public enum TestClusterStorageKind
{
    /// <summary>In memory, one <see cref="Storage.SimulatedMedium"/> per engine: a kill drops what was not durable.</summary>
    Memory = 0,

    /// <summary>Files under a directory, one sub-directory per engine.</summary>
    Files = 1,
}

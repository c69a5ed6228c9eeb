namespace Daos.Protocol;

/// <summary>Frame target numbers with a meaning beyond a target index.</summary>
public static class ProtocolTargets
{
    /// <summary>
    /// The engine's system executor: management, the pool and container services and engine-to-engine control
    /// messages run there, apart from the targets that serve object I/O (DAOS's system xstream).
    /// </summary>
    public const uint System = 0xFFFF_FFF0;
}

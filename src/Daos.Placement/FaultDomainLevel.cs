namespace Daos.Placement;

/// <summary>
/// The level of the pool map whose domains must not hold two shards of one redundancy group (a container's
/// <c>rd_lvl</c>): an engine rank, or a whole node with all of its engines.
/// </summary>
public enum FaultDomainLevel
{
    /// <summary>An engine (one rank): shards of a group go to distinct ranks.</summary>
    Rank,

    /// <summary>A node (a host and every engine on it): shards of a group go to distinct nodes. DAOS's default.</summary>
    Node,
}

namespace Daos.Placement;

/// <summary>
/// The state of a pool component (a target or a fault domain), as DAOS's pool map records it. A component moves
/// UpIn -> Down -> DownOut when excluded, UpIn -> Drain -> DownOut when drained, DownOut (or Down) -> Up -> UpIn
/// when reintegrated, and New -> Up -> UpIn when the pool is extended.
/// </summary>
public enum TargetStatus
{
    /// <summary>Added to the map but not yet part of any layout (<c>PO_COMP_ST_NEW</c>).</summary>
    New,

    /// <summary>Being brought in: receiving data by reintegration or extension (<c>PO_COMP_ST_UP</c>).</summary>
    Up,

    /// <summary>Healthy and in every layout (<c>PO_COMP_ST_UPIN</c>).</summary>
    UpIn,

    /// <summary>Failed; its shards are being rebuilt elsewhere (<c>PO_COMP_ST_DOWN</c>).</summary>
    Down,

    /// <summary>Failed and rebuilt: out of every layout (<c>PO_COMP_ST_DOWNOUT</c>).</summary>
    DownOut,

    /// <summary>Healthy but being emptied: its shards are migrating elsewhere (<c>PO_COMP_ST_DRAIN</c>).</summary>
    Drain,
}

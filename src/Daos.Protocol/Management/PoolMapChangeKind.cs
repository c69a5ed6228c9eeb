namespace Daos.Protocol.Management;

/// <summary>A change of a pool's membership, as <c>dmg pool exclude/drain/reintegrate/extend</c> ask for it.</summary>
public enum PoolMapChangeKind : byte
{
    /// <summary>Mark targets failed (UpIn, Up or Drain -> Down).</summary>
    Exclude = 1,

    /// <summary>Start emptying healthy targets (UpIn -> Drain).</summary>
    Drain = 2,

    /// <summary>Bring failed targets back (Down or DownOut -> Up).</summary>
    Reintegrate = 3,

    /// <summary>Add ranks to the pool (their targets appended as Up).</summary>
    Extend = 4,
}

namespace Daos.Placement.Layout;

/// <summary>What a shard's target state means for I/O (DAOS's <c>PL_IS_REBUILDING</c> and friends).</summary>
[Flags]
internal enum RemapFlags
{
    None = 0,

    /// <summary>Write to the shard here but do not read it.</summary>
    Rebuilding = 1,

    /// <summary>The target is being reintegrated or added.</summary>
    Reintegrating = 2,

    /// <summary>The shard also has a second home being filled: the Current layout must be extended.</summary>
    HasPeer = 4,
}

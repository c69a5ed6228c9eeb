namespace Daos.Engine.Rdb.Raft;

/// <summary>How the leader currently replicates to one follower.</summary>
internal enum ProgressState : byte
{
    /// <summary>Unknown match: one append at a time, backing off on rejection.</summary>
    Probe = 0,

    /// <summary>Known match: stream appends optimistically up to the in-flight bound.</summary>
    Replicate = 1,

    /// <summary>The follower needs entries already compacted: stream a snapshot.</summary>
    Snapshot = 2,
}

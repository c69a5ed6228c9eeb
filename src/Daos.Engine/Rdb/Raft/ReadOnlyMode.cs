namespace Daos.Engine.Rdb.Raft;

/// <summary>How a leader proves it is still the leader before it answers a linearizable read.</summary>
public enum ReadOnlyMode : byte
{
    /// <summary>
    /// ReadIndex: the leader records its commit index and confirms leadership with a round of heartbeats acknowledged
    /// by a quorum. Safe whatever the clocks do.
    /// </summary>
    Safe = 0,

    /// <summary>
    /// Leader lease: the leader answers at once while a quorum acknowledged it less than an election timeout ago (in
    /// its own ticks). Needs <see cref="RaftOptions.CheckQuorum"/> and replicas whose ticks advance at the same rate;
    /// falls back to <see cref="Safe"/> when the lease has lapsed or a leadership transfer has begun.
    /// </summary>
    LeaseBased = 1,
}

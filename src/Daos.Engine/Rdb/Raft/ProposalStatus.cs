namespace Daos.Engine.Rdb.Raft;

/// <summary>What became of a proposal.</summary>
public enum ProposalStatus : byte
{
    /// <summary>Appended to the leader's log at the returned index; committed later, or lost if leadership changes.</summary>
    Accepted = 0,

    /// <summary>This replica is not the leader; retry at the leader hint, if any.</summary>
    NotLeader = 1,

    /// <summary>The leader is handing leadership over; retry at the new leader.</summary>
    TransferInProgress = 2,

    /// <summary>Too many uncommitted entries, or a configuration change is still pending; retry later.</summary>
    Busy = 3,
}

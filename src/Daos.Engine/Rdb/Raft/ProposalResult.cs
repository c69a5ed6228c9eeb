namespace Daos.Engine.Rdb.Raft;

/// <summary>The outcome of a proposal: a status, and where the entry went or where the leader is.</summary>
/// <param name="Status">Accepted, or why not.</param>
/// <param name="Index">The entry's index when accepted.</param>
/// <param name="Term">The entry's term when accepted.</param>
/// <param name="LeaderHint">The replica this one believes leads, or 0.</param>
public readonly record struct ProposalResult(ProposalStatus Status, ulong Index, ulong Term, ulong LeaderHint)
{
    /// <summary>True when the entry was appended.</summary>
    public bool IsAccepted => Status == ProposalStatus.Accepted;

    /// <summary>Throws the matching <see cref="DaosException"/> unless the proposal was accepted.</summary>
    /// <exception cref="DaosException"><see cref="DaosError.NotLeader"/> (with the hint in the message) or <see cref="DaosError.Busy"/>.</exception>
    public void ThrowIfRejected()
    {
        switch (Status)
        {
            case ProposalStatus.Accepted:
                return;
            case ProposalStatus.NotLeader:
            case ProposalStatus.TransferInProgress:
                ThrowHelper.Throw(DaosError.NotLeader, LeaderHint == 0 ? "not the leader; no leader known" : $"not the leader; try replica {LeaderHint}");
                break;
            default:
                ThrowHelper.Throw(DaosError.Busy, "too many uncommitted entries or a configuration change pending");
                break;
        }
    }
}

namespace Daos.Engine.Rdb.Raft;

/// <summary>The role a replica plays in its current term.</summary>
public enum RaftRole : byte
{
    /// <summary>Follows a leader, or waits for one.</summary>
    Follower = 0,

    /// <summary>Asking whether it could win an election, without raising its term (pre-vote).</summary>
    PreCandidate = 1,

    /// <summary>Has raised its term and asks for votes.</summary>
    Candidate = 2,

    /// <summary>Accepts proposals and replicates the log.</summary>
    Leader = 3,
}

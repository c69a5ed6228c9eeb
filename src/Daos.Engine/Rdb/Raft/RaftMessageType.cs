namespace Daos.Engine.Rdb.Raft;

/// <summary>The messages replicas exchange.</summary>
public enum RaftMessageType : byte
{
    /// <summary>A candidate asks for a vote (Index/LogTerm: its last entry).</summary>
    Vote = 1,

    /// <summary>Grants or rejects a <see cref="Vote"/>.</summary>
    VoteResponse = 2,

    /// <summary>A pre-candidate asks whether it would win at Term (its term + 1) without raising its own term.</summary>
    PreVote = 3,

    /// <summary>Grants or rejects a <see cref="PreVote"/>.</summary>
    PreVoteResponse = 4,

    /// <summary>The leader appends Entries after (Index, LogTerm) and announces Commit.</summary>
    Append = 5,

    /// <summary>Accepts an append up to Index, or rejects it (Reject, RejectHint: the follower's last index).</summary>
    AppendResponse = 6,

    /// <summary>The leader asserts its leadership and announces Commit; Context carries a read round.</summary>
    Heartbeat = 7,

    /// <summary>Acknowledges a heartbeat, echoing Context.</summary>
    HeartbeatResponse = 8,

    /// <summary>One <see cref="SnapshotChunk"/> of an install-snapshot stream.</summary>
    Snapshot = 9,

    /// <summary>Acknowledges snapshot bytes up to RejectHint, or (Reject) asks the leader to start the stream again.</summary>
    SnapshotResponse = 10,

    /// <summary>The leader tells the transfer target to campaign at once, bypassing pre-vote and leases.</summary>
    TimeoutNow = 11,

    /// <summary>A follower forwards a read request (Context) to the leader.</summary>
    ReadIndex = 12,

    /// <summary>The leader answers a forwarded read with the index to wait for (Index, Context).</summary>
    ReadIndexResponse = 13,
}

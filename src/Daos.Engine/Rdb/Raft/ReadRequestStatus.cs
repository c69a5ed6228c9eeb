namespace Daos.Engine.Rdb.Raft;

/// <summary>What became of a read request; when accepted, the answer arrives as a <see cref="ReadState"/> in a later <see cref="Ready"/>.</summary>
public enum ReadRequestStatus : byte
{
    /// <summary>Being confirmed (or already confirmed); watch <see cref="Ready.ReadStates"/> for the context.</summary>
    Accepted = 0,

    /// <summary>No leader is known; retry later.</summary>
    NoLeader = 1,

    /// <summary>The leader has not yet committed an entry in its term, so its commit index may be behind; retry.</summary>
    NotReady = 2,

    /// <summary>Too many reads are pending at the leader; retry later.</summary>
    Busy = 3,
}

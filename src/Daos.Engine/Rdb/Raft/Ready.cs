namespace Daos.Engine.Rdb.Raft;

/// <summary>
/// Everything a <see cref="RaftNode"/> needs done, handed out by <see cref="RaftNode.GetReady"/>. The caller must, in
/// this order: (1) persist <see cref="Snapshot"/>, <see cref="Entries"/> and then <see cref="HardState"/> durably (an
/// fsync when <see cref="MustSync"/>); (2) send <see cref="Messages"/>, never earlier, because a vote or an append
/// acknowledgement promises that state is on disk; (3) install <see cref="Snapshot"/> in the state machine and apply
/// <see cref="CommittedEntries"/> in order; (4) call <see cref="RaftNode.Advance(Ready)"/>. No other call to the node
/// may come between <see cref="RaftNode.GetReady"/> and <see cref="RaftNode.Advance(Ready)"/>.
/// </summary>
public sealed class Ready
{
    internal Ready(RaftRole role, ulong leaderId, HardState? hardState, RaftSnapshot? snapshot, LogEntry[] entries,
        LogEntry[] committedEntries, RaftMessage[] messages, ReadState[] readStates, bool mustSync)
    {
        Role = role;
        LeaderId = leaderId;
        HardState = hardState;
        Snapshot = snapshot;
        Entries = entries;
        CommittedEntries = committedEntries;
        Messages = messages;
        ReadStates = readStates;
        MustSync = mustSync;
    }

    /// <summary>The node's role now (for step-up and step-down callbacks).</summary>
    public RaftRole Role { get; }

    /// <summary>The leader the node knows of now, or 0.</summary>
    public ulong LeaderId { get; }

    /// <summary>The hard state to persist, or null when unchanged.</summary>
    public HardState? HardState { get; }

    /// <summary>A snapshot received from the leader, to persist and install, or null.</summary>
    public RaftSnapshot? Snapshot { get; }

    /// <summary>Entries to persist; an entry at an index already stored replaces it and everything after it.</summary>
    public IReadOnlyList<LogEntry> Entries { get; }

    /// <summary>Committed entries to apply to the state machine, in order (already persisted, or in <see cref="Entries"/>).</summary>
    public IReadOnlyList<LogEntry> CommittedEntries { get; }

    /// <summary>Messages to send once the state above is durable.</summary>
    public IReadOnlyList<RaftMessage> Messages { get; }

    /// <summary>Confirmed reads: serve each once the state machine has applied its index.</summary>
    public IReadOnlyList<ReadState> ReadStates { get; }

    /// <summary>True when the term, vote or log changed, so the write must be synced before messages go out.</summary>
    public bool MustSync { get; }
}

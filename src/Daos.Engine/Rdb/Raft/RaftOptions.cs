namespace Daos.Engine.Rdb.Raft;

/// <summary>Settings of one <see cref="RaftNode"/>. Every bound the node enforces is here.</summary>
public sealed record RaftOptions
{
    /// <summary>This replica's id (non-zero).</summary>
    public required ulong ReplicaId { get; init; }

    /// <summary>
    /// Ticks without hearing from a leader before a follower campaigns; the actual timeout is drawn from
    /// [ElectionTicks, 2 × ElectionTicks) by the injected random source after every reset.
    /// </summary>
    public int ElectionTicks { get; init; } = 10;

    /// <summary>Ticks between a leader's heartbeats; must be less than <see cref="ElectionTicks"/>.</summary>
    public int HeartbeatTicks { get; init; } = 1;

    /// <summary>Ask "would I win?" before raising the term, so a partitioned replica cannot disrupt the group on return.</summary>
    public bool PreVote { get; init; } = true;

    /// <summary>
    /// A leader that has not heard from a quorum within an election timeout steps down, and a follower that heard from
    /// a leader within an election timeout ignores vote requests (the leader lease).
    /// </summary>
    public bool CheckQuorum { get; init; } = true;

    /// <summary>How linearizable reads are confirmed.</summary>
    public ReadOnlyMode ReadOnlyMode { get; init; } = ReadOnlyMode.Safe;

    /// <summary>Most bytes of entries one append message carries (at least one entry is always sent).</summary>
    public long MessageSizeBytesMax { get; init; } = 1 << 20;

    /// <summary>Most append messages in flight to one follower.</summary>
    public int InflightMessagesMax { get; init; } = 64;

    /// <summary>Largest proposal payload accepted; larger ones are a caller bug.</summary>
    public int ProposalSizeBytesMax { get; init; } = 1 << 20;

    /// <summary>Most entries the leader holds beyond its commit index before it answers proposals with Busy.</summary>
    public int UncommittedEntriesMax { get; init; } = 4096;

    /// <summary>Bytes of snapshot image per install-snapshot message.</summary>
    public int SnapshotChunkSizeBytes { get; init; } = 64 << 10;

    /// <summary>Largest snapshot image a follower will assemble.</summary>
    public long SnapshotSizeBytesMax { get; init; } = 1L << 30;

    /// <summary>Most read requests a leader holds awaiting confirmation.</summary>
    public int PendingReadsMax { get; init; } = 1024;

    /// <summary>Most bytes of committed entries handed out in one <see cref="Ready"/> (at least one entry).</summary>
    public long CommittedSizeBytesMaxPerReady { get; init; } = 4 << 20;

    internal void Validate()
    {
        if (ReplicaId == 0)
        {
            ThrowHelper.InvalidArgument("replica id 0 is reserved for 'none'");
        }

        if (HeartbeatTicks <= 0 || ElectionTicks <= HeartbeatTicks)
        {
            ThrowHelper.InvalidArgument($"need 0 < HeartbeatTicks ({HeartbeatTicks}) < ElectionTicks ({ElectionTicks})");
        }

        if (ReadOnlyMode == ReadOnlyMode.LeaseBased && !CheckQuorum)
        {
            ThrowHelper.InvalidArgument("lease-based reads need CheckQuorum, or a deposed leader could serve stale reads");
        }

        if (MessageSizeBytesMax <= 0 || InflightMessagesMax <= 0 || ProposalSizeBytesMax <= 0 || UncommittedEntriesMax <= 0
            || SnapshotChunkSizeBytes <= 0 || SnapshotSizeBytesMax <= 0 || PendingReadsMax <= 0 || CommittedSizeBytesMaxPerReady <= 0)
        {
            ThrowHelper.InvalidArgument("every size and count bound must be positive");
        }
    }
}

namespace Daos.Engine.Rdb.Raft;

/// <summary>
/// A message between replicas. Fields that a type does not use are zero. Messages received from the network are
/// checked by <see cref="RaftNode.Step(RaftMessage)"/> before they touch any state.
/// </summary>
public sealed record RaftMessage
{
    /// <summary>What the message asks or answers.</summary>
    public required RaftMessageType Type { get; init; }

    /// <summary>Sender replica id.</summary>
    public required ulong From { get; init; }

    /// <summary>Destination replica id.</summary>
    public required ulong To { get; init; }

    /// <summary>The sender's term (for a pre-vote request, the term it would campaign at).</summary>
    public ulong Term { get; init; }

    /// <summary>A log index whose meaning depends on <see cref="Type"/>.</summary>
    public ulong Index { get; init; }

    /// <summary>The term of the entry at <see cref="Index"/> (appends, votes).</summary>
    public ulong LogTerm { get; init; }

    /// <summary>The sender's commit index (appends, heartbeats).</summary>
    public ulong Commit { get; init; }

    /// <summary>Entries to append, contiguous from <see cref="Index"/> + 1.</summary>
    public IReadOnlyList<LogEntry> Entries { get; init; } = [];

    /// <summary>True when the request is refused.</summary>
    public bool Reject { get; init; }

    /// <summary>For a rejected append, the follower's last index; for a snapshot response, the next offset wanted.</summary>
    public ulong RejectHint { get; init; }

    /// <summary>A read-request context (heartbeats, read index messages).</summary>
    public ulong Context { get; init; }

    /// <summary>The leader's tick when it sent the message, echoed by responses to extend its lease.</summary>
    public ulong LeaseTick { get; init; }

    /// <summary>A vote forced by leadership transfer: receivers ignore their leader lease.</summary>
    public bool Transfer { get; init; }

    /// <summary>The snapshot piece of a <see cref="RaftMessageType.Snapshot"/> message.</summary>
    public SnapshotChunk? Chunk { get; init; }

    /// <inheritdoc/>
    public override string ToString()
    {
        string text = $"{From}->{To} {Type} term={Term}";
        switch (Type)
        {
            case RaftMessageType.Vote or RaftMessageType.PreVote:
                text += $" last={Index}/{LogTerm}{(Transfer ? " transfer" : "")}";
                break;
            case RaftMessageType.VoteResponse or RaftMessageType.PreVoteResponse:
                text += Reject ? " rejected" : " granted";
                break;
            case RaftMessageType.Append:
                text += $" prev={Index}/{LogTerm} commit={Commit}";
                if (Entries.Count > 0)
                {
                    text += $" entries=[{string.Join(" ", Entries)}]";
                }

                break;
            case RaftMessageType.AppendResponse:
                text += Reject ? $" rejected index={Index} hint={RejectHint}" : $" index={Index}";
                break;
            case RaftMessageType.Heartbeat:
                text += $" commit={Commit}{(Context != 0 ? $" ctx={Context}" : "")}";
                break;
            case RaftMessageType.HeartbeatResponse:
                text += Context != 0 ? $" ctx={Context}" : "";
                break;
            case RaftMessageType.Snapshot when Chunk is not null:
                text += $" snap={Chunk.SnapshotIndex}/{Chunk.SnapshotTerm} bytes=[{Chunk.OffsetBytes},{Chunk.OffsetBytes + Chunk.Data.Length})/{Chunk.TotalSizeBytes}";
                break;
            case RaftMessageType.SnapshotResponse:
                text += Reject ? $" snap={Index} rejected" : $" snap={Index} next={RejectHint}";
                break;
            case RaftMessageType.ReadIndex:
                text += $" ctx={Context}";
                break;
            case RaftMessageType.ReadIndexResponse:
                text += $" index={Index} ctx={Context}";
                break;
        }

        return text;
    }
}

namespace Daos.Engine.Rdb.Raft;

/// <summary>The leader's view of one replica: how much of the log it holds and how to send it more.</summary>
internal sealed class Progress
{
    private readonly Queue<ulong> _inflight = new();
    private readonly int _inflightMax;

    public Progress(ulong match, ulong next, int inflightMax)
    {
        Match = match;
        Next = next;
        _inflightMax = inflightMax;
    }

    public ulong Match { get; private set; }

    public ulong Next { get; set; }

    public ProgressState State { get; private set; }

    /// <summary>In probe state: an append is out and unanswered.</summary>
    public bool ProbeSent { get; set; }

    /// <summary>Heard from since the last check-quorum round.</summary>
    public bool RecentActive { get; set; }

    /// <summary>The leader tick of the latest message this replica acknowledged (0: none), for the lease.</summary>
    public ulong LeaseAckTick { get; set; }

    /// <summary>In snapshot state: the snapshot being streamed.</summary>
    public RaftSnapshot? PendingSnapshot { get; private set; }

    /// <summary>In snapshot state: bytes the follower has acknowledged.</summary>
    public long SnapshotAckedBytes { get; set; }

    /// <summary>In snapshot state: heartbeats since the follower last acknowledged a chunk (retransmit when stalled).</summary>
    public int SnapshotIdleHeartbeats { get; set; }

    public bool IsPaused => State switch
    {
        ProgressState.Probe => ProbeSent,
        ProgressState.Replicate => _inflight.Count >= _inflightMax,
        _ => true,
    };

    public void BecomeProbe()
    {
        Next = State == ProgressState.Snapshot && PendingSnapshot is not null
            ? Math.Max(Match + 1, PendingSnapshot.Index + 1)
            : Match + 1;
        State = ProgressState.Probe;
        ResetState();
    }

    public void BecomeReplicate()
    {
        State = ProgressState.Replicate;
        Next = Match + 1;
        ResetState();
    }

    public void BecomeSnapshot(RaftSnapshot snapshot)
    {
        State = ProgressState.Snapshot;
        ResetState();
        PendingSnapshot = snapshot;
    }

    /// <summary>The replica holds the log up to <paramref name="index"/>; false if that is old news.</summary>
    public bool MaybeUpdate(ulong index)
    {
        bool updated = false;
        if (Match < index)
        {
            Match = index;
            updated = true;
            ProbeSent = false;
        }

        Next = Math.Max(Next, index + 1);
        return updated;
    }

    /// <summary>Records an append sent in replicate state that ends at <paramref name="lastIndex"/>.</summary>
    public void SentEntries(ulong lastIndex, int count)
    {
        if (State == ProgressState.Replicate)
        {
            if (count > 0)
            {
                Next = lastIndex + 1;
                _inflight.Enqueue(lastIndex);
            }
        }
        else if (State == ProgressState.Probe)
        {
            ProbeSent = true;
        }
    }

    /// <summary>Frees in-flight slots for appends ending at or before <paramref name="index"/>.</summary>
    public void FreeInflightTo(ulong index)
    {
        while (_inflight.Count > 0 && _inflight.Peek() <= index)
        {
            _inflight.Dequeue();
        }
    }

    /// <summary>
    /// Frees the oldest in-flight slot when the window is full: appends may have been lost, and the follower's
    /// heartbeat answer shows it is reachable, so one more append goes out (a gap makes it reject and we probe).
    /// </summary>
    public void FreeOneIfFull()
    {
        if (State == ProgressState.Replicate && _inflight.Count >= _inflightMax)
        {
            _inflight.Dequeue();
        }
    }

    /// <summary>
    /// The replica rejected an append at <paramref name="rejectedIndex"/> and holds entries up to
    /// <paramref name="lastIndexHint"/>; false when the rejection is stale.
    /// </summary>
    public bool MaybeDecreaseTo(ulong rejectedIndex, ulong lastIndexHint)
    {
        if (State == ProgressState.Replicate)
        {
            if (rejectedIndex <= Match)
            {
                return false;
            }

            Next = Match + 1;
            return true;
        }

        if (Next == 0 || Next - 1 != rejectedIndex)
        {
            return false;
        }

        Next = Math.Max(Math.Min(rejectedIndex, lastIndexHint + 1), Match + 1);
        ProbeSent = false;
        return true;
    }

    public override string ToString() => $"match={Match} next={Next} {State}";

    private void ResetState()
    {
        ProbeSent = false;
        PendingSnapshot = null;
        SnapshotAckedBytes = 0;
        SnapshotIdleHeartbeats = 0;
        _inflight.Clear();
    }
}

namespace Daos.Engine.Rdb.Raft;

public sealed partial class RaftNode
{
    /// <summary>
    /// Feeds one message received from another replica. The message is checked before it touches any state; terms
    /// are handled as Raft prescribes (a newer term deposes, an older one is answered so its sender learns, leases
    /// make followers ignore disruptive vote requests); responses from replicas the leader does not track are dropped
    /// and counted in <see cref="UnknownSenderMessages"/>.
    /// </summary>
    /// <exception cref="DaosException">
    /// <see cref="DaosError.Protocol"/> for a malformed message (wrong destination, reserved sender, entries that are
    /// not contiguous or carry impossible terms, snapshot chunks out of bounds); the node is unchanged.
    /// </exception>
    public void Step(RaftMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        EnsureNoReadyOutstanding();
        Validate(message);

        if (message.Term > Term)
        {
            if (message.Type is RaftMessageType.Vote or RaftMessageType.PreVote && !message.Transfer && IsInLease())
            {
                // Check-quorum lease: we heard from a live leader within an election timeout, so this candidate is
                // disruptive (for example a replica returning from a partition) and gets no answer.
                return;
            }

            if (message.Type == RaftMessageType.PreVote
                || (message.Type == RaftMessageType.PreVoteResponse && !message.Reject))
            {
                // A pre-vote never changes terms: the request names the term the sender would campaign at, and a
                // granted response carries it back.
            }
            else
            {
                bool fromLeader = message.Type is RaftMessageType.Append or RaftMessageType.Heartbeat or RaftMessageType.Snapshot;
                BecomeFollower(message.Term, fromLeader ? message.From : 0);
            }
        }
        else if (message.Term < Term)
        {
            if ((_options.CheckQuorum || _options.PreVote)
                && message.Type is RaftMessageType.Append or RaftMessageType.Heartbeat or RaftMessageType.Snapshot)
            {
                // A stale leader (back from a partition) would otherwise keep its followers' pre-votes failing;
                // this answer tells it our term so it steps down.
                Send(new RaftMessage { Type = RaftMessageType.AppendResponse, From = Id, To = message.From, Term = Term });
            }
            else if (message.Type == RaftMessageType.PreVote)
            {
                Send(new RaftMessage { Type = RaftMessageType.PreVoteResponse, From = Id, To = message.From, Term = Term, Reject = true });
            }

            return;
        }

        if (message.Type is RaftMessageType.Vote or RaftMessageType.PreVote)
        {
            HandleVoteRequest(message);
            return;
        }

        switch (Role)
        {
            case RaftRole.Leader:
                StepLeader(message);
                break;
            case RaftRole.Candidate or RaftRole.PreCandidate:
                StepCandidate(message);
                break;
            default:
                StepFollower(message);
                break;
        }
    }

    private bool IsInLease() =>
        _options.CheckQuorum && (Role == RaftRole.Leader || _ticksSinceLeaderContact < _options.ElectionTicks);

    private void StepFollower(RaftMessage m)
    {
        switch (m.Type)
        {
            case RaftMessageType.Append:
                LeaderContact(m.From);
                HandleAppend(m);
                break;
            case RaftMessageType.Heartbeat:
                LeaderContact(m.From);
                HandleHeartbeat(m);
                break;
            case RaftMessageType.Snapshot:
                LeaderContact(m.From);
                HandleSnapshotChunk(m);
                break;
            case RaftMessageType.TimeoutNow:
                StartElection(transfer: true);
                break;
            case RaftMessageType.ReadIndexResponse:
                _readStates.Add(new ReadState(m.Index, m.Context));
                break;
        }
    }

    private void StepCandidate(RaftMessage m)
    {
        switch (m.Type)
        {
            case RaftMessageType.Append or RaftMessageType.Heartbeat or RaftMessageType.Snapshot:
                // Another replica won this term.
                BecomeFollower(m.Term, m.From);
                StepFollower(m);
                break;
            case RaftMessageType.VoteResponse or RaftMessageType.PreVoteResponse:
                HandleVoteResponse(m);
                break;
        }
    }

    private void LeaderContact(ulong leader)
    {
        _electionElapsed = 0;
        _ticksSinceLeaderContact = 0;
        LeaderId = leader;
    }

    private void HandleAppend(RaftMessage m)
    {
        if (m.Index < _log.Committed)
        {
            Send(new RaftMessage { Type = RaftMessageType.AppendResponse, From = Id, To = m.From, Term = Term, Index = _log.Committed, LeaseTick = m.LeaseTick });
            return;
        }

        if (!_log.MatchTerm(m.Index, m.LogTerm))
        {
            Send(new RaftMessage
            {
                Type = RaftMessageType.AppendResponse,
                From = Id,
                To = m.From,
                Term = Term,
                Reject = true,
                Index = m.Index,
                RejectHint = Math.Min(m.Index, _log.LastIndex),
                LeaseTick = m.LeaseTick,
            });
            return;
        }

        // The previous entry matches, so by the log matching property every entry up to it agrees with the leader's
        // (and m.Index >= commit, so nothing committed can conflict). Replace from the first conflict.
        ulong lastNew = m.Index + (ulong)m.Entries.Count;
        ulong conflict = _log.FindConflict(m.Entries);
        if (conflict != 0)
        {
            int start = (int)(conflict - m.Index - 1);
            _log.Append(m.Entries, start);
            _configEntryIndexes.RemoveAll(index => index >= conflict);
            for (int i = start; i < m.Entries.Count; i++)
            {
                if (m.Entries[i].Kind == LogEntryKind.ConfigChange)
                {
                    _configEntryIndexes.Add(m.Entries[i].Index);
                }
            }
        }

        AdvanceCommitTo(Math.Min(m.Commit, lastNew));
        Send(new RaftMessage { Type = RaftMessageType.AppendResponse, From = Id, To = m.From, Term = Term, Index = lastNew, LeaseTick = m.LeaseTick });
    }

    private void HandleHeartbeat(RaftMessage m)
    {
        // The leader sends min(match, commit), so everything up to there agrees with its log.
        AdvanceCommitTo(Math.Min(m.Commit, _log.LastIndex));
        Send(new RaftMessage { Type = RaftMessageType.HeartbeatResponse, From = Id, To = m.From, Term = Term, Context = m.Context, LeaseTick = m.LeaseTick });
    }

    private void HandleSnapshotChunk(RaftMessage m)
    {
        SnapshotChunk chunk = m.Chunk!;
        if (chunk.SnapshotIndex <= _log.Committed)
        {
            // Already have it all: tell the leader where we are so it resumes appends.
            _assembly = null;
            Send(new RaftMessage { Type = RaftMessageType.AppendResponse, From = Id, To = m.From, Term = Term, Index = _log.Committed });
            return;
        }

        if (_assembly is null || !_assembly.Matches(chunk, m.From))
        {
            if (chunk.OffsetBytes != 0 || chunk.TotalSizeBytes > _options.SnapshotSizeBytesMax)
            {
                // A chunk of a stream we never started (or lost across a restart), or an image too big to hold.
                Send(new RaftMessage { Type = RaftMessageType.SnapshotResponse, From = Id, To = m.From, Term = Term, Index = chunk.SnapshotIndex, RejectHint = 0 });
                return;
            }

            _assembly = new SnapshotAssembly(chunk, m.From);
        }

        SnapshotAssembly assembly = _assembly;
        if (chunk.OffsetBytes == assembly.ReceivedBytes)
        {
            chunk.Data.Span.CopyTo(assembly.Buffer.AsSpan((int)chunk.OffsetBytes));
            assembly.ReceivedBytes += chunk.Data.Length;
        }

        if (assembly.ReceivedBytes < assembly.Buffer.Length)
        {
            Send(new RaftMessage { Type = RaftMessageType.SnapshotResponse, From = Id, To = m.From, Term = Term, Index = chunk.SnapshotIndex, RejectHint = (ulong)assembly.ReceivedBytes });
            return;
        }

        _assembly = null;
        var snapshot = new RaftSnapshot(assembly.Index, assembly.Term, assembly.Configuration, assembly.Buffer, assembly.Checksum);
        if (!snapshot.IsChecksumValid)
        {
            CorruptSnapshotsRejected++;
            Send(new RaftMessage { Type = RaftMessageType.SnapshotResponse, From = Id, To = m.From, Term = Term, Index = chunk.SnapshotIndex, Reject = true });
            return;
        }

        ulong index = RestoreSnapshot(snapshot) ? _log.LastIndex : _log.Committed;
        Send(new RaftMessage { Type = RaftMessageType.AppendResponse, From = Id, To = m.From, Term = Term, Index = index });
    }

    private bool RestoreSnapshot(RaftSnapshot snapshot)
    {
        if (snapshot.Index <= _log.Committed)
        {
            return false;
        }

        if (_log.MatchTerm(snapshot.Index, snapshot.Term))
        {
            // Our log already holds the snapshot's last entry: just learn that it is committed.
            AdvanceCommitTo(snapshot.Index);
            return false;
        }

        _log.Restore(snapshot);
        _configEntryIndexes.Clear();
        _configurationHistory.Clear();
        RecordConfiguration(snapshot.Index, snapshot.Configuration);
        return true;
    }

    private void Validate(RaftMessage m)
    {
        if (m.To != Id)
        {
            Reject(m, $"addressed to replica {m.To}, not {Id}");
        }

        if (m.From == Id)
        {
            Reject(m, "sent by this replica to itself");
        }

        if (!Enum.IsDefined(m.Type))
        {
            Reject(m, "unknown type");
        }

        if (m.From == 0)
        {
            Reject(m, "sender is replica 0");
        }

        if (m.Entries is null)
        {
            Reject(m, "entries missing");
        }

        if (m.Type is RaftMessageType.Vote or RaftMessageType.PreVote && m.LogTerm > m.Term)
        {
            Reject(m, "last log term is beyond the campaign term");
        }

        if (m.Type == RaftMessageType.Append)
        {
            if (m.LogTerm > m.Term || (m.Index == 0 && m.LogTerm != 0))
            {
                Reject(m, "previous entry term is impossible");
            }

            ulong previousTerm = m.LogTerm;
            for (int i = 0; i < m.Entries.Count; i++)
            {
                LogEntry entry = m.Entries[i];
                if (entry.Index != m.Index + 1 + (ulong)i || entry.Index == 0)
                {
                    Reject(m, $"entry {i} has index {entry.Index}, not {m.Index + 1 + (ulong)i}");
                }

                if (entry.Term < previousTerm || entry.Term > m.Term || !Enum.IsDefined(entry.Kind))
                {
                    Reject(m, $"entry {entry.Index} has term {entry.Term} or kind {entry.Kind} out of order");
                }

                previousTerm = entry.Term;
            }
        }

        if (m.Type == RaftMessageType.Snapshot)
        {
            SnapshotChunk? chunk = m.Chunk;
            if (chunk is null)
            {
                Reject(m, "snapshot chunk is missing");
            }

            if (chunk.SnapshotIndex == 0 || chunk.SnapshotTerm == 0 || chunk.SnapshotTerm > m.Term
                || chunk.TotalSizeBytes < 0 || chunk.TotalSizeBytes > int.MaxValue || chunk.OffsetBytes < 0
                || chunk.OffsetBytes > chunk.TotalSizeBytes - chunk.Data.Length)
            {
                Reject(m, "snapshot chunk is out of bounds");
            }
        }
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void Reject(RaftMessage m, string reason) =>
        ThrowHelper.Throw(DaosError.Protocol, $"malformed Raft message ({m.Type} {m.From}->{m.To}): {reason}");
}

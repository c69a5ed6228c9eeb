namespace Daos.Engine.Rdb.Raft;

public sealed partial class RaftNode
{
    private void TickLeader()
    {
        _heartbeatElapsed++;
        _electionElapsed++;
        if (_electionElapsed >= _options.ElectionTicks)
        {
            _electionElapsed = 0;
            if (_options.CheckQuorum)
            {
                if (!QuorumMath.IsQuorumActive(Configuration, _progress, Id))
                {
                    BecomeFollower(Term, 0);
                    return;
                }

                foreach (KeyValuePair<ulong, Progress> entry in _progress)
                {
                    entry.Value.RecentActive = entry.Key == Id;
                }
            }
        }

        if (_leadTransferee != 0 && ++_transferElapsed >= _options.ElectionTicks)
        {
            // The target did not take over within an election timeout: accept proposals again. The lease stays
            // revoked for this term, since the target may yet campaign.
            _leadTransferee = 0;
        }

        if (_heartbeatElapsed >= _options.HeartbeatTicks)
        {
            _heartbeatElapsed = 0;
            BroadcastHeartbeat(_pendingReads.Count > 0 ? _pendingReads[^1].Sequence : 0);
            RetransmitSnapshots();
        }
    }

    private void StepLeader(RaftMessage m)
    {
        if (m.Type == RaftMessageType.ReadIndex)
        {
            // A follower's client read; if it cannot be served now the follower's caller times out and retries.
            if (_progress.ContainsKey(m.From))
            {
                LeaderRead(m.Context, m.From);
            }
            else
            {
                UnknownSenderMessages++;
            }

            return;
        }

        if (m.Type is not (RaftMessageType.AppendResponse or RaftMessageType.HeartbeatResponse or RaftMessageType.SnapshotResponse))
        {
            return;
        }

        if (!_progress.TryGetValue(m.From, out Progress? pr))
        {
            UnknownSenderMessages++;
            return;
        }

        pr.RecentActive = true;
        if (m.LeaseTick > pr.LeaseAckTick)
        {
            pr.LeaseAckTick = m.LeaseTick;
        }

        switch (m.Type)
        {
            case RaftMessageType.AppendResponse:
                HandleAppendResponse(m, pr);
                break;
            case RaftMessageType.HeartbeatResponse:
                HandleHeartbeatResponse(m, pr);
                break;
            default:
                HandleSnapshotResponse(m, pr);
                break;
        }
    }

    private void HandleAppendResponse(RaftMessage m, Progress pr)
    {
        if (m.Reject)
        {
            if (pr.MaybeDecreaseTo(m.Index, m.RejectHint))
            {
                if (pr.State == ProgressState.Replicate)
                {
                    pr.BecomeProbe();
                }

                SendAppend(m.From, pr, sendIfEmpty: true);
            }

            return;
        }

        bool wasPaused = pr.IsPaused;
        bool updated = pr.MaybeUpdate(m.Index);
        pr.FreeInflightTo(m.Index);
        if (!updated)
        {
            return;
        }

        switch (pr.State)
        {
            case ProgressState.Probe:
                pr.BecomeReplicate();
                break;
            case ProgressState.Snapshot when pr.Match >= pr.PendingSnapshot!.Index:
                pr.BecomeProbe();
                pr.BecomeReplicate();
                break;
        }

        if (MaybeCommit())
        {
            BroadcastAppend();
        }
        else if (wasPaused && _progress.ContainsKey(m.From))
        {
            // The replica was waiting on this answer: it may not know the commit index yet.
            SendAppend(m.From, pr, sendIfEmpty: true);
        }

        if (Role == RaftRole.Leader && _progress.ContainsKey(m.From))
        {
            while (SendAppend(m.From, pr, sendIfEmpty: false))
            {
            }
        }

        if (Role == RaftRole.Leader && m.From == _leadTransferee && pr.Match == _log.LastIndex)
        {
            SendTimeoutNow(m.From);
        }
    }

    private void HandleHeartbeatResponse(RaftMessage m, Progress pr)
    {
        pr.ProbeSent = false;
        if (pr.Match < _log.LastIndex)
        {
            pr.FreeOneIfFull();
            SendAppend(m.From, pr, sendIfEmpty: true);
        }

        if (m.Context == 0 || _pendingReads.Count == 0)
        {
            return;
        }

        foreach (PendingRead read in _pendingReads)
        {
            if (read.Sequence <= m.Context)
            {
                read.Acks[m.From] = true;
            }
        }

        // Acknowledgements for a round count for every earlier request too, so confirmed reads form a prefix.
        int released = 0;
        while (released < _pendingReads.Count && QuorumMath.Vote(Configuration, _pendingReads[released].Acks) == VoteResult.Won)
        {
            PendingRead read = _pendingReads[released];
            RespondToRead(read.Requester, read.Context, read.Index);
            released++;
        }

        _pendingReads.RemoveRange(0, released);
    }

    private void HandleSnapshotResponse(RaftMessage m, Progress pr)
    {
        if (pr.State != ProgressState.Snapshot || pr.PendingSnapshot!.Index != m.Index)
        {
            return;
        }

        pr.SnapshotIdleHeartbeats = 0;
        long total = pr.PendingSnapshot.Data.Length;
        if (m.Reject)
        {
            // The follower assembled an image whose checksum failed (damaged in transit): stream it again.
            pr.SnapshotAckedBytes = 0;
            SendSnapshotChunk(m.From, pr);
            return;
        }

        if (m.RejectHint > (ulong)total || (long)m.RejectHint == pr.SnapshotAckedBytes)
        {
            return;
        }

        pr.SnapshotAckedBytes = (long)m.RejectHint;
        if (pr.SnapshotAckedBytes < total)
        {
            SendSnapshotChunk(m.From, pr);
        }
    }

    private void BroadcastAppend()
    {
        foreach (ulong id in Configuration.AllVoters())
        {
            if (id != Id && _progress.TryGetValue(id, out Progress? pr))
            {
                SendAppend(id, pr, sendIfEmpty: true);
            }
        }
    }

    private void BroadcastHeartbeat(ulong context)
    {
        foreach (ulong id in Configuration.AllVoters())
        {
            if (id != Id && _progress.TryGetValue(id, out Progress? pr))
            {
                Send(new RaftMessage
                {
                    Type = RaftMessageType.Heartbeat,
                    From = Id,
                    To = id,
                    Term = Term,
                    Commit = Math.Min(pr.Match, _log.Committed),
                    Context = context,
                    LeaseTick = _ticks,
                });
            }
        }
    }

    /// <summary>Sends the entries <paramref name="to"/> lacks (or starts a snapshot); false when nothing was sent.</summary>
    private bool SendAppend(ulong to, Progress pr, bool sendIfEmpty)
    {
        if (pr.IsPaused)
        {
            return false;
        }

        ulong previousIndex = pr.Next - 1;
        if (pr.Next < _log.FirstIndex || !_log.TryGetTerm(previousIndex, out ulong previousTerm))
        {
            return StartSnapshot(to, pr);
        }

        _scratch.Clear();
        if (pr.Next <= _log.LastIndex)
        {
            _log.Slice(pr.Next, _log.LastIndex + 1, _options.MessageSizeBytesMax, _scratch);
        }

        if (_scratch.Count == 0 && !sendIfEmpty)
        {
            return false;
        }

        LogEntry[] entries = [.. _scratch];
        Send(new RaftMessage
        {
            Type = RaftMessageType.Append,
            From = Id,
            To = to,
            Term = Term,
            Index = previousIndex,
            LogTerm = previousTerm,
            Entries = entries,
            Commit = _log.Committed,
            LeaseTick = _ticks,
        });
        pr.SentEntries(entries.Length > 0 ? entries[^1].Index : previousIndex, entries.Length);
        return true;
    }

    private bool StartSnapshot(ulong to, Progress pr)
    {
        RaftSnapshot snapshot = _log.Snapshot;
        if (!pr.RecentActive || snapshot.IsEmpty)
        {
            return false;
        }

        pr.BecomeSnapshot(snapshot);
        SendSnapshotChunk(to, pr);
        return true;
    }

    private void SendSnapshotChunk(ulong to, Progress pr)
    {
        RaftSnapshot snapshot = pr.PendingSnapshot!;
        int offset = (int)pr.SnapshotAckedBytes;
        int length = Math.Min(_options.SnapshotChunkSizeBytes, snapshot.Data.Length - offset);
        var chunk = new SnapshotChunk(snapshot.Index, snapshot.Term, snapshot.Configuration, snapshot.Data.Length,
            snapshot.Checksum, offset, snapshot.Data.Slice(offset, length));
        Send(new RaftMessage { Type = RaftMessageType.Snapshot, From = Id, To = to, Term = Term, Chunk = chunk });
    }

    private void RetransmitSnapshots()
    {
        foreach (ulong id in Configuration.AllVoters())
        {
            if (id != Id && _progress.TryGetValue(id, out Progress? pr) && pr.State == ProgressState.Snapshot
                && ++pr.SnapshotIdleHeartbeats >= 2)
            {
                pr.SnapshotIdleHeartbeats = 0;
                SendSnapshotChunk(id, pr);
            }
        }
    }

    private void SendTimeoutNow(ulong target)
    {
        // The target will campaign past every follower's lease, so this leader's lease ends now for good.
        _leaseRevoked = true;
        Send(new RaftMessage { Type = RaftMessageType.TimeoutNow, From = Id, To = target, Term = Term });
    }

    private ulong AppendEntry(LogEntryKind kind, ReadOnlyMemory<byte> data)
    {
        ulong index = _log.LastIndex + 1;
        _log.AppendOne(new LogEntry(index, Term, kind, data));
        if (kind == LogEntryKind.ConfigChange)
        {
            _configEntryIndexes.Add(index);
        }

        if (_progress.TryGetValue(Id, out Progress? self))
        {
            self.MaybeUpdate(index);
        }

        MaybeCommit();
        return index;
    }

    /// <summary>Advances the commit index to what the quorums hold, if that entry is of this term (Raft 5.4.2).</summary>
    private bool MaybeCommit()
    {
        ulong quorumIndex = QuorumMath.CommittedIndex(Configuration, _progress);
        if (quorumIndex == ulong.MaxValue || quorumIndex <= _log.Committed || !_log.TryGetTerm(quorumIndex, out ulong term) || term != Term)
        {
            return false;
        }

        AdvanceCommitTo(quorumIndex);
        return true;
    }

    private void AdvanceCommitTo(ulong index)
    {
        ulong previous = _log.Committed;
        if (index <= previous)
        {
            return;
        }

        _log.CommitTo(index);
        ApplyConfigurationChanges(index);
        MaybeLeaveJoint();
    }

    /// <summary>
    /// A leader in joint consensus with no change pending appends the leave-joint entry. This covers both the leader
    /// that committed the enter-joint entry and a leader elected after it committed (whose predecessor never got to
    /// append the leave-joint, or whose leave-joint was lost uncommitted).
    /// </summary>
    private void MaybeLeaveJoint()
    {
        if (Role != RaftRole.Leader || !Configuration.IsJoint || _pendingConfigIndex > _log.Committed)
        {
            return;
        }

        // Every caller that can commit on a leader broadcasts afterwards, which carries this entry too.
        _pendingConfigIndex = _log.LastIndex + 1;
        AppendEntry(LogEntryKind.ConfigChange, ConfigChange.LeaveJoint().Encode());
    }

    /// <summary>
    /// Configuration changes take effect when committed, on every replica, in log order. Only the entries known to be
    /// configuration changes (<see cref="_configEntryIndexes"/>) are read back from the log.
    /// </summary>
    private void ApplyConfigurationChanges(ulong throughIndex)
    {
        bool changed = false;
        var one = new List<LogEntry>(1);
        while (_configEntryIndexes.Count > 0 && _configEntryIndexes[0] <= throughIndex)
        {
            ulong index = _configEntryIndexes[0];
            _configEntryIndexes.RemoveAt(0);
            one.Clear();
            _log.Slice(index, index + 1, long.MaxValue, one);
            LogEntry entry = one[0];
            ConfigChange change;
            try
            {
                change = ConfigChange.Decode(entry.Data.Span);
            }
            catch (DaosException)
            {
                // Every replica holds the same committed bytes and skips the same entry, so they stay in agreement.
                continue;
            }

            RaftConfiguration? next = Configuration.TryApply(change);
            if (next is null)
            {
                continue;
            }

            RecordConfiguration(entry.Index, next);
            changed = true;
        }

        if (changed && Role == RaftRole.Leader)
        {
            OnLeaderConfigurationChanged();
        }
    }

    private void OnLeaderConfigurationChanged()
    {
        if (!IsPromotable)
        {
            // Removed from the group: step down and let the remaining voters elect a leader.
            BecomeFollower(Term, 0);
            return;
        }

        foreach (ulong id in Configuration.AllVoters())
        {
            if (!_progress.ContainsKey(id))
            {
                _progress[id] = new Progress(0, _log.LastIndex + 1, _options.InflightMessagesMax) { RecentActive = true };
            }
        }

        var removed = new List<ulong>();
        foreach (ulong id in _progress.Keys)
        {
            if (!Configuration.IsVoter(id))
            {
                removed.Add(id);
            }
        }

        foreach (ulong id in removed)
        {
            _progress.Remove(id);
        }

        if (_leadTransferee != 0 && !Configuration.IsVoter(_leadTransferee))
        {
            _leadTransferee = 0;
        }

        // The quorum changed: entries may now be committed, and new members need the log.
        MaybeCommit();
        BroadcastAppend();
    }

    private ReadRequestStatus LeaderRead(ulong context, ulong requester)
    {
        if (!_log.TryGetTerm(_log.Committed, out ulong committedTerm) || committedTerm != Term)
        {
            // Until an entry of this term commits, the commit index may lag the previous leader's.
            return ReadRequestStatus.NotReady;
        }

        if (_options.ReadOnlyMode == ReadOnlyMode.LeaseBased && IsLeaseValid())
        {
            RespondToRead(requester, context, _log.Committed);
            return ReadRequestStatus.Accepted;
        }

        if (QuorumMath.Vote(Configuration, _selfVote) == VoteResult.Won)
        {
            RespondToRead(requester, context, _log.Committed);
            return ReadRequestStatus.Accepted;
        }

        if (_pendingReads.Count >= _options.PendingReadsMax)
        {
            return ReadRequestStatus.Busy;
        }

        var read = new PendingRead(++_readSequence, context, requester, _log.Committed);
        read.Acks[Id] = true;
        _pendingReads.Add(read);
        BroadcastHeartbeat(read.Sequence);
        return ReadRequestStatus.Accepted;
    }

    /// <summary>
    /// The lease holds while a quorum acknowledged a message this leader sent less than an election timeout ago,
    /// with two ticks of margin: each of those followers ignores vote requests for an election timeout after
    /// receiving it, so no other leader can exist yet.
    /// </summary>
    private bool IsLeaseValid()
    {
        if (_leaseRevoked || _leadTransferee != 0 || !_progress.TryGetValue(Id, out Progress? self))
        {
            return false;
        }

        self.LeaseAckTick = _ticks;
        ulong leaseStart = QuorumMath.LeaseIndex(Configuration, _progress);
        return leaseStart != 0 && leaseStart != ulong.MaxValue && _ticks + 2 < leaseStart + (ulong)_options.ElectionTicks;
    }

    private void RespondToRead(ulong requester, ulong context, ulong index)
    {
        if (requester == Id)
        {
            _readStates.Add(new ReadState(index, context));
        }
        else
        {
            Send(new RaftMessage { Type = RaftMessageType.ReadIndexResponse, From = Id, To = requester, Term = Term, Index = index, Context = context });
        }
    }
}

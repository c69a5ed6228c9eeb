namespace Daos.Engine.Rdb.Raft;

public sealed partial class RaftNode
{
    private void BecomeFollower(ulong term, ulong leader)
    {
        Reset(term);
        Role = RaftRole.Follower;
        LeaderId = leader;
    }

    private void BecomePreCandidate()
    {
        // Pre-vote changes neither the term nor the vote: a replica that cannot win leaves no trace.
        Role = RaftRole.PreCandidate;
        LeaderId = 0;
        _votes.Clear();
    }

    private void BecomeCandidate()
    {
        Reset(Term + 1);
        VotedFor = Id;
        Role = RaftRole.Candidate;
    }

    private void BecomeLeader()
    {
        Reset(Term);
        Role = RaftRole.Leader;
        LeaderId = Id;
        _progress.Clear();
        foreach (ulong id in Configuration.AllVoters())
        {
            _progress[id] = new Progress(0, _log.LastIndex + 1, _options.InflightMessagesMax) { RecentActive = true };
        }

        if (_progress.TryGetValue(Id, out Progress? self))
        {
            self.MaybeUpdate(_log.LastIndex);
            self.BecomeReplicate();
        }

        // Any configuration change in the uncommitted tail may still be pending; and a leader must commit an entry
        // of its own term before it changes the configuration (the single-server change fix, Ongaro 2015).
        _pendingConfigIndex = _log.LastIndex + 1;
        AppendEntry(LogEntryKind.Normal, ReadOnlyMemory<byte>.Empty);
    }

    private void Reset(ulong term)
    {
        if (Term != term)
        {
            Term = term;
            VotedFor = 0;
        }

        LeaderId = 0;
        _electionElapsed = 0;
        _heartbeatElapsed = 0;
        _randomizedElectionTimeout = _options.ElectionTicks + _random.Next(_options.ElectionTicks);
        _leadTransferee = 0;
        _transferElapsed = 0;
        _leaseRevoked = false;
        _votes.Clear();
        _pendingReads.Clear();
    }

    private void StartElection(bool transfer)
    {
        if (Role == RaftRole.Leader || !IsPromotable)
        {
            return;
        }

        if (_options.PreVote && !transfer)
        {
            RunCampaign(preVote: true, transfer: false);
        }
        else
        {
            RunCampaign(preVote: false, transfer);
        }
    }

    private void RunCampaign(bool preVote, bool transfer)
    {
        ulong voteTerm;
        if (preVote)
        {
            BecomePreCandidate();
            voteTerm = Term + 1;
        }
        else
        {
            BecomeCandidate();
            voteTerm = Term;
        }

        _votes[Id] = true;
        if (QuorumMath.Vote(Configuration, _votes) == VoteResult.Won)
        {
            WinElection(preVote);
            return;
        }

        ulong lastIndex = _log.LastIndex;
        ulong lastTerm = _log.LastTerm;
        foreach (ulong id in Configuration.AllVoters())
        {
            if (id == Id)
            {
                continue;
            }

            Send(new RaftMessage
            {
                Type = preVote ? RaftMessageType.PreVote : RaftMessageType.Vote,
                From = Id,
                To = id,
                Term = voteTerm,
                Index = lastIndex,
                LogTerm = lastTerm,
                Transfer = transfer,
            });
        }
    }

    private void WinElection(bool preVote)
    {
        if (preVote)
        {
            RunCampaign(preVote: false, transfer: false);
        }
        else
        {
            BecomeLeader();
            BroadcastAppend();
        }
    }

    private void HandleVoteRequest(RaftMessage m)
    {
        bool preVote = m.Type == RaftMessageType.PreVote;
        RaftMessageType responseType = preVote ? RaftMessageType.PreVoteResponse : RaftMessageType.VoteResponse;

        // We can vote for the replica we already voted for (a retransmission), for anyone when we have neither voted
        // nor know a leader in this term, and, in a pre-vote, for a future term.
        bool canVote = VotedFor == m.From || (VotedFor == 0 && LeaderId == 0) || (preVote && m.Term > Term);
        if (canVote && _log.IsUpToDate(m.Index, m.LogTerm))
        {
            // The granted response carries the requested term, so the candidate counts it even before we move there.
            Send(new RaftMessage { Type = responseType, From = Id, To = m.From, Term = m.Term });
            if (!preVote)
            {
                _electionElapsed = 0;
                VotedFor = m.From;
            }
        }
        else
        {
            Send(new RaftMessage { Type = responseType, From = Id, To = m.From, Term = Term, Reject = true });
        }
    }

    private void HandleVoteResponse(RaftMessage m)
    {
        bool expected = (Role == RaftRole.PreCandidate && m.Type == RaftMessageType.PreVoteResponse)
            || (Role == RaftRole.Candidate && m.Type == RaftMessageType.VoteResponse);
        if (!expected)
        {
            return;
        }

        _votes.TryAdd(m.From, !m.Reject);
        switch (QuorumMath.Vote(Configuration, _votes))
        {
            case VoteResult.Won:
                WinElection(Role == RaftRole.PreCandidate);
                break;
            case VoteResult.Lost:
                BecomeFollower(Term, 0);
                break;
        }
    }
}

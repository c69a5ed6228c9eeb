namespace Daos.Engine.Rdb.Raft;

/// <summary>
/// Quorum arithmetic for majority and joint configurations: the highest index a quorum holds, and election tallies.
/// An empty voter set agrees to anything, which makes the joint rules reduce to the simple ones.
/// </summary>
internal static class QuorumMath
{
    /// <summary>
    /// The largest value that a majority of <paramref name="values"/> is at least: sorts the span ascending and takes
    /// the element with exactly a majority at or above it. <see cref="ulong.MaxValue"/> for an empty span.
    /// </summary>
    public static ulong MajorityIndex(Span<ulong> values)
    {
        if (values.Length == 0)
        {
            return ulong.MaxValue;
        }

        values.Sort();
        int quorum = (values.Length / 2) + 1;
        return values[values.Length - quorum];
    }

    /// <summary>The index both majorities hold: the smaller of the two.</summary>
    public static ulong JointIndex(Span<ulong> incoming, Span<ulong> outgoing) =>
        Math.Min(MajorityIndex(incoming), MajorityIndex(outgoing));

    /// <summary>The commit index the configuration's quorums hold, given each voter's match index.</summary>
    public static ulong CommittedIndex(RaftConfiguration configuration, Dictionary<ulong, Progress> progress)
    {
        Span<ulong> incoming = stackalloc ulong[configuration.Voters.Count];
        Span<ulong> outgoing = stackalloc ulong[configuration.OutgoingVoters.Count];
        Fill(configuration.Voters, progress, incoming, static p => p.Match);
        Fill(configuration.OutgoingVoters, progress, outgoing, static p => p.Match);
        return JointIndex(incoming, outgoing);
    }

    /// <summary>The newest leader tick a quorum has acknowledged (0 when none).</summary>
    public static ulong LeaseIndex(RaftConfiguration configuration, Dictionary<ulong, Progress> progress)
    {
        Span<ulong> incoming = stackalloc ulong[configuration.Voters.Count];
        Span<ulong> outgoing = stackalloc ulong[configuration.OutgoingVoters.Count];
        Fill(configuration.Voters, progress, incoming, static p => p.LeaseAckTick);
        Fill(configuration.OutgoingVoters, progress, outgoing, static p => p.LeaseAckTick);
        return JointIndex(incoming, outgoing);
    }

    /// <summary>The tally of a majority of <paramref name="voters"/>, given the votes received so far.</summary>
    public static VoteResult MajorityVote(IReadOnlyList<ulong> voters, Dictionary<ulong, bool> votes)
    {
        if (voters.Count == 0)
        {
            return VoteResult.Won;
        }

        int granted = 0;
        int missing = 0;
        foreach (ulong id in voters)
        {
            if (!votes.TryGetValue(id, out bool vote))
            {
                missing++;
            }
            else if (vote)
            {
                granted++;
            }
        }

        int quorum = (voters.Count / 2) + 1;
        return granted >= quorum ? VoteResult.Won : granted + missing >= quorum ? VoteResult.Pending : VoteResult.Lost;
    }

    /// <summary>The tally of a possibly joint configuration: won only when both sets are won.</summary>
    public static VoteResult Vote(RaftConfiguration configuration, Dictionary<ulong, bool> votes)
    {
        VoteResult incoming = MajorityVote(configuration.Voters, votes);
        VoteResult outgoing = MajorityVote(configuration.OutgoingVoters, votes);
        if (incoming == outgoing)
        {
            return incoming;
        }

        return incoming == VoteResult.Lost || outgoing == VoteResult.Lost ? VoteResult.Lost : VoteResult.Pending;
    }

    /// <summary>True when the replicas marked active form a quorum.</summary>
    public static bool IsQuorumActive(RaftConfiguration configuration, Dictionary<ulong, Progress> progress, ulong self)
    {
        var votes = new Dictionary<ulong, bool>();
        foreach (ulong id in configuration.AllVoters())
        {
            votes[id] = id == self || (progress.TryGetValue(id, out Progress? p) && p.RecentActive);
        }

        return Vote(configuration, votes) == VoteResult.Won;
    }

    private static void Fill(IReadOnlyList<ulong> voters, Dictionary<ulong, Progress> progress, Span<ulong> destination,
        Func<Progress, ulong> select)
    {
        for (int i = 0; i < voters.Count; i++)
        {
            destination[i] = progress.TryGetValue(voters[i], out Progress? p) ? select(p) : 0;
        }
    }
}

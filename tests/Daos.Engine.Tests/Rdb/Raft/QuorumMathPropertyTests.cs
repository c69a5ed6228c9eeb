using Daos.Engine.Rdb.Raft;

namespace Daos.Engine.Tests.Rdb.Raft;

/// <summary>
/// Commit-index and vote arithmetic against deliberately naive references: "the largest index that a majority of
/// each voter set holds", found by trying every candidate value.
/// </summary>
public sealed class QuorumMathPropertyTests
{
    private const int Cases = 50_000;

    [Fact]
    public void Committed_index_matches_the_naive_reference_over_50000_configurations()
    {
        const ulong seed = 0x5EED_0001;
        var random = new DeterministicRandom(seed);
        for (int c = 0; c < Cases; c++)
        {
            bool joint = random.Chance(0.4);
            RaftConfiguration configuration = RandomConfiguration(random, joint);
            var progress = new Dictionary<ulong, Progress>();
            var match = new Dictionary<ulong, ulong>();
            ulong spread = (ulong)random.Next(1, 20);
            foreach (ulong id in configuration.AllVoters())
            {
                if (random.Chance(0.05))
                {
                    continue; // A voter the leader does not track yet counts as holding nothing.
                }

                ulong index = random.NextUInt64(spread);
                match[id] = index;
                var p = new Progress(0, 1, 8);
                p.MaybeUpdate(index);
                progress[id] = p;
            }

            ulong expected = NaiveCommitted(configuration, match);
            ulong actual = QuorumMath.CommittedIndex(configuration, progress);
            Assert.True(expected == actual,
                $"seed {seed:x} case {c}: {configuration} match [{string.Join(" ", match.Select(p => $"{p.Key}:{p.Value}"))}] expected {expected}, got {actual}");
        }
    }

    [Fact]
    public void Vote_tally_matches_the_naive_reference_over_50000_elections()
    {
        const ulong seed = 0x5EED_0002;
        var random = new DeterministicRandom(seed);
        for (int c = 0; c < Cases; c++)
        {
            RaftConfiguration configuration = RandomConfiguration(random, random.Chance(0.4));
            var votes = new Dictionary<ulong, bool>();
            foreach (ulong id in configuration.AllVoters())
            {
                int choice = random.Next(3);
                if (choice < 2)
                {
                    votes[id] = choice == 0;
                }
            }

            if (random.Chance(0.1))
            {
                votes[999] = true; // A vote from outside the configuration never counts.
            }

            VoteResult expected = NaiveVote(configuration, votes);
            VoteResult actual = QuorumMath.Vote(configuration, votes);
            Assert.True(expected == actual, $"seed {seed:x} case {c}: {configuration} votes [{string.Join(" ", votes)}] expected {expected}, got {actual}");
        }
    }

    [Fact]
    public void Majority_index_of_small_spans_matches_hand_computed_values()
    {
        Assert.Equal(ulong.MaxValue, QuorumMath.MajorityIndex([]));
        Assert.Equal(5UL, QuorumMath.MajorityIndex([5]));
        Assert.Equal(3UL, QuorumMath.MajorityIndex([3, 9]));
        Assert.Equal(4UL, QuorumMath.MajorityIndex([9, 1, 4]));
        Assert.Equal(2UL, QuorumMath.MajorityIndex([1, 2, 3, 2]));
        Assert.Equal(3UL, QuorumMath.MajorityIndex([5, 1, 3, 7, 2]));
    }

    private static RaftConfiguration RandomConfiguration(DeterministicRandom random, bool joint)
    {
        var voters = new List<ulong>();
        int count = random.Next(1, 10);
        while (voters.Count < count)
        {
            ulong id = (ulong)random.Next(1, 16);
            if (!voters.Contains(id))
            {
                voters.Add(id);
            }
        }

        if (!joint)
        {
            return new RaftConfiguration(voters);
        }

        var outgoing = new List<ulong>();
        int outgoingCount = random.Next(1, 10);
        while (outgoing.Count < outgoingCount)
        {
            ulong id = (ulong)random.Next(1, 16);
            if (!outgoing.Contains(id))
            {
                outgoing.Add(id);
            }
        }

        return new RaftConfiguration(voters, outgoing);
    }

    private static ulong NaiveCommitted(RaftConfiguration configuration, Dictionary<ulong, ulong> match)
    {
        var candidates = new SortedSet<ulong> { 0 };
        foreach (ulong value in match.Values)
        {
            candidates.Add(value);
        }

        ulong best = 0;
        foreach (ulong candidate in candidates)
        {
            if (HeldByMajority(configuration.Voters, match, candidate)
                && (!configuration.IsJoint || HeldByMajority(configuration.OutgoingVoters, match, candidate)))
            {
                best = Math.Max(best, candidate);
            }
        }

        return best;
    }

    private static bool HeldByMajority(IReadOnlyList<ulong> voters, Dictionary<ulong, ulong> match, ulong index)
    {
        int holding = voters.Count(v => match.TryGetValue(v, out ulong m) && m >= index);
        return holding * 2 > voters.Count;
    }

    private static VoteResult NaiveVote(RaftConfiguration configuration, Dictionary<ulong, bool> votes)
    {
        VoteResult One(IReadOnlyList<ulong> voters)
        {
            if (voters.Count == 0)
            {
                return VoteResult.Won;
            }

            int yes = voters.Count(v => votes.TryGetValue(v, out bool b) && b);
            int no = voters.Count(v => votes.TryGetValue(v, out bool b) && !b);
            if (yes * 2 > voters.Count)
            {
                return VoteResult.Won;
            }

            return no * 2 >= voters.Count ? VoteResult.Lost : VoteResult.Pending;
        }

        VoteResult a = One(configuration.Voters);
        VoteResult b = One(configuration.OutgoingVoters);
        if (a == VoteResult.Lost || b == VoteResult.Lost)
        {
            return VoteResult.Lost;
        }

        return a == VoteResult.Won && b == VoteResult.Won ? VoteResult.Won : VoteResult.Pending;
    }
}

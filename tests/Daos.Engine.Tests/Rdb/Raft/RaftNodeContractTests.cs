using System.Text;
using Daos.Engine.Rdb.Raft;

namespace Daos.Engine.Tests.Rdb.Raft;

/// <summary>The caller-facing contract of <see cref="RaftNode"/>: options, the Ready cycle, typed errors.</summary>
public sealed class RaftNodeContractTests
{
    private static RaftNode SingleVoter(out MemoryRaftLogStorage storage, RaftOptions? options = null)
    {
        storage = new MemoryRaftLogStorage(new RaftConfiguration([1]));
        return new RaftNode(options ?? new RaftOptions { ReplicaId = 1 }, storage, new DeterministicRandom(1));
    }

    private static void Drain(RaftNode node, MemoryRaftLogStorage storage)
    {
        while (node.HasReady)
        {
            Ready ready = node.GetReady();
            if (ready.Snapshot is not null)
            {
                storage.ApplySnapshot(ready.Snapshot);
            }

            storage.Append(ready.Entries);
            if (ready.HardState is { } hardState)
            {
                storage.SetHardState(hardState);
            }

            node.Advance(ready);
        }
    }

    [Fact]
    public void Invalid_options_are_rejected()
    {
        var storage = new MemoryRaftLogStorage();
        var random = new DeterministicRandom(1);
        Assert.Equal(DaosError.InvalidArgument, Assert.Throws<DaosException>(() => new RaftNode(new RaftOptions { ReplicaId = 0 }, storage, random)).Error);
        Assert.Equal(DaosError.InvalidArgument, Assert.Throws<DaosException>(() => new RaftNode(new RaftOptions { ReplicaId = 1, ElectionTicks = 2, HeartbeatTicks = 2 }, storage, random)).Error);
        Assert.Equal(DaosError.InvalidArgument, Assert.Throws<DaosException>(() =>
            new RaftNode(new RaftOptions { ReplicaId = 1, CheckQuorum = false, ReadOnlyMode = ReadOnlyMode.LeaseBased }, storage, random)).Error);
        Assert.Equal(DaosError.InvalidArgument, Assert.Throws<DaosException>(() => new RaftNode(new RaftOptions { ReplicaId = 1, InflightMessagesMax = 0 }, storage, random)).Error);
    }

    [Fact]
    public void Restart_after_a_partly_persisted_ready_repairs_term_and_commit()
    {
        // Entries of term 5 reached the disk but the hard state (term 3, commit 9) did not catch up.
        var storage = new MemoryRaftLogStorage(new RaftConfiguration([1, 2, 3]));
        storage.Append([new LogEntry(2, 5, LogEntryKind.Normal, new byte[] { 1 })]);
        storage.SetHardState(new HardState(3, 2, 9));
        var node = new RaftNode(new RaftOptions { ReplicaId = 1 }, storage, new DeterministicRandom(1));
        Assert.Equal(5UL, node.Term);
        Assert.Equal(0UL, node.VotedFor);
        Assert.Equal(2UL, node.CommitIndex);
    }

    [Fact]
    public void Driving_the_node_with_a_ready_outstanding_is_a_caller_bug()
    {
        RaftNode node = SingleVoter(out _);
        Assert.True(node.HasReady);
        Ready ready = node.GetReady();
        Assert.Throws<InvalidOperationException>(node.Tick);
        Assert.Throws<InvalidOperationException>(() => node.Propose(new byte[1]));
        Assert.Throws<InvalidOperationException>(() => node.GetReady());
        node.Advance(ready);
        Assert.Throws<InvalidOperationException>(() => node.Advance(ready));
    }

    [Fact]
    public void Hard_state_and_entries_come_before_the_messages_that_depend_on_them()
    {
        // A candidate's Ready carries its new term and self-vote (MustSync) together with its vote requests.
        var storage = new MemoryRaftLogStorage(new RaftConfiguration([1, 2, 3]));
        var node = new RaftNode(new RaftOptions { ReplicaId = 1, PreVote = false }, storage, new DeterministicRandom(1));
        Drain(node, storage);
        node.Campaign();
        Ready ready = node.GetReady();
        Assert.Equal(new HardState(2, 1, 1), ready.HardState);
        Assert.True(ready.MustSync);
        Assert.All(ready.Messages, m => Assert.Equal(RaftMessageType.Vote, m.Type));
        Assert.Equal(2, ready.Messages.Count);
        node.Advance(ready);
    }

    [Fact]
    public void Single_voter_commits_and_applies_in_order()
    {
        RaftNode node = SingleVoter(out MemoryRaftLogStorage storage);
        Drain(node, storage);
        node.Campaign();
        Drain(node, storage);
        Assert.Equal(RaftRole.Leader, node.Role);
        var applied = new List<string>();
        for (int i = 0; i < 10; i++)
        {
            Assert.True(node.Propose(Encoding.UTF8.GetBytes($"e{i}")).IsAccepted);
        }

        while (node.HasReady)
        {
            Ready ready = node.GetReady();
            storage.Append(ready.Entries);
            if (ready.HardState is { } hs)
            {
                storage.SetHardState(hs);
            }

            foreach (LogEntry entry in ready.CommittedEntries)
            {
                if (entry.Kind == LogEntryKind.Normal && !entry.Data.IsEmpty)
                {
                    applied.Add(Encoding.UTF8.GetString(entry.Data.Span));
                }
            }

            node.Advance(ready);
        }

        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"e{i}"), applied);
        Assert.Equal(node.LastIndex, node.AppliedIndex);
    }

    [Fact]
    public void Rejected_proposals_carry_a_typed_error_with_the_leader_hint()
    {
        var storage = new MemoryRaftLogStorage(new RaftConfiguration([1, 2, 3]));
        var node = new RaftNode(new RaftOptions { ReplicaId = 2 }, storage, new DeterministicRandom(1));
        ProposalResult result = node.Propose(new byte[1]);
        Assert.Equal(ProposalStatus.NotLeader, result.Status);
        DaosException e = Assert.Throws<DaosException>(result.ThrowIfRejected);
        Assert.Equal(DaosError.NotLeader, e.Error);
    }

    [Fact]
    public void Uncommitted_backlog_is_bounded()
    {
        var storage = new MemoryRaftLogStorage(new RaftConfiguration([1, 2, 3]));
        var node = new RaftNode(new RaftOptions { ReplicaId = 1, PreVote = false, UncommittedEntriesMax = 4 }, storage, new DeterministicRandom(1));
        Drain(node, storage);
        node.Campaign();
        Drain(node, storage);
        node.Step(new RaftMessage { Type = RaftMessageType.VoteResponse, From = 2, To = 1, Term = 2 });
        Drain(node, storage);
        Assert.Equal(RaftRole.Leader, node.Role);
        int accepted = 0;
        ProposalResult last = default;
        for (int i = 0; i < 10; i++)
        {
            last = node.Propose(new byte[1]);
            accepted += last.IsAccepted ? 1 : 0;
        }

        Assert.Equal(3, accepted); // The leader's empty entry already counts as one uncommitted entry.
        Assert.Equal(ProposalStatus.Busy, last.Status);
    }

    private static RaftNode LeaderOfThree(out MemoryRaftLogStorage storage, int uncommittedEntriesMax = 4096)
    {
        storage = new MemoryRaftLogStorage(new RaftConfiguration([1, 2, 3]));
        var node = new RaftNode(new RaftOptions { ReplicaId = 1, PreVote = false, UncommittedEntriesMax = uncommittedEntriesMax }, storage, new DeterministicRandom(1));
        Drain(node, storage);
        node.Campaign();
        Drain(node, storage);
        node.Step(new RaftMessage { Type = RaftMessageType.VoteResponse, From = 2, To = 1, Term = 2 });
        Drain(node, storage);
        Assert.Equal(RaftRole.Leader, node.Role);

        // Both followers acknowledge the leader's empty entry, so their progress is in the replicate state.
        foreach (ulong follower in new ulong[] { 2, 3 })
        {
            node.Step(new RaftMessage { Type = RaftMessageType.AppendResponse, From = follower, To = 1, Term = 2, Index = node.LastIndex });
        }

        Drain(node, storage);
        Assert.Equal(node.LastIndex, node.CommitIndex);
        return node;
    }

    [Fact]
    public void A_batch_of_proposals_goes_to_each_follower_in_one_append_message()
    {
        RaftNode node = LeaderOfThree(out _);
        ulong first = node.LastIndex + 1;
        ReadOnlyMemory<byte>[] batch = [.. Enumerable.Range(0, 64).Select(i => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes($"w{i}"))];
        var results = new List<ProposalResult>();
        Assert.Equal(64, node.Propose(batch, results));
        Assert.Equal(Enumerable.Range(0, 64).Select(i => first + (ulong)i), results.Select(r => r.Index));
        Assert.All(results, r => Assert.Equal(node.Term, r.Term));

        Ready ready = node.GetReady();
        Assert.True(ready.MustSync);
        Assert.Equal(64, ready.Entries.Count);
        Assert.Equal(2, ready.Messages.Count);
        Assert.All(ready.Messages, m =>
        {
            Assert.Equal(RaftMessageType.Append, m.Type);
            Assert.Equal(first - 1, m.Index);
            Assert.Equal(batch.Select(b => Encoding.UTF8.GetString(b.Span)), m.Entries.Select(e => Encoding.UTF8.GetString(e.Data.Span)));
        });
        node.Advance(ready);
    }

    [Fact]
    public void A_batch_answers_each_proposal_as_single_proposals_would()
    {
        // At most four uncommitted entries (the leader's empty entry is committed): four accepted, then Busy, in order.
        RaftNode batched = LeaderOfThree(out _, uncommittedEntriesMax: 4);
        RaftNode single = LeaderOfThree(out _, uncommittedEntriesMax: 4);
        ReadOnlyMemory<byte>[] batch = [.. Enumerable.Range(0, 10).Select(i => (ReadOnlyMemory<byte>)new byte[] { (byte)i })];
        var results = new List<ProposalResult>();
        int accepted = batched.Propose(batch, results);
        Assert.Equal(batch.Select(b => single.Propose(b)), results);
        Assert.Equal(4, accepted);
        Assert.Equal(ProposalStatus.Busy, results[^1].Status);

        // A payload over the limit is a caller bug and leaves the log untouched.
        RaftNode strict = LeaderOfThree(out _);
        ulong last = strict.LastIndex;
        ReadOnlyMemory<byte>[] oversized = [new byte[1], new byte[(1 << 20) + 1]];
        Assert.Equal(DaosError.RecordTooBig, Assert.Throws<DaosException>(() => strict.Propose(oversized, [])).Error);
        Assert.Equal(last, strict.LastIndex);

        // A follower refuses the whole batch with the leader hint.
        var follower = new RaftNode(new RaftOptions { ReplicaId = 2 }, new MemoryRaftLogStorage(new RaftConfiguration([1, 2, 3])), new DeterministicRandom(1));
        results.Clear();
        Assert.Equal(0, follower.Propose(batch, results));
        Assert.All(results, r => Assert.Equal(ProposalStatus.NotLeader, r.Status));
    }

    [Fact]
    public void Snapshot_larger_than_the_receivers_bound_is_refused_without_allocating_it()
    {
        var storage = new MemoryRaftLogStorage();
        var node = new RaftNode(new RaftOptions { ReplicaId = 2, SnapshotSizeBytesMax = 1024 }, storage, new DeterministicRandom(1));
        var chunk = new SnapshotChunk(10, 3, new RaftConfiguration([1, 2, 3]), 1 << 20, 0, 0, new byte[16]);
        node.Step(new RaftMessage { Type = RaftMessageType.Snapshot, From = 1, To = 2, Term = 3, Chunk = chunk });
        Ready ready = node.GetReady();
        Assert.Null(ready.Snapshot);
        RaftMessage response = Assert.Single(ready.Messages);
        Assert.Equal(RaftMessageType.SnapshotResponse, response.Type);
        Assert.Equal(0UL, response.RejectHint);
        node.Advance(ready);
        Assert.Equal(0UL, node.CommitIndex);
    }

    [Fact]
    public void Snapshot_chunk_out_of_bounds_is_a_protocol_error()
    {
        var node = new RaftNode(new RaftOptions { ReplicaId = 2 }, new MemoryRaftLogStorage(), new DeterministicRandom(1));
        var chunk = new SnapshotChunk(10, 3, new RaftConfiguration([1, 2, 3]), 8, 0, 4, new byte[16]);
        DaosException e = Assert.Throws<DaosException>(() => node.Step(new RaftMessage { Type = RaftMessageType.Snapshot, From = 1, To = 2, Term = 3, Chunk = chunk }));
        Assert.Equal(DaosError.Protocol, e.Error);
        Assert.Equal(0UL, node.Term);
    }

    [Fact]
    public void Snapshot_with_a_checksum_that_does_not_match_is_rejected_and_nothing_is_installed()
    {
        var node = new RaftNode(new RaftOptions { ReplicaId = 2 }, new MemoryRaftLogStorage(), new DeterministicRandom(1));
        byte[] data = Encoding.UTF8.GetBytes("state machine image");
        ulong wrongChecksum = Crc64.Compute(data) ^ 1;
        var chunk = new SnapshotChunk(10, 3, new RaftConfiguration([1, 2, 3]), data.Length, wrongChecksum, 0, data);
        node.Step(new RaftMessage { Type = RaftMessageType.Snapshot, From = 1, To = 2, Term = 3, Chunk = chunk });
        Ready ready = node.GetReady();
        Assert.Null(ready.Snapshot);
        Assert.True(Assert.Single(ready.Messages).Reject);
        Assert.Equal(1, node.CorruptSnapshotsRejected);
        node.Advance(ready);
        Assert.Equal(0UL, node.CommitIndex);
        Assert.Equal(RaftConfiguration.Empty, node.Configuration);
    }
}

using Daos.Engine.Rdb.Raft;

namespace Daos.Engine.Tests.Rdb.Raft;

/// <summary>
/// Raft's safety properties, checked after every Ready a replica handles: at most one leader per term; an entry
/// known committed (by any replica's commit index) never changes or disappears from any replica's durable log; every
/// new leader holds every committed entry; replicas apply the same entry at each index, contiguously.
/// </summary>
internal sealed class SafetyChecker
{
    private readonly Dictionary<ulong, ulong> _leaderOfTerm = [];
    private readonly Dictionary<ulong, LogEntry> _committed = [];

    public long Checks { get; private set; }

    public void AfterReady(RaftCluster.Replica replica)
    {
        RaftNode node = replica.Node!;
        Checks++;
        if (node.Role == RaftRole.Leader)
        {
            if (_leaderOfTerm.TryGetValue(node.Term, out ulong other) && other != node.Id)
            {
                Fail($"two leaders in term {node.Term}: {other} and {node.Id}");
            }

            _leaderOfTerm[node.Term] = node.Id;
            if (replica.LastCheckedRole != RaftRole.Leader)
            {
                CheckLeaderCompleteness(replica);
            }
        }

        replica.LastCheckedRole = node.Role;

        // Everything up to the commit index is durable (the Ready was persisted) and must agree with what is known.
        MemoryRaftLogStorage storage = replica.Storage;
        ulong from = Math.Max(replica.CheckedCommit, storage.Snapshot.Index) + 1;
        ulong through = Math.Min(node.CommitIndex, storage.LastIndex);
        if (node.CommitIndex > storage.LastIndex)
        {
            Fail($"replica {node.Id} commit {node.CommitIndex} is beyond its durable log {storage.LastIndex}");
        }

        IReadOnlyList<LogEntry> entries = storage.Entries;
        ulong offset = storage.FirstIndex;
        for (ulong index = from; index <= through; index++)
        {
            Record(node.Id, entries[(int)(index - offset)], "committed");
        }

        replica.CheckedCommit = Math.Max(replica.CheckedCommit, through);
    }

    public void OnApply(RaftCluster.Replica replica, LogEntry entry) => Record(replica.Id, entry, "applied");

    public void OnSnapshotInstalled(RaftCluster.Replica replica, RaftSnapshot snapshot)
    {
        if (_committed.TryGetValue(snapshot.Index, out LogEntry known) && known.Term != snapshot.Term)
        {
            Fail($"replica {replica.Id} installed snapshot {snapshot.Index}/{snapshot.Term} but {snapshot.Index}/{known.Term} is committed");
        }
    }

    public ulong HighestCommitted => _committed.Count == 0 ? 0 : _committed.Keys.Max();

    private void CheckLeaderCompleteness(RaftCluster.Replica replica)
    {
        MemoryRaftLogStorage storage = replica.Storage;
        IReadOnlyList<LogEntry> entries = storage.Entries;
        foreach ((ulong index, LogEntry known) in _committed)
        {
            if (index <= storage.Snapshot.Index)
            {
                continue;
            }

            if (index > storage.LastIndex)
            {
                Fail($"leader {replica.Id} (term {replica.Node!.Term}) lacks committed entry {index}/{known.Term}: its log ends at {storage.LastIndex}");
            }

            LogEntry mine = entries[(int)(index - storage.FirstIndex)];
            if (!Same(mine, known))
            {
                Fail($"leader {replica.Id} holds {mine} where {known} is committed");
            }
        }
    }

    private void Record(ulong replicaId, LogEntry entry, string how)
    {
        if (_committed.TryGetValue(entry.Index, out LogEntry known))
        {
            if (!Same(known, entry))
            {
                Fail($"replica {replica(replicaId)} {how} {entry} but {known} was committed at that index");
            }
        }
        else
        {
            _committed[entry.Index] = entry;
        }

        static string replica(ulong id) => id.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    private static bool Same(LogEntry a, LogEntry b) =>
        a.Index == b.Index && a.Term == b.Term && a.Kind == b.Kind && a.Data.Span.SequenceEqual(b.Data.Span);

    private static void Fail(string message) => throw new SafetyViolationException(message);
}

internal sealed class SafetyViolationException(string message) : Exception(message);

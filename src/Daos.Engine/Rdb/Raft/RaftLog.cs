namespace Daos.Engine.Rdb.Raft;

/// <summary>
/// The node's view of its log: the durable part in <see cref="IRaftLogStorage"/>, then entries (or a snapshot) that a
/// <see cref="Ready"/> has handed out but the caller has not yet confirmed persisted. Tracks the commit and applied
/// indexes. Single-threaded, owned by one <see cref="RaftNode"/>.
/// </summary>
internal sealed class RaftLog
{
    private readonly IRaftLogStorage _storage;
    private readonly List<LogEntry> _unstable = [];
    private ulong _unstableOffset;
    private RaftSnapshot? _unstableSnapshot;

    public RaftLog(IRaftLogStorage storage)
    {
        _storage = storage;
        _unstableOffset = storage.LastIndex + 1;
        Committed = storage.FirstIndex - 1;
        Applied = storage.FirstIndex - 1;
    }

    public ulong Committed { get; private set; }

    public ulong Applied { get; set; }

    public RaftSnapshot? UnstableSnapshot => _unstableSnapshot;

    public int UnstableCount => _unstable.Count;

    public ulong FirstIndex => _unstableSnapshot is not null ? _unstableSnapshot.Index + 1 : _storage.FirstIndex;

    public ulong LastIndex =>
        _unstable.Count > 0 ? _unstableOffset + (ulong)_unstable.Count - 1
        : _unstableSnapshot is not null ? _unstableSnapshot.Index
        : _storage.LastIndex;

    public ulong LastTerm => TryGetTerm(LastIndex, out ulong term) ? term : 0;

    /// <summary>The storage snapshot, or the pending one.</summary>
    public RaftSnapshot Snapshot => _unstableSnapshot ?? _storage.Snapshot;

    public bool TryGetTerm(ulong index, out ulong term)
    {
        term = 0;
        if (index + 1 < FirstIndex || index > LastIndex)
        {
            return false;
        }

        if (_unstableSnapshot is not null && index == _unstableSnapshot.Index)
        {
            term = _unstableSnapshot.Term;
            return true;
        }

        if (index >= _unstableOffset && index < _unstableOffset + (ulong)_unstable.Count)
        {
            term = _unstable[(int)(index - _unstableOffset)].Term;
            return true;
        }

        if (_unstableSnapshot is not null)
        {
            return false;
        }

        return _storage.TryGetTerm(index, out term);
    }

    public bool MatchTerm(ulong index, ulong term) => TryGetTerm(index, out ulong actual) && actual == term;

    public bool IsUpToDate(ulong lastIndex, ulong lastTerm)
    {
        ulong myTerm = LastTerm;
        return lastTerm > myTerm || (lastTerm == myTerm && lastIndex >= LastIndex);
    }

    /// <summary>The index of the first entry of <paramref name="entries"/> that is new or conflicts; 0 if all are held.</summary>
    public ulong FindConflict(IReadOnlyList<LogEntry> entries)
    {
        foreach (LogEntry entry in entries)
        {
            if (!MatchTerm(entry.Index, entry.Term))
            {
                return entry.Index;
            }
        }

        return 0;
    }

    /// <summary>Appends entries (already validated by the caller), replacing any conflicting suffix.</summary>
    public void Append(IReadOnlyList<LogEntry> entries, int start)
    {
        if (start >= entries.Count)
        {
            return;
        }

        ulong first = entries[start].Index;
        if (first == _unstableOffset + (ulong)_unstable.Count)
        {
            // Plain append.
        }
        else if (first <= _unstableOffset)
        {
            _unstable.Clear();
            _unstableOffset = first;
        }
        else
        {
            _unstable.RemoveRange((int)(first - _unstableOffset), _unstable.Count - (int)(first - _unstableOffset));
        }

        for (int i = start; i < entries.Count; i++)
        {
            _unstable.Add(entries[i]);
        }
    }

    public void AppendOne(LogEntry entry)
    {
        if (_unstable.Count == 0)
        {
            _unstableOffset = entry.Index;
        }

        _unstable.Add(entry);
    }

    public void CommitTo(ulong index)
    {
        if (index > Committed)
        {
            Committed = index;
        }
    }

    /// <summary>Entries [<paramref name="lowIndex"/>, <paramref name="highIndexExclusive"/>), at least one, bounded by size.</summary>
    public void Slice(ulong lowIndex, ulong highIndexExclusive, long sizeBytesMax, List<LogEntry> destination)
    {
        if (lowIndex >= highIndexExclusive)
        {
            return;
        }

        int startCount = destination.Count;
        if (lowIndex < _unstableOffset && _unstableSnapshot is null)
        {
            ulong storageHigh = Math.Min(highIndexExclusive, _unstableOffset);
            _storage.GetEntries(lowIndex, storageHigh, sizeBytesMax, destination);
            if ((ulong)(destination.Count - startCount) < storageHigh - lowIndex)
            {
                return;
            }
        }

        long size = 0;
        for (int i = startCount; i < destination.Count; i++)
        {
            size += destination[i].SizeBytes;
        }

        ulong from = Math.Max(lowIndex, _unstableOffset);
        for (ulong index = from; index < highIndexExclusive; index++)
        {
            LogEntry entry = _unstable[(int)(index - _unstableOffset)];
            size += entry.SizeBytes;
            if (destination.Count > startCount && size > sizeBytesMax)
            {
                return;
            }

            destination.Add(entry);
        }
    }

    public void NextCommitted(long sizeBytesMax, List<LogEntry> destination)
    {
        ulong low = Math.Max(Applied + 1, FirstIndex);
        if (low <= Committed)
        {
            Slice(low, Committed + 1, sizeBytesMax, destination);
        }
    }

    public bool HasNextCommitted => Math.Max(Applied + 1, FirstIndex) <= Committed;

    public void CopyUnstable(List<LogEntry> destination) => destination.AddRange(_unstable);

    /// <summary>The caller persisted entries up to <paramref name="index"/> (with <paramref name="term"/>).</summary>
    public void StableTo(ulong index, ulong term)
    {
        if (index < _unstableOffset || index >= _unstableOffset + (ulong)_unstable.Count)
        {
            return;
        }

        if (_unstable[(int)(index - _unstableOffset)].Term != term)
        {
            return; // Replaced since that Ready was handed out; the newer entries are still unstable.
        }

        int count = (int)(index - _unstableOffset) + 1;
        _unstable.RemoveRange(0, count);
        _unstableOffset = index + 1;
    }

    public void StableSnapshotTo(ulong index)
    {
        if (_unstableSnapshot is not null && _unstableSnapshot.Index == index)
        {
            _unstableSnapshot = null;
        }
    }

    /// <summary>Replaces the whole log with <paramref name="snapshot"/>, pending persistence by the caller.</summary>
    public void Restore(RaftSnapshot snapshot)
    {
        Committed = snapshot.Index;
        _unstable.Clear();
        _unstableOffset = snapshot.Index + 1;
        _unstableSnapshot = snapshot;
    }
}

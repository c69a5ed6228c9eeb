namespace Daos.Engine.Rdb.Raft;

/// <summary>
/// An <see cref="IRaftLogStorage"/> held in memory, for tests and simulations: everything written here counts as
/// durable, so a simulated crash keeps this object and drops the node. Also shows the write side a durable log
/// implements: <see cref="SetHardState"/>, <see cref="Append"/>, <see cref="ApplySnapshot"/>, <see cref="CreateSnapshot"/>
/// and <see cref="Compact"/>.
/// </summary>
public sealed class MemoryRaftLogStorage : IRaftLogStorage
{
    // _entries[0] is a dummy standing for the snapshot: its index and term are the snapshot's.
    private readonly List<LogEntry> _entries = [new LogEntry(0, 0, LogEntryKind.Normal, default)];

    /// <summary>
    /// Creates the log of a founding member of a new group (<paramref name="initialConfiguration"/> non-null: entry
    /// 1/1 is the <see cref="ConfigChange.Bootstrap(RaftConfiguration)"/> entry, committed) or of a replica that will
    /// be added to an existing group (null: empty, it learns everything from the leader).
    /// </summary>
    public MemoryRaftLogStorage(RaftConfiguration? initialConfiguration = null)
    {
        if (initialConfiguration is not null)
        {
            LogEntry bootstrap = RaftNode.BootstrapEntry(initialConfiguration);
            _entries.Add(bootstrap);
            HardState = new HardState(bootstrap.Term, 0, bootstrap.Index);
        }
    }

    /// <inheritdoc/>
    public HardState HardState { get; private set; }

    /// <inheritdoc/>
    public RaftSnapshot Snapshot { get; private set; } = RaftSnapshot.Empty;

    /// <inheritdoc/>
    public ulong FirstIndex => _entries[0].Index + 1;

    /// <inheritdoc/>
    public ulong LastIndex => _entries[0].Index + (ulong)_entries.Count - 1;

    /// <inheritdoc/>
    public bool TryGetTerm(ulong index, out ulong term)
    {
        ulong offset = _entries[0].Index;
        if (index < offset || index > LastIndex)
        {
            term = 0;
            return false;
        }

        term = _entries[(int)(index - offset)].Term;
        return true;
    }

    /// <inheritdoc/>
    public void GetEntries(ulong lowIndex, ulong highIndexExclusive, long sizeBytesMax, List<LogEntry> destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (lowIndex < FirstIndex || highIndexExclusive > LastIndex + 1 || lowIndex >= highIndexExclusive)
        {
            ThrowHelper.InvalidArgument($"entries [{lowIndex},{highIndexExclusive}) are outside [{FirstIndex},{LastIndex + 1})");
        }

        ulong offset = _entries[0].Index;
        long size = 0;
        for (ulong i = lowIndex; i < highIndexExclusive; i++)
        {
            LogEntry entry = _entries[(int)(i - offset)];
            size += entry.SizeBytes;
            if (i > lowIndex && size > sizeBytesMax)
            {
                break;
            }

            destination.Add(entry);
        }
    }

    /// <summary>All entries held, for checkers and tests.</summary>
    public IReadOnlyList<LogEntry> Entries => _entries.GetRange(1, _entries.Count - 1);

    /// <summary>Persists the hard state from a <see cref="Ready"/>.</summary>
    public void SetHardState(HardState state) => HardState = state;

    /// <summary>
    /// Persists entries from a <see cref="Ready"/>: an entry at an index already held replaces it and everything after
    /// it (the leader has overwritten an uncommitted suffix).
    /// </summary>
    public void Append(IReadOnlyList<LogEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0)
        {
            return;
        }

        ulong first = entries[0].Index;
        if (first > LastIndex + 1)
        {
            ThrowHelper.InvalidArgument($"append at {first} leaves a gap after {LastIndex}");
        }

        int skip = 0;
        if (first < FirstIndex)
        {
            // The head is already covered by the snapshot.
            skip = (int)Math.Min((ulong)entries.Count, FirstIndex - first);
            if (skip == entries.Count)
            {
                return;
            }

            first = FirstIndex;
        }

        int keep = (int)(first - _entries[0].Index);
        _entries.RemoveRange(keep, _entries.Count - keep);
        for (int i = skip; i < entries.Count; i++)
        {
            _entries.Add(entries[i]);
        }
    }

    /// <summary>Persists a snapshot received from the leader, replacing the whole log.</summary>
    public void ApplySnapshot(RaftSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        if (snapshot.Index <= Snapshot.Index && !Snapshot.IsEmpty)
        {
            return;
        }

        Snapshot = snapshot;
        _entries.Clear();
        _entries.Add(new LogEntry(snapshot.Index, snapshot.Term, LogEntryKind.Normal, default));
    }

    /// <summary>
    /// Records the application's image at <paramref name="index"/> (an applied index) as the latest snapshot; entries
    /// stay until <see cref="Compact"/>.
    /// </summary>
    public RaftSnapshot CreateSnapshot(ulong index, RaftConfiguration configuration, ReadOnlyMemory<byte> data)
    {
        ulong term = 0;
        if (index <= Snapshot.Index || index > LastIndex || !TryGetTerm(index, out term))
        {
            ThrowHelper.InvalidArgument($"snapshot index {index} is outside ({Snapshot.Index},{LastIndex}]");
        }

        Snapshot = new RaftSnapshot(index, term, configuration, data);
        return Snapshot;
    }

    /// <summary>Discards entries up to and including <paramref name="index"/>, which the latest snapshot must cover.</summary>
    public void Compact(ulong index)
    {
        if (index > Snapshot.Index)
        {
            ThrowHelper.InvalidArgument($"compaction to {index} passes the snapshot at {Snapshot.Index}");
        }

        ulong offset = _entries[0].Index;
        if (index <= offset)
        {
            return;
        }

        int drop = (int)(index - offset);
        LogEntry newHead = _entries[drop];
        _entries.RemoveRange(0, drop);
        _entries[0] = new LogEntry(newHead.Index, newHead.Term, LogEntryKind.Normal, default);
    }
}

namespace Daos.Engine.Rdb.Raft;

/// <summary>
/// The durable log a <see cref="RaftNode"/> reads from. The node never writes to it: the caller persists what each
/// <see cref="Ready"/> lists (hard state, entries, snapshot) and only then sends the Ready's messages, so everything
/// this interface returns has been made durable. The log holds a compacted prefix, summarised by
/// <see cref="Snapshot"/>, then entries <see cref="FirstIndex"/> to <see cref="LastIndex"/>.
/// </summary>
/// <remarks>Called only from the thread that drives the node.</remarks>
public interface IRaftLogStorage
{
    /// <summary>The persisted hard state (the empty state on first start).</summary>
    HardState HardState { get; }

    /// <summary>The index of the first entry still held: the snapshot's index + 1.</summary>
    ulong FirstIndex { get; }

    /// <summary>The index of the last entry held (the snapshot's index when no entry follows it).</summary>
    ulong LastIndex { get; }

    /// <summary>The latest snapshot (<see cref="RaftSnapshot.Empty"/> if never compacted).</summary>
    RaftSnapshot Snapshot { get; }

    /// <summary>
    /// The term of the entry at <paramref name="index"/>, for <see cref="FirstIndex"/> - 1 (the snapshot's term) to
    /// <see cref="LastIndex"/>; false outside that range.
    /// </summary>
    bool TryGetTerm(ulong index, out ulong term);

    /// <summary>
    /// Appends entries <paramref name="lowIndex"/> to <paramref name="highIndexExclusive"/> - 1 to
    /// <paramref name="destination"/>, stopping once <paramref name="sizeBytesMax"/> is exceeded but always returning
    /// at least one. The range lies within <see cref="FirstIndex"/>..<see cref="LastIndex"/>.
    /// </summary>
    void GetEntries(ulong lowIndex, ulong highIndexExclusive, long sizeBytesMax, List<LogEntry> destination);
}

using Daos.Buffers;
using Daos.Engine.Rdb.Raft;
using Daos.Storage;

namespace Daos.Engine.Rdb.Log;

/// <summary>
/// A Raft log kept durably on an <see cref="IStorageMedium"/>: one append-only file of checksummed, sequence-numbered
/// records (the compaction point, then batches of entries with the hard state) and one snapshot file. It implements
/// the read side the <see cref="RaftNode"/> uses from an in-memory index of the file, and the write side the
/// <see cref="Ready"/> contract asks for: <see cref="Persist(Ready)"/> returns only once what the Ready's messages
/// depend on is durable.
/// </summary>
/// <remarks>
/// Crash guarantees: every call that returned has its effect after a crash; a record torn by a crash is discarded
/// whole when the log is opened (it was never acknowledged), and damage anywhere before the last record (a record
/// that fails its checksum while a later record is intact) is reported as <see cref="DaosError.Corrupted"/>, never
/// skipped. Compaction rewrites the remaining log into a new file and renames it over the old one, so a crash leaves
/// either file whole. Single owner; not thread-safe.
/// </remarks>
public sealed class DurableRaftLog : IRaftLogStorage, IDisposable
{
    /// <summary>The log file's name in the medium.</summary>
    public const string LogFileName = "rdb-raft.log";

    /// <summary>The snapshot file's name in the medium.</summary>
    public const string SnapshotFileName = "rdb-raft.snapshot";

    private const string TemporarySuffix = ".tmp";

    private readonly IStorageMedium _medium;
    private readonly PooledBufferWriter _writer = new(4096);
    private MemoryRaftLogStorage _index;
    private IMediumFile _file;
    private long _fileEndBytes;
    private ulong _nextSequence;
    private HardState _hardState;
    private HardState _durableHardState;

    private DurableRaftLog(IStorageMedium medium, MemoryRaftLogStorage index, IMediumFile file, long fileEndBytes,
        ulong nextSequence, HardState hardState, long discardedTailBytes)
    {
        _medium = medium;
        _index = index;
        _file = file;
        _fileEndBytes = fileEndBytes;
        _nextSequence = nextSequence;
        _hardState = hardState;
        _durableHardState = hardState;
        DiscardedTailBytes = discardedTailBytes;
    }

    /// <summary>
    /// Opens the log on <paramref name="medium"/>, recovering it after a crash, or creates it: for a founding member
    /// (<paramref name="initialConfiguration"/> non-null) holding the committed bootstrap entry, otherwise empty.
    /// An existing log ignores <paramref name="initialConfiguration"/>.
    /// </summary>
    /// <exception cref="DaosException"><see cref="DaosError.Corrupted"/> when durable records or the snapshot are
    /// damaged; <see cref="DaosError.DurableFormatIncompatible"/> for a format version this build does not read.</exception>
    public static DurableRaftLog Open(IStorageMedium medium, RaftConfiguration? initialConfiguration = null)
    {
        ArgumentNullException.ThrowIfNull(medium);
        medium.DeleteFile(LogFileName + TemporarySuffix);
        medium.DeleteFile(SnapshotFileName + TemporarySuffix);

        RaftSnapshot snapshot = RaftSnapshot.Empty;
        if (medium.FileExists(SnapshotFileName))
        {
            using IMediumFile snapshotFile = medium.OpenFile(SnapshotFileName, MediumOpenMode.OpenExisting);
            snapshot = SnapshotFileCodec.Decode(ReadAll(snapshotFile));
        }

        if (medium.FileExists(LogFileName))
        {
            IMediumFile file = medium.OpenFile(LogFileName, MediumOpenMode.OpenExisting);
            byte[] image = ReadAll(file);
            Recovered? recovered = Recover(image, snapshot);
            if (recovered is { } r)
            {
                if (r.EndBytes < image.Length)
                {
                    file.SetLength(r.EndBytes);
                    file.Flush();
                }

                var recoveredLog = new DurableRaftLog(medium, r.Index, file, r.EndBytes, r.NextSequence, r.HardState, image.Length - r.EndBytes);
                if (r.Index.Snapshot.Index > r.BaseIndex)
                {
                    // A crash came between writing a snapshot and rewriting the log: finish the rewrite.
                    recoveredLog.RewriteLog(r.Index);
                }

                return recoveredLog;
            }

            file.Dispose();
            if (!snapshot.IsEmpty)
            {
                ThrowHelper.Corrupted("the Raft log holds no intact record although a snapshot exists");
            }
        }
        else if (!snapshot.IsEmpty)
        {
            ThrowHelper.Corrupted("the Raft log file is missing although a snapshot exists");
        }

        // A new log. Nothing was ever acknowledged from a log with no intact record, so it is created afresh.
        var index = new MemoryRaftLogStorage(initialConfiguration);
        var log = new DurableRaftLog(medium, index, medium.OpenFile(LogFileName + TemporarySuffix, MediumOpenMode.CreateNew),
            0, 1, index.HardState, 0);
        log.WriteFreshFile(0, 0, index.HardState, index.Entries);
        return log;
    }

    /// <inheritdoc/>
    public HardState HardState => _hardState;

    /// <inheritdoc/>
    public ulong FirstIndex => _index.FirstIndex;

    /// <inheritdoc/>
    public ulong LastIndex => _index.LastIndex;

    /// <inheritdoc/>
    public RaftSnapshot Snapshot => _index.Snapshot;

    /// <summary>Bytes of a torn final record discarded when the log was opened (0 after a clean shutdown).</summary>
    public long DiscardedTailBytes { get; }

    /// <summary>
    /// Syncs issued since the log was opened (file flushes and directory syncs: one per persisted record, two per
    /// snapshot file and per log rewrite). A measure of how well writes are batched.
    /// </summary>
    public long SyncCount { get; private set; }

    /// <summary>The log file's size in bytes.</summary>
    public long FileSizeBytes => _fileEndBytes;

    /// <summary>The hard state the log file holds (may lag <see cref="HardState"/> by a commit-only change).</summary>
    internal HardState DurableHardState => _durableHardState;

    /// <summary>All entries held, for checkers and tests.</summary>
    public IReadOnlyList<LogEntry> Entries => _index.Entries;

    /// <inheritdoc/>
    public bool TryGetTerm(ulong index, out ulong term) => _index.TryGetTerm(index, out term);

    /// <inheritdoc/>
    public void GetEntries(ulong lowIndex, ulong highIndexExclusive, long sizeBytesMax, List<LogEntry> destination) =>
        _index.GetEntries(lowIndex, highIndexExclusive, sizeBytesMax, destination);

    /// <summary>
    /// Persists what <paramref name="ready"/> lists, in the order the Ready contract requires: the snapshot, then the
    /// entries with the hard state in one record, synced when the Ready says so. A hard state that only moved the
    /// commit index is kept in memory and written with the next synced record (the commit index need not be durable).
    /// </summary>
    public void Persist(Ready ready)
    {
        ArgumentNullException.ThrowIfNull(ready);
        if (ready.Snapshot is { } snapshot)
        {
            InstallSnapshot(snapshot, ready.HardState ?? _hardState);
        }

        Save(ready.HardState, ready.Entries, ready.MustSync);
    }

    /// <summary>
    /// Appends <paramref name="entries"/> (an entry at an index already held replaces it and everything after it) and
    /// records <paramref name="hardState"/>; durable on return when <paramref name="sync"/> or when there are entries.
    /// </summary>
    public void Save(HardState? hardState, IReadOnlyList<LogEntry> entries, bool sync)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count > 0 && entries[0].Index > _index.LastIndex + 1)
        {
            ThrowHelper.InvalidArgument($"append at {entries[0].Index} leaves a gap after {_index.LastIndex}");
        }

        if (hardState is { } state)
        {
            _hardState = state;
        }

        if (entries.Count == 0 && !sync)
        {
            return;
        }

        HardState? toWrite = _hardState != _durableHardState ? _hardState : null;
        if (entries.Count == 0 && toWrite is null)
        {
            return;
        }

        _writer.Reset();
        LogRecordCodec.WriteBatch(_writer, _nextSequence, toWrite, entries);
        _file.Write(_fileEndBytes, _writer.WrittenSpan);
        _file.Flush();
        SyncCount++;
        _fileEndBytes += _writer.WrittenCount;
        _nextSequence++;
        _durableHardState = _hardState;
        _index.Append(entries);
    }

    /// <summary>
    /// Installs a snapshot received from the leader: the snapshot file, then a new log that continues from it. Durable
    /// on return.
    /// </summary>
    public void InstallSnapshot(RaftSnapshot snapshot, HardState hardState)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        if (snapshot.IsEmpty || (snapshot.Index <= _index.Snapshot.Index && !_index.Snapshot.IsEmpty))
        {
            return;
        }

        if (!snapshot.IsChecksumValid)
        {
            ThrowHelper.Corrupted($"snapshot {snapshot.Index}/{snapshot.Term} fails its checksum");
        }

        WriteSnapshotFile(snapshot);
        var index = new MemoryRaftLogStorage();
        index.ApplySnapshot(snapshot);
        _hardState = hardState;
        RewriteLog(index);
    }

    /// <summary>
    /// Records the application's image at <paramref name="appliedIndex"/> as the snapshot and discards the entries it
    /// covers. Durable on return.
    /// </summary>
    public RaftSnapshot CompactTo(ulong appliedIndex, RaftConfiguration configuration, ReadOnlyMemory<byte> data)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (!_index.TryGetTerm(appliedIndex, out ulong term) || appliedIndex <= _index.Snapshot.Index)
        {
            ThrowHelper.InvalidArgument($"snapshot index {appliedIndex} is outside ({_index.Snapshot.Index},{_index.LastIndex}]");
        }
        var snapshot = new RaftSnapshot(appliedIndex, term, configuration, data);
        WriteSnapshotFile(snapshot);
        var index = new MemoryRaftLogStorage();
        index.ApplySnapshot(snapshot);
        if (_index.LastIndex > appliedIndex)
        {
            var rest = new List<LogEntry>();
            _index.GetEntries(appliedIndex + 1, _index.LastIndex + 1, long.MaxValue, rest);
            index.Append(rest);
        }

        RewriteLog(index);
        return snapshot;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _file.Dispose();
        _writer.Dispose();
    }

    private void WriteSnapshotFile(RaftSnapshot snapshot)
    {
        byte[] encoded = SnapshotFileCodec.Encode(snapshot);
        string temporary = SnapshotFileName + TemporarySuffix;
        using (IMediumFile file = _medium.OpenFile(temporary, MediumOpenMode.OpenOrCreate))
        {
            file.SetLength(0);
            file.Write(0, encoded);
            file.Flush();
        }

        _medium.RenameFile(temporary, SnapshotFileName);
        _medium.SyncDirectory();
        SyncCount += 2;
    }

    private void RewriteLog(MemoryRaftLogStorage index)
    {
        _file.Dispose();
        _medium.DeleteFile(LogFileName + TemporarySuffix);
        _file = _medium.OpenFile(LogFileName + TemporarySuffix, MediumOpenMode.CreateNew);
        _index = index;
        WriteFreshFile(index.Snapshot.Index, index.Snapshot.Term, _hardState, index.Entries);
    }

    // Writes base + batch into the temporary file, syncs it, renames it over the log and syncs the directory.
    private void WriteFreshFile(ulong baseIndex, ulong baseTerm, HardState hardState, IReadOnlyList<LogEntry> entries)
    {
        _writer.Reset();
        LogRecordCodec.WriteBase(_writer, _nextSequence++, baseIndex, baseTerm);
        LogRecordCodec.WriteBatch(_writer, _nextSequence++, hardState.IsEmpty ? null : hardState, entries);
        _file.Write(0, _writer.WrittenSpan);
        _file.Flush();
        _fileEndBytes = _writer.WrittenCount;
        _file.Dispose();
        _medium.RenameFile(LogFileName + TemporarySuffix, LogFileName);
        _medium.SyncDirectory();
        SyncCount += 2;
        _file = _medium.OpenFile(LogFileName, MediumOpenMode.OpenExisting);
        _durableHardState = hardState;
        _hardState = hardState;
    }

    private static byte[] ReadAll(IMediumFile file)
    {
        if (file.Length > int.MaxValue)
        {
            ThrowHelper.Corrupted($"{file.Name} of {file.Length} bytes is larger than a log can be");
        }

        var image = new byte[file.Length];
        int read = file.Read(0, image);
        return read == image.Length ? image : image[..read];
    }

    private readonly record struct Recovered(MemoryRaftLogStorage Index, HardState HardState, long EndBytes, ulong NextSequence, ulong BaseIndex);

    // Replays the records; null when the file holds no intact base record (a log whose creation never completed).
    private static Recovered? Recover(byte[] image, RaftSnapshot snapshot)
    {
        ReadOnlySpan<byte> data = image;
        if (!LogRecordCodec.TryRead(data, out byte kind, out ulong sequence, out ReadOnlySpan<byte> payload, out int size))
        {
            if (FindIntactRecordAfter(data, 0, 0))
            {
                ThrowHelper.Corrupted("the Raft log's first record is damaged");
            }

            return null;
        }

        if (kind != LogRecordCodec.KindBase)
        {
            ThrowHelper.Corrupted($"the Raft log starts with a record of kind {kind}");
        }

        (ulong baseIndex, ulong baseTerm) = LogRecordCodec.ReadBase(payload);
        if (baseIndex > 0 && (snapshot.IsEmpty || snapshot.Index < baseIndex))
        {
            ThrowHelper.Corrupted($"the Raft log continues from {baseIndex} but the snapshot is at {snapshot.Index}");
        }

        var replay = new MemoryRaftLogStorage();
        if (baseIndex > 0)
        {
            replay.ApplySnapshot(new RaftSnapshot(baseIndex, baseTerm, RaftConfiguration.Empty, default));
        }

        HardState hardState = default;
        long at = size;
        ulong lastSequence = sequence;
        var entries = new List<LogEntry>();
        while (at < image.Length)
        {
            if (!LogRecordCodec.TryRead(data[(int)at..], out kind, out sequence, out payload, out size) || sequence != lastSequence + 1)
            {
                if (FindIntactRecordAfter(data, at, lastSequence))
                {
                    ThrowHelper.Corrupted($"the Raft log record at byte {at} is damaged but later records are intact");
                }

                break;
            }

            if (kind != LogRecordCodec.KindBatch)
            {
                ThrowHelper.Corrupted($"the Raft log holds a record of kind {kind} at byte {at}");
            }

            entries.Clear();
            HardState? state = LogRecordCodec.ReadBatch(payload, entries);
            if (entries.Count > 0 && entries[0].Index > replay.LastIndex + 1)
            {
                ThrowHelper.Corrupted($"the Raft log record at byte {at} leaves a gap after entry {replay.LastIndex}");
            }

            replay.Append(entries);
            hardState = state ?? hardState;
            lastSequence = sequence;
            at += size;
        }

        // Join the snapshot and the log: entries the snapshot covers go; the rest stay only if the log agrees with the
        // snapshot at its index (a crash between writing a received snapshot and rewriting the log leaves the old log).
        MemoryRaftLogStorage index = replay;
        if (!snapshot.IsEmpty)
        {
            index = new MemoryRaftLogStorage();
            index.ApplySnapshot(snapshot);
            if (replay.TryGetTerm(snapshot.Index, out ulong term) && term == snapshot.Term && replay.LastIndex > snapshot.Index)
            {
                var rest = new List<LogEntry>();
                replay.GetEntries(snapshot.Index + 1, replay.LastIndex + 1, long.MaxValue, rest);
                index.Append(rest);
            }
        }

        // A crash between writing a snapshot and rewriting the log leaves the older hard state; the snapshot's index is
        // committed whatever that state says.
        if (hardState.Commit < index.Snapshot.Index)
        {
            hardState = hardState with { Commit = index.Snapshot.Index };
        }

        return new Recovered(index, hardState, at, lastSequence + 1, baseIndex);
    }

    // True when an intact record with a later sequence number starts at an aligned offset after `from`.
    private static bool FindIntactRecordAfter(ReadOnlySpan<byte> data, long from, ulong lastSequence)
    {
        for (long at = from + LogRecordCodec.AlignmentBytes; at + LogRecordCodec.HeaderSizeBytes <= data.Length; at += LogRecordCodec.AlignmentBytes)
        {
            try
            {
                if (LogRecordCodec.TryRead(data[(int)at..], out _, out ulong sequence, out _, out _) && sequence > lastSequence)
                {
                    return true;
                }
            }
            catch (DaosException)
            {
                return true;
            }
        }

        return false;
    }
}

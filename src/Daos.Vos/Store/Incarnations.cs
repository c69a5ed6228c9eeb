using Daos.Vos.Ilog;
using Daos.Vos.Versioning;

namespace Daos.Vos.Store;

/// <summary>
/// The incarnation log of one object, dkey or akey, held in memory: punches (each backed by a persistent record)
/// and creations (implied by every write at or below the entity, counted per version). Both lists are sorted, so
/// a read finds the newest event of each kind at or below its bound by binary search and hands those two to
/// <see cref="IncarnationVisibility"/>.
/// </summary>
internal sealed class Incarnations
{
    private readonly List<VersionStamp> _punches = [];
    private readonly List<long> _punchRecords = [];
    private readonly List<VersionStamp> _creates = [];
    private readonly List<int> _createCounts = [];

    public bool IsEmpty => _punches.Count == 0 && _creates.Count == 0;

    public int PunchCount => _punches.Count;

    public VersionStamp PunchAt(int i) => _punches[i];

    public long PunchRecordAt(int i) => _punchRecords[i];

    public void AddPunch(VersionStamp version, long record)
    {
        int i = _punches.BinarySearch(version);
        if (i < 0)
        {
            i = ~i;
        }

        _punches.Insert(i, version);
        _punchRecords.Insert(i, record);
    }

    public void RemovePunchRecord(long record)
    {
        int i = _punchRecords.IndexOf(record);
        _punches.RemoveAt(i);
        _punchRecords.RemoveAt(i);
    }

    public void AddCreate(VersionStamp version)
    {
        int i = _creates.BinarySearch(version);
        if (i >= 0)
        {
            _createCounts[i]++;
            return;
        }

        _creates.Insert(~i, version);
        _createCounts.Insert(~i, 1);
    }

    public void RemoveCreate(VersionStamp version)
    {
        int i = _creates.BinarySearch(version);
        if (--_createCounts[i] == 0)
        {
            _creates.RemoveAt(i);
            _createCounts.RemoveAt(i);
        }
    }

    /// <summary>True when both logs hold the same punches (and records) and the same creations with the same counts.</summary>
    public bool SameAs(Incarnations other) =>
        _punches.SequenceEqual(other._punches) && _punchRecords.SequenceEqual(other._punchRecords)
        && _creates.SequenceEqual(other._creates) && _createCounts.SequenceEqual(other._createCounts);

    /// <summary>The newest punch at or below <paramref name="bound"/>, or <see cref="VersionStamp.Zero"/>.</summary>
    public VersionStamp NewestPunch(VersionStamp bound) => NewestAtOrBelow(_punches, bound);

    /// <summary>What a read bounded by <paramref name="bound"/> sees, under the parent's punch bound.</summary>
    public IncarnationView Evaluate(VersionStamp bound, VersionStamp parentPunch)
    {
        VersionStamp punch = NewestAtOrBelow(_punches, bound);
        VersionStamp create = NewestAtOrBelow(_creates, bound);
        Span<IncarnationLogEntry> log = stackalloc IncarnationLogEntry[2];
        int n = 0;
        if (punch != VersionStamp.Zero && create != VersionStamp.Zero && create < punch)
        {
            log[n++] = new IncarnationLogEntry(create, IncarnationKind.Create, IncarnationState.Committed);
            log[n++] = new IncarnationLogEntry(punch, IncarnationKind.Punch, IncarnationState.Committed);
        }
        else
        {
            if (punch != VersionStamp.Zero)
            {
                log[n++] = new IncarnationLogEntry(punch, IncarnationKind.Punch, IncarnationState.Committed);
            }

            if (create != VersionStamp.Zero)
            {
                log[n++] = new IncarnationLogEntry(create, IncarnationKind.Create, IncarnationState.Committed);
            }
        }

        return IncarnationVisibility.Evaluate(log[..n], bound, parentPunch);
    }

    private static VersionStamp NewestAtOrBelow(List<VersionStamp> sorted, VersionStamp bound)
    {
        int i = sorted.BinarySearch(bound);
        i = i >= 0 ? i : ~i - 1;
        return i >= 0 ? sorted[i] : VersionStamp.Zero;
    }
}

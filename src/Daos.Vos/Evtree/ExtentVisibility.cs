using Daos.Vos.Versioning;

namespace Daos.Vos.Evtree;

/// <summary>
/// Decides, for a read of records <c>[from, to)</c> at a version bound, which parts of which array writes are
/// visible: for every record the newest write at or below the bound wins, and writes at or below the punch bound
/// (a punch of the akey, dkey or object above them) are invisible. Overlapping writes therefore split into visible
/// and covered parts exactly as DAOS's extent tree reports them; hole entries win like writes and read as holes.
/// </summary>
/// <remarks>
/// The sweep visits candidate entries newest first and keeps the union of what newer entries already cover as a
/// sorted list of disjoint intervals; each entry contributes what is left of it. With n candidates and k covered
/// intervals this costs O(n log n + n k), and k stays small because adjacent coverage is merged. Allocation: the
/// caller supplies the scratch and output lists, so a reused resolver allocates nothing per read.
/// Not thread-safe: one per target.
/// </remarks>
internal sealed class ExtentVisibility
{
    private readonly List<ExtentEntry> _candidates = [];
    private readonly List<(long From, long To)> _covered = [];

    /// <summary>
    /// Appends to <paramref name="visible"/>, in record order, the visible pieces of <paramref name="entries"/>
    /// within <c>[from, to)</c> for a read bounded by <paramref name="readBound"/>, ignoring entries at or below
    /// <paramref name="punchBound"/>. Optionally appends the pieces hidden by newer writes to <paramref name="covered"/>
    /// (in visiting order), which aggregation uses to find what it may drop.
    /// </summary>
    public void Resolve(IReadOnlyList<ExtentEntry> entries, long from, long to, VersionStamp readBound,
        VersionStamp punchBound, List<VisibleExtent> visible, List<VisibleExtent>? covered = null)
    {
        if (from >= to)
        {
            return;
        }

        _candidates.Clear();
        for (int i = 0; i < entries.Count; i++)
        {
            ExtentEntry e = entries[i];
            if (e.Version <= readBound && e.Version > punchBound && e.Index < to && e.End > from)
            {
                _candidates.Add(e);
            }
        }

        // Newest first. The store never keeps two overlapping entries with equal versions (a rewrite at the same
        // version replaces the old entry), but ties are still broken by position and source for a stable answer.
        _candidates.Sort(NewestFirstComparer.Instance);
        _covered.Clear();
        int firstOut = visible.Count;
        foreach (ExtentEntry e in _candidates)
        {
            long lo = Math.Max(e.Index, from);
            long hi = Math.Min(e.End, to);
            AddUncovered(e, lo, hi, visible, covered);
        }

        visible.Sort(firstOut, visible.Count - firstOut, StartComparer.Instance);
    }

    // Emits the parts of [lo, hi) not yet covered, marks [lo, hi) covered.
    private void AddUncovered(ExtentEntry e, long lo, long hi, List<VisibleExtent> visible, List<VisibleExtent>? covered)
    {
        int i = FirstEndingAfter(lo);
        long cursor = lo;
        while (cursor < hi)
        {
            if (i >= _covered.Count || _covered[i].From >= hi)
            {
                visible.Add(new VisibleExtent(cursor, hi - cursor, e, cursor - e.Index));
                break;
            }

            (long cFrom, long cTo) = _covered[i];
            if (cFrom > cursor)
            {
                visible.Add(new VisibleExtent(cursor, cFrom - cursor, e, cursor - e.Index));
            }

            long hiddenTo = Math.Min(cTo, hi);
            long hiddenFrom = Math.Max(cFrom, cursor);
            if (covered is not null && hiddenTo > hiddenFrom)
            {
                covered.Add(new VisibleExtent(hiddenFrom, hiddenTo - hiddenFrom, e, hiddenFrom - e.Index));
            }

            cursor = Math.Max(cursor, cTo);
            i++;
        }

        Cover(lo, hi);
    }

    // Index of the first covered interval whose end is after position.
    private int FirstEndingAfter(long position)
    {
        int lo = 0, hi = _covered.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_covered[mid].To <= position)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    // Inserts [lo, hi) into the disjoint sorted interval list, merging touching neighbours.
    private void Cover(long lo, long hi)
    {
        int i = FirstEndingAfter(lo - 1); // first interval that touches or follows lo
        int j = i;
        long newFrom = lo, newTo = hi;
        while (j < _covered.Count && _covered[j].From <= hi)
        {
            newFrom = Math.Min(newFrom, _covered[j].From);
            newTo = Math.Max(newTo, _covered[j].To);
            j++;
        }

        _covered.RemoveRange(i, j - i);
        _covered.Insert(i, (newFrom, newTo));
    }

    private sealed class NewestFirstComparer : IComparer<ExtentEntry>
    {
        public static readonly NewestFirstComparer Instance = new();

        public int Compare(ExtentEntry x, ExtentEntry y)
        {
            int c = y.Version.CompareTo(x.Version);
            if (c == 0)
            {
                c = x.Index.CompareTo(y.Index);
            }

            return c != 0 ? c : x.Source.CompareTo(y.Source);
        }
    }

    private sealed class StartComparer : IComparer<VisibleExtent>
    {
        public static readonly StartComparer Instance = new();

        public int Compare(VisibleExtent x, VisibleExtent y) => x.Index.CompareTo(y.Index);
    }
}

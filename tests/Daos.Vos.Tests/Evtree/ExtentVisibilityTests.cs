using Daos.Vos.Evtree;
using Daos.Vos.Versioning;

namespace Daos.Vos.Tests.Evtree;

public sealed class ExtentVisibilityTests
{
    private static readonly VersionStamp NoPunch = VersionStamp.Zero;

    private static ExtentEntry W(long index, long count, ulong epoch, long source, bool hole = false, ushort minor = 0) =>
        new(index, count, new VersionStamp(epoch, minor), hole, source);

    private static List<VisibleExtent> Read(IReadOnlyList<ExtentEntry> entries, long from, long to, ulong epoch, ulong punch = 0)
    {
        var visible = new List<VisibleExtent>();
        new ExtentVisibility().Resolve(entries, from, to, VersionStamp.ReadBound(epoch),
            punch == 0 ? NoPunch : VersionStamp.ReadBound(punch), visible);
        return visible;
    }

    private static string Describe(List<VisibleExtent> pieces) =>
        string.Join(" ", pieces.Select(p => $"[{p.Index},{p.End}){(p.IsHole ? "h" : "")}#{p.Entry.Source}+{p.OffsetInEntry}"));

    [Fact]
    public void Later_write_wins_over_the_overlap_and_older_parts_stay_visible()
    {
        // [0,10) at epoch 1, [5,15) at epoch 2: reading at 2 sees [0,5) from the first, [5,15) from the second.
        ExtentEntry[] entries = [W(0, 10, 1, 1), W(5, 10, 2, 2)];
        Assert.Equal("[0,5)#1+0 [5,15)#2+0", Describe(Read(entries, 0, 100, 2)));
        Assert.Equal("[0,10)#1+0", Describe(Read(entries, 0, 100, 1)));
    }

    [Fact]
    public void Newer_write_inside_an_older_one_splits_it_into_head_and_tail()
    {
        ExtentEntry[] entries = [W(0, 100, 1, 1), W(40, 10, 5, 2)];
        Assert.Equal("[0,40)#1+0 [40,50)#2+0 [50,100)#1+50", Describe(Read(entries, 0, 100, 9)));
    }

    [Fact]
    public void Older_write_inside_a_newer_one_is_covered()
    {
        ExtentEntry[] entries = [W(40, 10, 1, 1), W(0, 100, 5, 2)];
        Assert.Equal("[0,100)#2+0", Describe(Read(entries, 0, 100, 9)));
        var covered = new List<VisibleExtent>();
        new ExtentVisibility().Resolve(entries, 0, 100, VersionStamp.ReadBound(9), NoPunch, [], covered);
        Assert.Equal("[40,50)#1+0", Describe(covered));
    }

    [Fact]
    public void Punched_records_read_as_holes_and_a_later_rewrite_wins_again()
    {
        ExtentEntry[] entries = [W(0, 10, 1, 1), W(2, 3, 2, 2, hole: true), W(3, 1, 3, 3)];
        Assert.Equal("[0,2)#1+0 [2,3)h#2+0 [3,4)#3+0 [4,5)h#2+2 [5,10)#1+5", Describe(Read(entries, 0, 10, 3)));
        Assert.Equal("[0,2)#1+0 [2,5)h#2+0 [5,10)#1+5", Describe(Read(entries, 0, 10, 2)));
    }

    [Fact]
    public void Parent_punch_hides_everything_at_or_below_it()
    {
        ExtentEntry[] entries = [W(0, 10, 1, 1), W(0, 4, 3, 2)];
        Assert.Equal("[0,4)#2+0", Describe(Read(entries, 0, 10, 5, punch: 2)));
        Assert.Empty(Read(entries, 0, 10, 5, punch: 3));
    }

    [Fact]
    public void Minor_epochs_order_writes_of_one_epoch()
    {
        ExtentEntry[] entries = [W(0, 4, 7, 1, minor: 2), W(2, 4, 7, 2, minor: 1)];
        Assert.Equal("[0,4)#1+0 [4,6)#2+2", Describe(Read(entries, 0, 10, 7)));
    }

    [Fact]
    public void Read_range_clips_pieces_and_offsets()
    {
        ExtentEntry[] entries = [W(0, 100, 1, 1)];
        Assert.Equal("[30,35)#1+30", Describe(Read(entries, 30, 35, 1)));
        Assert.Empty(Read(entries, 100, 200, 1));
        Assert.Empty(Read(entries, 10, 10, 1));
    }

    [Fact]
    public void Matches_a_record_by_record_model_on_random_histories()
    {
        const ulong seedBase = 0xE7;
        var resolver = new ExtentVisibility();
        var visible = new List<VisibleExtent>();
        var covered = new List<VisibleExtent>();
        for (ulong seed = seedBase; seed < seedBase + 3000; seed++)
        {
            var random = new DeterministicRandom(seed);
            int n = random.Next(0, 12);
            var entries = new List<ExtentEntry>();
            for (int i = 0; i < n; i++)
            {
                // Distinct versions: epoch from a small range, the entry number as minor epoch.
                entries.Add(W(random.Next(0, 60), random.Next(1, 20), (ulong)random.Next(1, 8), i, random.Chance(0.2), (ushort)i));
            }

            ulong read = (ulong)random.Next(0, 9);
            ulong punch = random.Chance(0.3) ? (ulong)random.Next(0, 8) : 0;
            long from = random.Next(0, 70), to = from + random.Next(0, 40);
            visible.Clear();
            covered.Clear();
            VersionStamp punchBound = punch == 0 ? NoPunch : VersionStamp.ReadBound(punch);
            resolver.Resolve(entries, from, to, VersionStamp.ReadBound(read), punchBound, visible, covered);

            // Model: for each record, the newest entry covering it with punch < version <= read.
            var expected = new (long Source, long Offset, bool Hole)?[to - from];
            for (long r = from; r < to; r++)
            {
                ExtentEntry? best = null;
                foreach (ExtentEntry e in entries)
                {
                    if (e.Index <= r && r < e.End && e.Version <= VersionStamp.ReadBound(read) && e.Version > punchBound
                        && (best is null || e.Version > best.Value.Version))
                    {
                        best = e;
                    }
                }

                expected[r - from] = best is { } b ? (b.Source, r - b.Index, b.IsHole) : null;
            }

            var actual = new (long Source, long Offset, bool Hole)?[to - from];
            long previousEnd = long.MinValue;
            foreach (VisibleExtent p in visible)
            {
                Assert.True(p.Index >= previousEnd && p.Count > 0 && p.Index >= from && p.End <= to, $"seed {seed}: bad piece {p}");
                previousEnd = p.End;
                for (long r = p.Index; r < p.End; r++)
                {
                    actual[r - from] = (p.Entry.Source, p.OffsetInEntry + (r - p.Index), p.IsHole);
                }
            }

            Assert.True(expected.SequenceEqual(actual), $"seed {seed}: visible pieces differ from the model");

            // Every candidate record is either visible from its entry or reported covered, never both.
            long candidateRecords = entries.Where(e => e.Version <= VersionStamp.ReadBound(read) && e.Version > punchBound)
                .Sum(e => Math.Max(0, Math.Min(e.End, to) - Math.Max(e.Index, from)));
            Assert.True(candidateRecords == visible.Sum(p => p.Count) + covered.Sum(p => p.Count), $"seed {seed}: visible + covered != candidates");
        }
    }
}

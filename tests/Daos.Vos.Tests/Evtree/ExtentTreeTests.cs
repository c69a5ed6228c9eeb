using Daos.Harness.Storage;
using Daos.Vos.Evtree;
using Daos.Vos.Umem;
using Daos.Vos.Versioning;
using FsCheck;
using FsCheck.Fluent;
using Xunit.Abstractions;
using static Daos.Vos.Tests.Umem.HeapTestKit;

namespace Daos.Vos.Tests.Evtree;

/// <summary>
/// The extent tree against a plain list: random inserts and removes of extents at random versions, some
/// transactions aborted, and overlap searches over random ranges must return exactly the list's overlapping
/// entries in (index, version) order, with every kept largest end exact (<c>Verify</c>). Resolving visibility from
/// the searched entries equals resolving it from all of them. A search among many disjoint extents reads a few
/// nodes per level, not the tree.
/// </summary>
public sealed class ExtentTreeTests(ITestOutputHelper output)
{
    private const long RootAt = UmemHeap.RootOffset;

    [Fact]
    public void Random_extent_programs_match_a_list()
    {
        long searches = 0;
        Prop.ForAll(ArbMap.Default.ArbFor<ulong>(), seed =>
        {
            searches += Run(seed);
            return true;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(60));
        output.WriteLine($"{searches} overlap searches checked");
    }

    [Fact]
    public void A_search_among_disjoint_extents_reads_only_the_path_to_them()
    {
        using UmemHeap heap = Create(NewMedium(), Options(heapBytes: 8L << 20, walBytes: 1L << 20));
        UmemTransaction tx = heap.Begin();
        ExtentTree tree = ExtentTree.Create(tx, RootAt, order: 16);
        for (int i = 0; i < 20_000; i++)
        {
            tree.Insert(tx, new ExtentEntry(i * 10L, 5, new VersionStamp((ulong)(i % 7) + 1, 1), false, i));
            if (i % 500 == 499)
            {
                Commit(tx);
                tx = heap.Begin();
            }
        }

        Commit(tx);
        Assert.Equal(20_000, tree.Tree.Verify());
        int depth = heap.Read<byte>(RootAt + Daos.Vos.Btree.BtreeFormat.RootDepthAt);
        var found = new List<ExtentEntry>();
        for (long from = 0; from < 200_000; from += 9_973)
        {
            found.Clear();
            long nodes = tree.FindOverlapping(from, from + 30, found);
            int expected = 0;
            for (long i = 0; i < 20_000; i++)
            {
                expected += i * 10 < from + 30 && i * 10 + 5 > from ? 1 : 0;
            }

            Assert.Equal(expected, found.Count);
            Assert.True(nodes <= 3 * depth, $"search at {from} read {nodes} nodes of a depth-{depth} tree");
        }
    }

    [Fact]
    public void One_long_extent_is_found_from_anywhere_inside_it()
    {
        using UmemHeap heap = Create(NewMedium(), Options(heapBytes: 4L << 20, walBytes: 1L << 20));
        UmemTransaction tx = heap.Begin();
        ExtentTree tree = ExtentTree.Create(tx, RootAt, order: 4);
        tree.Insert(tx, new ExtentEntry(0, 1_000_000, new VersionStamp(1, 1), false, 7));
        for (int i = 1; i < 300; i++)
        {
            tree.Insert(tx, new ExtentEntry(i * 100L, 10, new VersionStamp(2, (ushort)i), i % 3 == 0, i));
        }

        Commit(tx);
        var found = new List<ExtentEntry>();
        tree.FindOverlapping(999_990, 1_000_000, found);
        Assert.Equal(new ExtentEntry(0, 1_000_000, new VersionStamp(1, 1), false, 7), Assert.Single(found));
        found.Clear();
        tree.FindOverlapping(1_000_000, 2_000_000, found);
        Assert.Empty(found);
        found.Clear();
        tree.FindOverlapping(1_205, 1_206, found);
        Assert.Equal([0L, 1_200], found.Select(e => e.Index));
    }

    private static long Run(ulong seed)
    {
        var random = new DeterministicRandom(seed);
        int order = random.Chance(0.5) ? random.Next(3, 7) : random.Next(3, 65);
        long span = random.Chance(0.5) ? 64 : 100_000;
        string where = $"seed {seed}, order {order}, index span {span}";
        var medium = new SimulatedMedium("evtree");
        using UmemHeap heap = Create(medium, Options(heapBytes: 2L << 20, walBytes: 512L << 10));
        UmemTransaction tx = heap.Begin();
        ExtentTree tree = ExtentTree.Create(tx, RootAt, order);
        Commit(tx);
        long baseline = heap.Space.UsedBytes;
        var model = new List<ExtentEntry>();
        var resolver = new ExtentVisibility();
        var found = new List<ExtentEntry>();
        var fromTree = new List<VisibleExtent>();
        var fromModel = new List<VisibleExtent>();
        long searches = 0;
        ushort minor = 0;
        for (int t = 0; t < 40; t++)
        {
            bool abort = random.Chance(0.2);
            var before = new List<ExtentEntry>(model);
            tx = heap.Begin();
            int ops = random.Next(1, 12);
            for (int o = 0; o < ops; o++)
            {
                if (model.Count > 0 && random.Chance(0.3))
                {
                    ExtentEntry victim = model[random.Next(model.Count)];
                    Assert.True(tree.Remove(tx, victim.Index, victim.Version), $"{where}: remove missed {victim}");
                    model.Remove(victim);
                    continue;
                }

                long index = (long)random.NextUInt64((ulong)span);
                long count = random.Chance(0.1) ? 1 + (long)random.NextUInt64((ulong)span) : 1 + random.Next(16);
                var entry = new ExtentEntry(index, count, new VersionStamp((ulong)random.Next(1, 30), ++minor), random.Chance(0.1),
                    random.Next(1_000_000));
                Assert.True(tree.Insert(tx, entry), $"{where}: insert refused {entry}");
                model.Add(entry);
            }

            if (abort)
            {
                tx.Abort();
                model = before;
            }
            else
            {
                Commit(tx);
            }

            Assert.True(tree.Tree.Verify() == model.Count, $"{where}, transaction {t}: record count");
            model.Sort(static (x, y) => x.Index != y.Index ? x.Index.CompareTo(y.Index) : x.Version.CompareTo(y.Version));
            for (int q = 0; q < 5; q++)
            {
                long from = (long)random.NextUInt64((ulong)(span + 20));
                long to = from + 1 + (long)random.NextUInt64((ulong)(random.Chance(0.5) ? 8 : span));
                found.Clear();
                tree.FindOverlapping(from, to, found);
                List<ExtentEntry> expected = model.FindAll(e => e.Index < to && e.End > from);
                Assert.True(expected.SequenceEqual(found),
                    $"{where}, transaction {t}: [{from}, {to}) found {string.Join(" ", found)}, expected {string.Join(" ", expected)}");

                var bound = VersionStamp.ReadBound((ulong)random.Next(1, 31));
                fromTree.Clear();
                fromModel.Clear();
                resolver.Resolve(found, from, to, bound, VersionStamp.Zero, fromTree);
                resolver.Resolve(model, from, to, bound, VersionStamp.Zero, fromModel);
                Assert.True(fromModel.SequenceEqual(fromTree), $"{where}, transaction {t}: visibility over [{from}, {to}) differs");
                searches++;
            }
        }

        tx = heap.Begin();
        while (!tree.Tree.DestroySlice(tx, 2))
        {
        }

        Commit(tx);
        Assert.True(heap.Space.UsedBytes == baseline, $"{where}: destroy left {heap.Space.UsedBytes - baseline} bytes");
        return searches;
    }
}

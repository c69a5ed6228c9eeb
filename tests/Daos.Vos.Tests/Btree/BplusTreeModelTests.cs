using Daos.Harness.Storage;
using Daos.Vos.Btree;
using Daos.Vos.Umem;
using FsCheck;
using FsCheck.Fluent;
using Xunit.Abstractions;
using static Daos.Vos.Tests.Btree.TreeTestKit;
using static Daos.Vos.Tests.Umem.HeapTestKit;

namespace Daos.Vos.Tests.Btree;

/// <summary>
/// The B+tree against a SortedDictionary with the same order: random transactions of inserts (overwriting or
/// insert-only), deletes, lookups and seeks, a fifth of them aborted, with random orders 3..64, every key class,
/// with and without an embedded first record, sliced destroys and reopening the heap. After every transaction the
/// tree holds exactly the model's records in the model's order, passes <see cref="BplusTree.Verify"/>, and the
/// heap's used bytes say nothing leaked or was freed twice; an abort restores the tree and the used bytes exactly.
/// A failure names its seed and shape.
/// </summary>
public sealed class BplusTreeModelTests(ITestOutputHelper output)
{
    [Fact]
    public void Random_programs_match_the_sorted_dictionary()
    {
        long checks = 0;
        Prop.ForAll(ArbMap.Default.ArbFor<ulong>(), seed =>
        {
            checks += Run(seed, steps: 60, Shape(seed));
            return true;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(80));
        output.WriteLine($"{checks} transactions checked");
    }

    [Fact]
    [Trait("Category", "Soak")]
    public void Soak_random_programs_match_the_sorted_dictionary()
    {
        long checks = 0;
        Prop.ForAll(ArbMap.Default.ArbFor<ulong>(), seed =>
        {
            checks += Run(seed, steps: 400, Shape(seed));
            return true;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(5_000));
        output.WriteLine($"{checks} transactions checked");
    }

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(8)]
    [InlineData(30)]
    [InlineData(64)]
    public void Long_programs_at_fixed_orders_match_the_sorted_dictionary(int order)
    {
        foreach (BtreeKeyClass keyClass in Classes)
        {
            ulong seed = (ulong)order * 1000 + (ulong)keyClass;
            Run(seed, steps: 100, (keyClass, order, 16, (seed & 1) == 0 ? BtreeFeatures.EmbedFirst : BtreeFeatures.None, 600));
        }
    }

    [Fact]
    public void Growing_to_thousands_of_records_and_deleting_them_all_frees_every_node()
    {
        foreach (BtreeKeyClass keyClass in Classes)
        {
            var medium = new SimulatedMedium("btree");
            (UmemHeap heap, BplusTree tree) = NewTree(medium, keyClass, order: 5, valueBytes: 8, BtreeFeatures.EmbedFirst);
            using (heap)
            {
                long baseline = heap.Space.UsedBytes;
                var random = new DeterministicRandom(7);
                int[] keys = [.. Enumerable.Range(0, 5000).OrderBy(_ => random.NextUInt64())];
                UmemTransaction tx = heap.Begin();
                for (int i = 0; i < keys.Length; i++)
                {
                    Assert.Equal(BtreeInsertStatus.Inserted, tree.Insert(tx, KeyFor(keyClass, keys[i]), BitConverter.GetBytes((long)keys[i])));
                    if (i % 100 == 99)
                    {
                        Commit(tx);
                        tx = heap.Begin();
                    }
                }

                Commit(tx);
                Assert.Equal(5000, tree.Verify());
                tx = heap.Begin();
                for (int i = keys.Length - 1; i >= 0; i--)
                {
                    Assert.True(tree.Delete(tx, KeyFor(keyClass, keys[i])), $"{keyClass}: key {keys[i]} vanished");
                    if (i % 100 == 0)
                    {
                        Commit(tx);
                        tree.Verify();
                        tx = heap.Begin();
                    }
                }

                Commit(tx);
                Assert.Equal(0, tree.Verify());
                Assert.True(tree.IsEmpty);
                Assert.Equal(baseline, heap.Space.UsedBytes);
            }
        }
    }

    private static (BtreeKeyClass KeyClass, int Order, int ValueBytes, BtreeFeatures Features, int KeyDomain) Shape(ulong seed)
    {
        var random = new DeterministicRandom(seed);
        BtreeKeyClass keyClass = Classes[random.Next(Classes.Length)];
        int order = random.Chance(0.5) ? random.Next(3, 9) : random.Next(3, 65);
        int valueBytes = 8 * random.Next(0, 9);
        BtreeFeatures features = random.Chance(0.5) ? BtreeFeatures.EmbedFirst : BtreeFeatures.None;
        int domain = random.Chance(0.3) ? random.Next(1, 8) : random.Next(20, 400);
        return (keyClass, order, valueBytes, features, domain);
    }

    private static long Run(ulong seed, int steps, (BtreeKeyClass KeyClass, int Order, int ValueBytes, BtreeFeatures Features, int KeyDomain) shape)
    {
        string where = $"seed {seed}, {shape.KeyClass} order {shape.Order} value {shape.ValueBytes} B {shape.Features} domain {shape.KeyDomain}";
        var random = new DeterministicRandom(seed ^ 0x5EED);
        var medium = new SimulatedMedium("btree");
        UmemOptions options = TreeOptions();
        (UmemHeap heap, BplusTree tree) = NewTree(medium, shape.KeyClass, shape.Order, shape.ValueBytes, shape.Features, options);
        IComparer<byte[]> order = ModelOrder(shape.KeyClass);
        var model = new SortedDictionary<byte[], byte[]>(order);
        long baseline = heap.Space.UsedBytes;
        byte[] value = new byte[shape.ValueBytes];
        try
        {
            for (int step = 0; step < steps; step++)
            {
                string at = $"{where}, transaction {step}";
                if (random.Chance(0.03))
                {
                    List<string> released = DestroyInSlices(heap, tree, random);
                    List<string> expected = [.. model.Values.Select(Convert.ToHexString)];
                    released.Sort(StringComparer.Ordinal);
                    expected.Sort(StringComparer.Ordinal);
                    Assert.True(released.SequenceEqual(expected), $"{at}: destroy released {released.Count} values, the model held {expected.Count}");
                    model.Clear();
                    Assert.True(heap.Space.UsedBytes == baseline, $"{at}: destroy left {heap.Space.UsedBytes - baseline} bytes in use");
                }
                else if (random.Chance(0.03))
                {
                    heap.Dispose();
                    heap = Open(medium, options);
                    tree = BplusTree.Open(heap, RootAt);
                }

                bool abort = random.Chance(0.2);
                var before = new SortedDictionary<byte[], byte[]>(model, order);
                long usedBefore = heap.Space.UsedBytes;
                UmemTransaction tx = heap.Begin();
                int ops = random.Next(1, 16);
                for (int o = 0; o < ops; o++)
                {
                    byte[] key = KeyFor(shape.KeyClass, random.Next(shape.KeyDomain));
                    int kind = random.Next(100);
                    if (kind < 50)
                    {
                        random.NextBytes(value);
                        bool overwrite = random.Chance(0.8);
                        BtreeInsertStatus expected = !model.ContainsKey(key) ? BtreeInsertStatus.Inserted
                            : overwrite ? BtreeInsertStatus.Updated : BtreeInsertStatus.Exists;
                        BtreeInsertStatus status = tree.Insert(tx, key, value, overwrite);
                        Assert.True(status == expected, $"{at}: insert answered {status}, expected {expected}");
                        if (status != BtreeInsertStatus.Exists)
                        {
                            model[key] = (byte[])value.Clone();
                        }
                    }
                    else if (kind < 80)
                    {
                        byte[] old = new byte[shape.ValueBytes];
                        bool deleted = tree.Delete(tx, key, old);
                        bool expected = model.Remove(key, out byte[]? modelOld);
                        Assert.True(deleted == expected, $"{at}: delete answered {deleted}, expected {expected}");
                        Assert.True(!deleted || old.AsSpan().SequenceEqual(modelOld), $"{at}: delete returned the wrong old value");
                    }
                    else if (kind < 90)
                    {
                        byte[] got = new byte[shape.ValueBytes];
                        bool found = tree.TryGet(key, got);
                        Assert.True(found == model.TryGetValue(key, out byte[]? want), $"{at}: lookup found {found}");
                        Assert.True(!found || got.AsSpan().SequenceEqual(want), $"{at}: lookup returned the wrong value");
                    }
                    else
                    {
                        CheckSeek(tree, model, order, key, at);
                    }
                }

                if (abort)
                {
                    tx.Abort();
                    model = before;
                    Assert.True(heap.Space.UsedBytes == usedBefore, $"{at}: abort left used bytes at {heap.Space.UsedBytes}, not {usedBefore}");
                }
                else
                {
                    Commit(tx);
                }

                CheckContents(tree, model, at);
            }

            // Empty the tree key by key: every node and key block must come back.
            UmemTransaction last = heap.Begin();
            int deletes = 0;
            foreach (byte[] key in model.Keys)
            {
                Assert.True(tree.Delete(last, key), $"{where}: a key vanished before the final delete");
                if (++deletes % 25 == 0)
                {
                    Commit(last);
                    last = heap.Begin();
                }
            }

            Commit(last);
            Assert.True(tree.IsEmpty, $"{where}: the tree is not empty after deleting every key");
            Assert.True(heap.Space.UsedBytes == baseline, $"{where}: {heap.Space.UsedBytes - baseline} bytes leaked");
            return steps;
        }
        finally
        {
            heap.Dispose();
        }
    }

    private static List<string> DestroyInSlices(UmemHeap heap, BplusTree tree, DeterministicRandom random)
    {
        var released = new List<string>();
        for (bool done = false; !done;)
        {
            UmemTransaction tx = heap.Begin();
            done = tree.DestroySlice(tx, random.Next(1, 4), s_release, released);
            _ = Contents(tree); // A tree part way through its destroy stays readable.
            Commit(tx);
        }

        return released;
    }

    private static readonly BtreeValueRelease s_release = static (_, value, state) =>
        ((List<string>)state!).Add(Convert.ToHexString(value));

    private static void CheckSeek(BplusTree tree, SortedDictionary<byte[], byte[]> model, IComparer<byte[]> order, byte[] probe, string at)
    {
        BplusTree.Cursor cursor = tree.OpenCursor();
        bool more = cursor.Seek(probe);
        int seen = 0;
        foreach (KeyValuePair<byte[], byte[]> pair in model)
        {
            if (order.Compare(pair.Key, probe) < 0)
            {
                continue;
            }

            if (seen++ == 20)
            {
                return;
            }

            Assert.True(more, $"{at}: seek ended early at {Convert.ToHexString(pair.Key)}");
            Assert.True(cursor.Key.SequenceEqual(pair.Key) && cursor.Value.SequenceEqual(pair.Value),
                $"{at}: seek from {Convert.ToHexString(probe)} gave {Convert.ToHexString(cursor.Key)}, expected {Convert.ToHexString(pair.Key)}");
            more = cursor.MoveNext();
        }

        Assert.False(more, $"{at}: seek yielded records the model does not have");
    }

    private static void CheckContents(BplusTree tree, SortedDictionary<byte[], byte[]> model, string at)
    {
        long count = tree.Verify();
        Assert.True(count == model.Count, $"{at}: the tree holds {count} records, the model {model.Count}");
        List<(byte[] Key, byte[] Value)> records = Contents(tree);
        int i = 0;
        foreach (KeyValuePair<byte[], byte[]> pair in model)
        {
            Assert.True(records[i].Key.AsSpan().SequenceEqual(pair.Key) && records[i].Value.AsSpan().SequenceEqual(pair.Value),
                $"{at}: record {i} differs: tree {Describe(records)}");
            i++;
        }
    }
}

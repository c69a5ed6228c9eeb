using System.Buffers.Binary;
using Daos.Harness.Storage;
using Daos.Vos.Btree;
using Daos.Vos.Umem;
using static Daos.Vos.Tests.Btree.TreeTestKit;
using static Daos.Vos.Tests.Umem.HeapTestKit;

namespace Daos.Vos.Tests.Btree;

/// <summary>
/// Bad arguments are typed errors that change nothing; damaged roots, nodes and key blocks are
/// <see cref="DaosError.Corrupted"/> on every path that reads them (lookup, insert, delete, seek, verify, destroy),
/// never a crash, a wrong answer from a checked node, or a loop.
/// </summary>
public sealed class BplusTreeBadInputTests
{
    [Theory]
    [InlineData((int)BtreeKeyClass.UInt64, 2, 8, (int)BtreeFeatures.None)]
    [InlineData((int)BtreeKeyClass.UInt64, 129, 8, (int)BtreeFeatures.None)]
    [InlineData((int)BtreeKeyClass.UInt64, 8, 7, (int)BtreeFeatures.None)]
    [InlineData((int)BtreeKeyClass.UInt64, 8, 72, (int)BtreeFeatures.None)]
    [InlineData((int)BtreeKeyClass.Hashed, 8, 8, (int)BtreeFeatures.MaxEnd)]
    [InlineData((int)BtreeKeyClass.Triple64, 8, 0, (int)BtreeFeatures.MaxEnd)]
    [InlineData(9, 8, 8, (int)BtreeFeatures.None)]
    [InlineData((int)BtreeKeyClass.UInt64, 8, 8, 4)]
    public void Bad_shapes_are_refused(int keyClassNumber, int order, int valueBytes, int featureBits)
    {
        var keyClass = (BtreeKeyClass)keyClassNumber;
        var features = (BtreeFeatures)featureBits;
        using UmemHeap heap = Create(NewMedium(), TreeOptions());
        using UmemTransaction tx = heap.Begin();
        var e = Assert.Throws<DaosException>(() => BplusTree.Create(tx, RootAt, keyClass, order, valueBytes, features));
        Assert.Equal(DaosError.InvalidArgument, e.Error);
    }

    [Fact]
    public void Bad_keys_and_values_are_refused_and_change_nothing()
    {
        var medium = NewMedium();
        (UmemHeap heap, BplusTree hashed) = NewTree(medium, BtreeKeyClass.Hashed, 4, 8, BtreeFeatures.EmbedFirst);
        using (heap)
        {
            UmemTransaction tx = heap.Begin();
            BplusTree numbers = BplusTree.Create(tx, RootAt + 256, BtreeKeyClass.UInt64, 4, 8);
            Commit(tx);
            ulong before = ImageHash(heap);
            tx = heap.Begin();
            Assert.Equal(DaosError.InvalidArgument, Assert.Throws<DaosException>(() => hashed.Insert(tx, [], new byte[8])).Error);
            Assert.Equal(DaosError.KeyTooBig, Assert.Throws<DaosException>(() => hashed.Insert(tx, new byte[4097], new byte[8])).Error);
            Assert.Equal(DaosError.InvalidArgument, Assert.Throws<DaosException>(() => hashed.Insert(tx, [1], new byte[16])).Error);
            Assert.Equal(DaosError.InvalidArgument, Assert.Throws<DaosException>(() => numbers.Insert(tx, new byte[7], new byte[8])).Error);
            Assert.Equal(DaosError.InvalidArgument, Assert.Throws<DaosException>(() => numbers.Delete(tx, new byte[9])).Error);
            Assert.Equal(DaosError.InvalidArgument, Assert.Throws<DaosException>(() => numbers.TryGet(new byte[4], new byte[8])).Error);
            Assert.Equal(DaosError.InvalidArgument, Assert.Throws<DaosException>(() => numbers.OpenCursor().Seek([])).Error);
            Commit(tx);
            Assert.Equal(before, ImageHash(heap));
        }
    }

    [Fact]
    public void A_damaged_or_foreign_root_is_refused()
    {
        var medium = NewMedium();
        (UmemHeap heap, BplusTree tree) = NewTree(medium, BtreeKeyClass.UInt64, 4, 8, BtreeFeatures.None);
        using (heap)
        {
            Fill(heap, tree, BtreeKeyClass.UInt64, 50);
            Assert.Equal(DaosError.Corrupted, Assert.Throws<DaosException>(() => BplusTree.Open(heap, RootAt + 512)).Error);
            Assert.Equal(DaosError.Corrupted, Assert.Throws<DaosException>(() => BplusTree.Open(heap, 3)).Error);
            Assert.Equal(DaosError.Corrupted, Assert.Throws<DaosException>(() => BplusTree.Open(heap, heap.SizeBytes - 8)).Error);
            int rootBytes = BtreeFormat.RootBytes(8);
            for (int bit = 0; bit < rootBytes * 8; bit++)
            {
                using UmemTransaction tx = heap.Begin();
                Flip(tx, heap, RootAt, bit);
                var e = Assert.Throws<DaosException>(() => BplusTree.Open(heap, RootAt).Verify());
                Assert.True(e.Error is DaosError.Corrupted or DaosError.DurableFormatIncompatible, $"bit {bit}: {e.Error}");
                Assert.Equal(DaosError.Corrupted, Assert.Throws<DaosException>(() => tree.TryGet(KeyFor(BtreeKeyClass.UInt64, 1), new byte[8])).Error);
            }

            // A newer layout version with a valid checksum is refused as incompatible.
            using (UmemTransaction tx = heap.Begin())
            {
                byte[] root = heap.Read(RootAt, rootBytes).ToArray();
                root[BtreeFormat.RootVersionAt] = BtreeFormat.Version + 1;
                tx.Write(RootAt, root);
                Assert.Equal(DaosError.DurableFormatIncompatible, Assert.Throws<DaosException>(() => BplusTree.Open(heap, RootAt)).Error);
            }

            Assert.Equal(50, BplusTree.Open(heap, RootAt).Verify());
        }
    }

    [Theory]
    [InlineData((int)BtreeKeyClass.Hashed)]
    [InlineData((int)BtreeKeyClass.Lexical)]
    [InlineData((int)BtreeKeyClass.Triple64)]
    public void Every_bit_flip_in_a_node_or_key_block_is_corrupted_on_every_path(int keyClassNumber)
    {
        var keyClass = (BtreeKeyClass)keyClassNumber;
        var medium = NewMedium();
        (UmemHeap heap, BplusTree tree) = NewTree(medium, keyClass, 4, 8, BtreeFeatures.None);
        using (heap)
        {
            Fill(heap, tree, keyClass, 40);
            long rootNode = heap.Read<long>(RootAt + BtreeFormat.RootNodeAt);
            int depth = heap.Read<byte>(RootAt + BtreeFormat.RootDepthAt);
            Assert.True(depth >= 3, $"depth {depth}");
            int rootNodeBytes = BtreeFormat.NodeHeaderBytes + heap.Read<ushort>(rootNode + BtreeFormat.NodeCountAt) * (BtreeFormat.SlotBytes(keyClass) + 8);
            var targets = new List<(long At, int Bytes)> { (rootNode, rootNodeBytes) };
            if (BtreeFormat.IsVariable(keyClass))
            {
                long secondSeparatorBlock = heap.Read<long>(rootNode + BtreeFormat.NodeHeaderBytes + 24 + 8);
                targets.Add((secondSeparatorBlock, BtreeFormat.KeyBlockHeaderBytes + heap.Read<ushort>(secondSeparatorBlock)));
            }

            var random = new DeterministicRandom((ulong)keyClass);
            foreach ((long at, int bytes) in targets)
            {
                for (int bit = 0; bit < bytes * 8; bit += 1 + random.Next(3))
                {
                    string where = $"{keyClass}: bit {bit} of {bytes * 8} at heap offset {at}";
                    using UmemTransaction tx = heap.Begin();
                    Flip(tx, heap, at, bit);
                    bool isNode = at == rootNode;
                    AssertCorrupted(where, () => tree.Verify());
                    if (isNode)
                    {
                        AssertCorrupted(where, () => Contents(tree));
                    }
                    else
                    {
                        // A walk in order never compares separators: it reads only intact leaves.
                        Assert.Equal(40, Contents(tree).Count);
                    }

                    int misses = 0;
                    for (int k = 0; k < 40; k++)
                    {
                        try
                        {
                            byte[] value = new byte[8];
                            Assert.True(tree.TryGet(KeyFor(keyClass, k), value), $"{where}: key {k} lost without an error");
                            Assert.Equal(k, BitConverter.ToInt64(value));
                        }
                        catch (DaosException e) when (e.Error == DaosError.Corrupted)
                        {
                            misses++;
                        }
                    }

                    Assert.True(misses > 0, $"{where}: no lookup noticed the damage");
                    if (isNode)
                    {
                        AssertCorrupted(where, () => tree.Insert(tx, KeyFor(keyClass, 1000), new byte[8]));
                        AssertCorrupted(where, () => tree.Delete(tx, KeyFor(keyClass, 3)));
                    }
                }
            }

            Assert.Equal(40, tree.Verify());
        }
    }

    [Fact]
    public void A_child_pointing_back_up_is_corrupted_not_a_loop()
    {
        var medium = NewMedium();
        (UmemHeap heap, BplusTree tree) = NewTree(medium, BtreeKeyClass.UInt64, 3, 8, BtreeFeatures.None);
        using (heap)
        {
            Fill(heap, tree, BtreeKeyClass.UInt64, 30);
            long rootNode = heap.Read<long>(RootAt + BtreeFormat.RootNodeAt);
            using UmemTransaction tx = heap.Begin();
            // Point the root's last child at the root itself and re-stamp the node's checksum, as a bug might.
            int count = heap.Read<ushort>(rootNode + BtreeFormat.NodeCountAt);
            tx.Write(rootNode + BtreeFormat.NodeHeaderBytes + (count - 1) * 16 + 8, rootNode);
            byte[] node = heap.Read(rootNode, BtreeFormat.NodeHeaderBytes + count * 16).ToArray();
            BinaryPrimitives.WriteUInt32LittleEndian(node.AsSpan(BtreeFormat.NodeCrcAt), 0);
            tx.Write(rootNode + BtreeFormat.NodeCrcAt, Crc32C.Compute(node));
            AssertCorrupted("self-referencing child", () => tree.Verify());
            AssertCorrupted("self-referencing child", () => Contents(tree));
            AssertCorrupted("self-referencing child", () => tree.DestroySlice(tx, 1000));
        }
    }

    private static void Fill(UmemHeap heap, BplusTree tree, BtreeKeyClass keyClass, int count)
    {
        UmemTransaction tx = heap.Begin();
        for (int k = 0; k < count; k++)
        {
            tree.Insert(tx, KeyFor(keyClass, k), BitConverter.GetBytes((long)k));
        }

        Commit(tx);
        Assert.Equal(count, tree.Verify());
    }

    private static void Flip(UmemTransaction tx, UmemHeap heap, long at, int bit)
    {
        long offset = at + bit / 8;
        tx.Write(offset, (byte)(heap.Read<byte>(offset) ^ (1 << (bit % 8))));
    }

    private static void AssertCorrupted(string where, Action action)
    {
        var e = Assert.Throws<DaosException>(action);
        Assert.True(e.Error == DaosError.Corrupted, $"{where}: {e.Error} ({e.Message})");
    }

    private static void AssertCorrupted(string where, Func<object> action) => AssertCorrupted(where, () => { action(); });
}

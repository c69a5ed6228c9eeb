using System.Buffers.Binary;
using Daos.Vos.Umem;

namespace Daos.Vos.Btree;

internal sealed partial class BplusTree
{
    /// <summary>Node images being edited: a node may briefly hold one entry more than the order before it splits.</summary>
    private const int WorkBytes = BtreeFormat.NodeHeaderBytes + (BtreeFormat.OrderMax + 1) * (24 + BtreeFormat.ValueBytesMax);

    [ThreadStatic]
    private static byte[]? t_work0;

    [ThreadStatic]
    private static byte[]? t_work1;

    [ThreadStatic]
    private static byte[]? t_work2;

    private static byte[] Work0 => t_work0 ??= new byte[WorkBytes];

    private static byte[] Work1 => t_work1 ??= new byte[WorkBytes];

    private static byte[] Work2 => t_work2 ??= new byte[WorkBytes];

    /// <summary>
    /// Inserts <paramref name="key"/> with <paramref name="value"/> (exactly <see cref="ValueBytes"/> bytes). An
    /// existing key gets the new value when <paramref name="overwrite"/>, otherwise nothing changes and the answer
    /// is <see cref="BtreeInsertStatus.Exists"/>. Full nodes split on the way back up; a full root grows the tree.
    /// </summary>
    public BtreeInsertStatus Insert(UmemTransaction tx, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, bool overwrite = true)
    {
        if (value.Length != ValueBytes)
        {
            throw new DaosException(DaosError.InvalidArgument, $"a value of this B+tree is {ValueBytes} bytes, not {value.Length}");
        }

        var probe = MakeProbe(key);
        RootView root = ReadRoot();
        Span<byte> newRoot = stackalloc byte[RootBytes];
        root.Bytes.CopyTo(newRoot);
        if (root.State == BtreeFormat.StateEmpty)
        {
            if ((Features & BtreeFeatures.EmbedFirst) != 0)
            {
                NewSlot(tx, probe, newRoot[BtreeFormat.RootSlotAt..]);
                value.CopyTo(newRoot[BtreeFormat.RootValueAt..]);
                newRoot[BtreeFormat.RootStateAt] = BtreeFormat.StateEmbedded;
                WriteRoot(tx, newRoot);
                return BtreeInsertStatus.Inserted;
            }

            long first = AllocateNode(tx);
            byte[] one = Work0;
            NewSlot(tx, probe, one.AsSpan(EntryAt(0, 0), _slotBytes));
            value.CopyTo(one.AsSpan(EntryAt(0, 0) + _slotBytes));
            StoreNode(tx, first, 0, one, 1, 0);
            SetRootNodes(newRoot, first, 1);
            WriteRoot(tx, newRoot);
            return BtreeInsertStatus.Inserted;
        }

        if (root.State == BtreeFormat.StateEmbedded)
        {
            int c = Compare(probe, root.Bytes[BtreeFormat.RootSlotAt..]);
            if (c == 0)
            {
                if (!overwrite)
                {
                    return BtreeInsertStatus.Exists;
                }

                value.CopyTo(newRoot[BtreeFormat.RootValueAt..]);
                WriteRoot(tx, newRoot);
                return BtreeInsertStatus.Updated;
            }

            // The second record: the embedded one moves (with its key block) into the first leaf.
            long leaf = AllocateNode(tx);
            byte[] two = Work0;
            int embeddedAt = EntryAt(0, c < 0 ? 1 : 0);
            int newAt = EntryAt(0, c < 0 ? 0 : 1);
            root.Bytes.Slice(BtreeFormat.RootSlotAt, _slotBytes).CopyTo(two.AsSpan(embeddedAt));
            root.Bytes.Slice(BtreeFormat.RootValueAt, ValueBytes).CopyTo(two.AsSpan(embeddedAt + _slotBytes));
            NewSlot(tx, probe, two.AsSpan(newAt, _slotBytes));
            value.CopyTo(two.AsSpan(newAt + _slotBytes));
            StoreNode(tx, leaf, 0, two, 2, 0);
            SetRootNodes(newRoot, leaf, 2 - 1);
            newRoot[BtreeFormat.RootValueAt..].Clear();
            WriteRoot(tx, newRoot);
            return BtreeInsertStatus.Inserted;
        }

        int depth = root.Depth;
        Span<long> pathNodes = stackalloc long[BtreeFormat.DepthMax];
        Span<int> pathIndexes = stackalloc int[BtreeFormat.DepthMax];
        long node = DescendToLeaf(root.Node, depth, probe, pathNodes, pathIndexes);

        ReadOnlySpan<byte> leafNode = ReadNode(node, 0);
        int count = CountOf(leafNode);
        int pos = LeafSearch(leafNode, count, probe, out bool found);
        if (found)
        {
            if (!overwrite)
            {
                return BtreeInsertStatus.Exists;
            }

            tx.Write(node + EntryAt(0, pos) + _slotBytes, value);
            Restamp(tx, node);
            if (HasMaxEnd)
            {
                PropagateMaxEnd(tx, pathNodes, pathIndexes, 1, depth, NodeMaxEnd(ReadNode(node, 0), 0, count));
            }

            return BtreeInsertStatus.Updated;
        }

        byte[] work = Work0;
        leafNode.CopyTo(work);
        InsertEntry(work, 0, count, pos);
        NewSlot(tx, probe, work.AsSpan(EntryAt(0, pos), _slotBytes));
        value.CopyTo(work.AsSpan(EntryAt(0, pos) + _slotBytes));
        Cascade(tx, newRoot, pathNodes, pathIndexes, depth, node, count + 1, pos);
        return BtreeInsertStatus.Inserted;
    }

    /// <summary>Opens a gap for one entry at <paramref name="index"/> in a node image holding <paramref name="count"/>.</summary>
    private void InsertEntry(byte[] node, int level, int count, int index)
    {
        int from = EntryAt(level, index);
        node.AsSpan(from, EntryAt(level, count) - from).CopyTo(node.AsSpan(from + EntryBytes(level)));
    }

    private void RemoveEntry(Span<byte> node, int level, int count, int index)
    {
        int from = EntryAt(level, index + 1);
        node[from..EntryAt(level, count)].CopyTo(node[EntryAt(level, index)..]);
    }

    private void SetInternalEntry(Span<byte> node, int index, ReadOnlySpan<byte> slot, long child, ulong maxEnd)
    {
        int at = EntryAt(1, index);
        slot[.._slotBytes].CopyTo(node[at..]);
        BinaryPrimitives.WriteInt64LittleEndian(node[(at + _slotBytes)..], child);
        if (HasMaxEnd)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(node[(at + _slotBytes + 8)..], maxEnd);
        }
    }

    private void SetMaxEnd(Span<byte> node, int index, ulong maxEnd)
    {
        if (HasMaxEnd)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(node[(EntryAt(1, index) + _slotBytes + 8)..], maxEnd);
        }
    }

    /// <summary>
    /// Writes back the node image in Work0 (a leaf first) holding <paramref name="count"/>
    /// entries, splitting it when it holds more than the order and inserting the new right half into the parent,
    /// up to a new root when the root splits.
    /// </summary>
    private void Cascade(UmemTransaction tx, Span<byte> newRoot, ReadOnlySpan<long> pathNodes, ReadOnlySpan<int> pathIndexes,
        int depth, long node, int count, int dirtyFrom)
    {
        byte[] work = Work0;
        byte[] right = Work1;
        Span<byte> separator = stackalloc byte[24];
        for (int level = 0; ; level++)
        {
            if (count <= Order)
            {
                StoreNode(tx, node, level, work, count, dirtyFrom);
                if (HasMaxEnd)
                {
                    PropagateMaxEnd(tx, pathNodes, pathIndexes, level + 1, depth, NodeMaxEnd(work, level, count));
                }

                return;
            }

            int leftCount = count / 2;
            int rightCount = count - leftCount;
            long rightNode = AllocateNode(tx);
            work.AsSpan(EntryAt(level, leftCount), rightCount * EntryBytes(level)).CopyTo(right.AsSpan(EntryAt(level, 0)));
            if (level == 0)
            {
                // Leaves keep their keys; the parent gets its own copy as the separator.
                CopySlot(tx, SlotOf(right, 0, 0), separator);
            }
            else
            {
                // An internal node's first separator moves up: entry 0 of a node carries no key.
                SlotOf(right, level, 0).CopyTo(separator);
                right.AsSpan(EntryAt(level, 0), _slotBytes).Clear();
            }

            StoreNode(tx, rightNode, level, right, rightCount, 0);
            StoreNode(tx, node, level, work, leftCount, dirtyFrom);
            ulong leftMax = HasMaxEnd ? NodeMaxEnd(work, level, leftCount) : 0;
            ulong rightMax = HasMaxEnd ? NodeMaxEnd(right, level, rightCount) : 0;
            if (level == depth - 1)
            {
                if (depth == BtreeFormat.DepthMax)
                {
                    throw new DaosException(DaosError.Overflow, $"B+tree rooted at {RootAt} reached {depth} levels");
                }

                long top = AllocateNode(tx);
                Span<byte> zero = stackalloc byte[24];
                zero.Clear();
                SetInternalEntry(work, 0, zero, node, leftMax);
                SetInternalEntry(work, 1, separator, rightNode, rightMax);
                StoreNode(tx, top, level + 1, work, 2, 0);
                SetRootNodes(newRoot, top, depth + 1);
                WriteRoot(tx, newRoot);
                return;
            }

            long parent = pathNodes[level + 1];
            int ci = pathIndexes[level + 1];
            ReadOnlySpan<byte> p = ReadNode(parent, level + 1);
            int parentCount = CountOf(p);
            p.CopyTo(work);
            SetMaxEnd(work, ci, leftMax);
            InsertEntry(work, level + 1, parentCount, ci + 1);
            SetInternalEntry(work, ci + 1, separator, rightNode, rightMax);
            node = parent;
            count = parentCount + 1;
            dirtyFrom = HasMaxEnd ? ci : ci + 1;
        }
    }

    /// <summary>
    /// After the subtree under path level <paramref name="fromLevel"/> - 1 changed its largest end to
    /// <paramref name="childMax"/>, updates the entries above it until one already holds the value.
    /// </summary>
    private void PropagateMaxEnd(UmemTransaction tx, ReadOnlySpan<long> pathNodes, ReadOnlySpan<int> pathIndexes,
        int fromLevel, int depth, ulong childMax)
    {
        for (int level = fromLevel; level < depth; level++)
        {
            long parent = pathNodes[level];
            int ci = pathIndexes[level];
            ReadOnlySpan<byte> p = ReadNode(parent, level);
            if (MaxEndOf(p, level, ci) == childMax)
            {
                return;
            }

            tx.Write(parent + EntryAt(1, ci) + _slotBytes + 8, childMax);
            Restamp(tx, parent);
            p = ReadNode(parent, level);
            childMax = NodeMaxEnd(p, level, CountOf(p));
        }
    }
}

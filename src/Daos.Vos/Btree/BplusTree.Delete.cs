using Daos.Vos.Umem;

namespace Daos.Vos.Btree;

internal sealed partial class BplusTree
{
    /// <summary>
    /// Removes <paramref name="key"/>, copying its value into <paramref name="oldValue"/> when that is not empty;
    /// false (and nothing changed) when the key is absent. A node left under half full borrows from a sibling or
    /// merges with it (the emptied node is freed); a root left with one child hands the tree to that child.
    /// </summary>
    public bool Delete(UmemTransaction tx, ReadOnlySpan<byte> key, Span<byte> oldValue = default)
    {
        var probe = MakeProbe(key);
        RootView root = ReadRoot();
        Span<byte> newRoot = stackalloc byte[RootBytes];
        root.Bytes.CopyTo(newRoot);
        if (root.State == BtreeFormat.StateEmpty)
        {
            return false;
        }

        if (root.State == BtreeFormat.StateEmbedded)
        {
            if (Compare(probe, root.Bytes[BtreeFormat.RootSlotAt..]) != 0)
            {
                return false;
            }

            CopyOut(root.Bytes.Slice(BtreeFormat.RootValueAt, ValueBytes), oldValue);
            FreeSlot(tx, root.Bytes[BtreeFormat.RootSlotAt..]);
            SetRootEmpty(newRoot);
            WriteRoot(tx, newRoot);
            return true;
        }

        int depth = root.Depth;
        Span<long> pathNodes = stackalloc long[BtreeFormat.DepthMax];
        Span<int> pathIndexes = stackalloc int[BtreeFormat.DepthMax];
        long node = DescendToLeaf(root.Node, depth, probe, pathNodes, pathIndexes);

        ReadOnlySpan<byte> leaf = ReadNode(node, 0);
        int count = CountOf(leaf);
        int pos = LeafSearch(leaf, count, probe, out bool found);
        if (!found)
        {
            return false;
        }

        CopyOut(leaf.Slice(EntryAt(0, pos) + _slotBytes, ValueBytes), oldValue);
        FreeSlot(tx, SlotOf(leaf, 0, pos));
        byte[] work = Work0;
        leaf.CopyTo(work);
        RemoveEntry(work, 0, count, pos);
        Rebalance(tx, newRoot, pathNodes, pathIndexes, depth, node, count - 1, pos);
        return true;
    }

    private static void CopyOut(ReadOnlySpan<byte> value, Span<byte> destination)
    {
        if (!destination.IsEmpty)
        {
            value.CopyTo(destination);
        }
    }

    /// <summary>
    /// Writes back the node image in Work0 that lost an entry; when it falls under half full, borrows one entry
    /// from a sibling or merges with it, which may leave the parent short in turn.
    /// </summary>
    private void Rebalance(UmemTransaction tx, Span<byte> newRoot, ReadOnlySpan<long> pathNodes, ReadOnlySpan<int> pathIndexes,
        int depth, long node, int count, int dirtyFrom)
    {
        byte[] work = Work0;
        byte[] sibling = Work1;
        byte[] parent = Work2;
        Span<byte> slot = stackalloc byte[24];
        for (int level = 0; ; level++)
        {
            if (level == depth - 1)
            {
                if (count == 0)
                {
                    tx.Free(node);
                    SetRootEmpty(newRoot);
                    WriteRoot(tx, newRoot);
                }
                else if (level > 0 && count == 1)
                {
                    long only = ChildOf(work, 0);
                    tx.Free(node);
                    SetRootNodes(newRoot, only, depth - 1);
                    WriteRoot(tx, newRoot);
                }
                else
                {
                    StoreNode(tx, node, level, work, count, dirtyFrom);
                }

                return;
            }

            if (count >= _minCount)
            {
                StoreNode(tx, node, level, work, count, dirtyFrom);
                if (HasMaxEnd)
                {
                    PropagateMaxEnd(tx, pathNodes, pathIndexes, level + 1, depth, NodeMaxEnd(work, level, count));
                }

                return;
            }

            long parentNode = pathNodes[level + 1];
            int ci = pathIndexes[level + 1];
            ReadOnlySpan<byte> p = ReadNode(parentNode, level + 1);
            int parentCount = CountOf(p);
            p.CopyTo(parent);
            int entry = EntryBytes(level);

            // Left and right: the two adjacent children to even out; parent entry `si` separates them.
            bool withLeft = ci > 0;
            int si = withLeft ? ci : ci + 1;
            long siblingNode = ChildOf(parent, withLeft ? ci - 1 : ci + 1);
            ReadOnlySpan<byte> s = ReadNode(siblingNode, level);
            int siblingCount = CountOf(s);
            s.CopyTo(sibling);
            byte[] left = withLeft ? sibling : work;
            byte[] right = withLeft ? work : sibling;
            long leftNode = withLeft ? siblingNode : node;
            long rightNode = withLeft ? node : siblingNode;
            int leftCount = withLeft ? siblingCount : count;
            int rightCount = withLeft ? count : siblingCount;

            if (siblingCount > _minCount)
            {
                if (withLeft)
                {
                    // The left sibling's last entry moves to the front of this node.
                    InsertEntry(right, level, rightCount, 0);
                    left.AsSpan(EntryAt(level, leftCount - 1), entry).CopyTo(right.AsSpan(EntryAt(level, 0)));
                    leftCount--;
                    rightCount++;
                    if (level == 0)
                    {
                        FreeSlot(tx, SlotOf(parent, 1, si));
                        CopySlot(tx, SlotOf(right, 0, 0), slot);
                    }
                    else
                    {
                        // Rotate through the parent: its separator comes down onto the old first entry, the moved
                        // entry's key goes up, and the moved entry becomes a keyless first entry.
                        SlotOf(right, level, 0).CopyTo(slot);
                        SlotOf(parent, 1, si).CopyTo(right.AsSpan(EntryAt(level, 1), _slotBytes));
                        right.AsSpan(EntryAt(level, 0), _slotBytes).Clear();
                    }
                }
                else
                {
                    // The right sibling's first entry moves to the end of this node.
                    right.AsSpan(EntryAt(level, 0), entry).CopyTo(left.AsSpan(EntryAt(level, leftCount)));
                    if (level == 0)
                    {
                        RemoveEntry(right, level, rightCount, 0);
                        rightCount--;
                        leftCount++;
                        FreeSlot(tx, SlotOf(parent, 1, si));
                        CopySlot(tx, SlotOf(right, 0, 0), slot);
                    }
                    else
                    {
                        SlotOf(parent, 1, si).CopyTo(left.AsSpan(EntryAt(level, leftCount), _slotBytes));
                        leftCount++;
                        SlotOf(right, level, 1).CopyTo(slot);
                        RemoveEntry(right, level, rightCount, 0);
                        rightCount--;
                        right.AsSpan(EntryAt(level, 0), _slotBytes).Clear();
                    }
                }

                StoreNode(tx, leftNode, level, left, leftCount, 0);
                StoreNode(tx, rightNode, level, right, rightCount, 0);
                slot[.._slotBytes].CopyTo(parent.AsSpan(EntryAt(1, si), _slotBytes));
                if (HasMaxEnd)
                {
                    SetMaxEnd(parent, si - 1, NodeMaxEnd(left, level, leftCount));
                    SetMaxEnd(parent, si, NodeMaxEnd(right, level, rightCount));
                }

                StoreNode(tx, parentNode, level + 1, parent, parentCount, si - 1);
                if (HasMaxEnd)
                {
                    PropagateMaxEnd(tx, pathNodes, pathIndexes, level + 2, depth, NodeMaxEnd(parent, level + 1, parentCount));
                }

                return;
            }

            // Merge the right node into the left one and drop the parent's entry for the right node.
            if (level == 0)
            {
                FreeSlot(tx, SlotOf(parent, 1, si));
            }
            else
            {
                SlotOf(parent, 1, si).CopyTo(right.AsSpan(EntryAt(level, 0), _slotBytes));
            }

            right.AsSpan(EntryAt(level, 0), rightCount * entry).CopyTo(left.AsSpan(EntryAt(level, leftCount)));
            int merged = leftCount + rightCount;
            StoreNode(tx, leftNode, level, left, merged, withLeft ? leftCount : dirtyFrom);
            tx.Free(rightNode);
            if (HasMaxEnd)
            {
                SetMaxEnd(parent, si - 1, NodeMaxEnd(left, level, merged));
            }

            RemoveEntry(parent, level + 1, parentCount, si);
            node = parentNode;
            count = parentCount - 1;
            dirtyFrom = si - 1;
            parent.AsSpan(0, EntryAt(level + 1, count)).CopyTo(work);
        }
    }
}

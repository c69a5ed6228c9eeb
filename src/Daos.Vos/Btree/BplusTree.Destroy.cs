using Daos.Vos.Umem;

namespace Daos.Vos.Btree;

internal sealed partial class BplusTree
{
    /// <summary>
    /// Frees at most <paramref name="leafBudget"/> leaves (each with up to <see cref="Order"/> records, their key
    /// blocks and the internal nodes they empty) from the left of the tree, calling <paramref name="release"/> for
    /// every dropped value. True when the tree is empty. A tree being destroyed stays readable between slices but
    /// takes no other changes; each slice is one bounded piece of the caller's transaction.
    /// </summary>
    public bool DestroySlice(UmemTransaction tx, int leafBudget, BtreeValueRelease? release = null, object? state = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(leafBudget, 1);
        RootView root = ReadRoot();
        Span<byte> newRoot = stackalloc byte[RootBytes];
        root.Bytes.CopyTo(newRoot);
        if (root.State == BtreeFormat.StateEmpty)
        {
            return true;
        }

        if (root.State == BtreeFormat.StateEmbedded)
        {
            release?.Invoke(tx, root.Bytes.Slice(BtreeFormat.RootValueAt, ValueBytes), state);
            FreeSlot(tx, root.Bytes[BtreeFormat.RootSlotAt..]);
            SetRootEmpty(newRoot);
            WriteRoot(tx, newRoot);
            return true;
        }

        int depth = root.Depth;
        Span<long> path = stackalloc long[BtreeFormat.DepthMax];
        byte[] work = Work0;
        for (int slice = 0; slice < leafBudget; slice++)
        {
            long node = root.Node;
            for (int level = depth - 1; level > 0; level--)
            {
                path[level] = node;
                node = ChildOf(ReadNode(node, level), 0);
            }

            ReadOnlySpan<byte> leaf = ReadNode(node, 0);
            int count = CountOf(leaf);
            for (int i = 0; i < count; i++)
            {
                release?.Invoke(tx, leaf.Slice(EntryAt(0, i) + _slotBytes, ValueBytes), state);
                FreeSlot(tx, SlotOf(leaf, 0, i));
            }

            tx.Free(node);
            int up = 1;
            for (; up < depth; up++)
            {
                ReadOnlySpan<byte> n = ReadNode(path[up], up);
                int left = CountOf(n) - 1;
                if (left == 0)
                {
                    tx.Free(path[up]);
                    continue;
                }

                // Drop the entry of the freed child; the next entry becomes the keyless first one.
                n.CopyTo(work);
                RemoveEntry(work, up, left + 1, 0);
                FreeSlot(tx, SlotOf(work, up, 0));
                work.AsSpan(EntryAt(up, 0), _slotBytes).Clear();
                StoreNode(tx, path[up], up, work, left, 0);
                break;
            }

            if (up == depth)
            {
                SetRootEmpty(newRoot);
                WriteRoot(tx, newRoot);
                return true;
            }
        }

        return false;
    }
}

using System.Buffers.Binary;

namespace Daos.Vos.Btree;

internal sealed partial class BplusTree
{
    /// <summary>
    /// Walks the whole tree and checks every structural rule: node checks as on every read, all leaves at one depth,
    /// keys strictly increasing, every key of a subtree at or above its separator and below the next, ordering
    /// words matching their keys, nodes at least half full (the root: a leaf with one record or an internal node
    /// with two children), and every kept largest end exact. Returns the record count; throws
    /// <see cref="DaosError.Corrupted"/> at the first violation. For tests and consistency checks: cost is the
    /// size of the tree.
    /// </summary>
    public long Verify()
    {
        RootView root = ReadRoot();
        if (root.State == BtreeFormat.StateEmpty)
        {
            return 0;
        }

        if (root.State == BtreeFormat.StateEmbedded)
        {
            CheckWord(RootAt, root.Bytes[BtreeFormat.RootSlotAt..]);
            return 1;
        }

        byte[]? last = null;
        long records = 0;
        VerifyNode(root.Node, root.Depth - 1, isRoot: true, lower: null, upper: null, ref last, ref records);
        return records;
    }

    private ulong VerifyNode(long at, int level, bool isRoot, byte[]? lower, byte[]? upper, ref byte[]? last, ref long records)
    {
        // Copy out: nested reads of key blocks return other spans, and the node must stay as read.
        byte[] node = ReadNode(at, level).ToArray();
        int count = CountOf(node);
        int min = isRoot ? (level == 0 ? 1 : 2) : _minCount;
        if (count < min)
        {
            throw Corrupt(at, $"a level-{level} node holds {count} entries, fewer than {min}");
        }

        ulong max = 0;
        if (level == 0)
        {
            for (int i = 0; i < count; i++)
            {
                ReadOnlySpan<byte> slot = SlotOf(node, 0, i);
                CheckWord(at, slot);
                byte[] key = KeyOfSlot(slot).ToArray();
                if ((last is not null && CompareKeys(last, key) >= 0) || (lower is not null && CompareKeys(lower, key) > 0)
                    || (upper is not null && CompareKeys(key, upper) >= 0))
                {
                    throw Corrupt(at, $"leaf entry {i} is out of order");
                }

                last = key;
                records++;
                max = HasMaxEnd ? Math.Max(max, MaxEndOf(node, 0, i)) : 0;
            }

            return max;
        }

        if (SlotOf(node, level, 0).IndexOfAnyExcept((byte)0) >= 0)
        {
            throw Corrupt(at, "an internal node's first entry carries a key");
        }

        for (int i = 0; i < count; i++)
        {
            byte[]? from = lower;
            if (i > 0)
            {
                CheckWord(at, SlotOf(node, level, i));
                from = KeyOfSlot(SlotOf(node, level, i)).ToArray();
                if (lower is not null && CompareKeys(lower, from) > 0)
                {
                    throw Corrupt(at, $"separator {i} is below the node's lower bound");
                }
            }

            byte[]? to = i + 1 < count ? KeyOfSlot(SlotOf(node, level, i + 1)).ToArray() : upper;
            if (from is not null && to is not null && CompareKeys(from, to) >= 0)
            {
                throw Corrupt(at, $"separators {i} and {i + 1} are out of order");
            }

            ulong childMax = VerifyNode(ChildOf(node, i), level - 1, isRoot: false, from, to, ref last, ref records);
            if (HasMaxEnd && MaxEndOf(node, level, i) != childMax)
            {
                throw Corrupt(at, $"entry {i} keeps largest end {MaxEndOf(node, level, i)}, its subtree's is {childMax}");
            }

            max = Math.Max(max, childMax);
        }

        return max;
    }

    private void CheckWord(long at, ReadOnlySpan<byte> slot)
    {
        if (!IsVariable)
        {
            return;
        }

        ReadOnlySpan<byte> key = KeyOfSlot(slot);
        ulong word = KeyClass == BtreeKeyClass.Hashed ? XxHash64.Hash(key) : LexicalWord(key);
        if (word != BinaryPrimitives.ReadUInt64LittleEndian(slot))
        {
            throw Corrupt(at, "a key slot's ordering word does not match its key");
        }
    }

    /// <summary>Orders two keys of this tree's class.</summary>
    public int CompareKeys(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y)
    {
        var probe = MakeProbe(x);
        if (!IsVariable)
        {
            return Compare(probe, y);
        }

        ulong word = KeyClass == BtreeKeyClass.Hashed ? XxHash64.Hash(y) : LexicalWord(y);
        int c = probe.Word.CompareTo(word);
        return c != 0 ? c : x.SequenceCompareTo(y);
    }
}

using System.Buffers.Binary;

namespace Daos.Vos.Btree;

internal sealed partial class BplusTree
{
    /// <summary>A cursor for ordered iteration; reusable, valid until the next change to the tree.</summary>
    public Cursor OpenCursor() => new(this);

    /// <summary>
    /// Walks a tree's records in key order from a probe key forwards (what enumeration anchors resume from), or,
    /// in a <see cref="BtreeFeatures.MaxEnd"/> tree, only the records overlapping a range. Holds the path from the
    /// root to the current leaf; any change to the tree invalidates it (seek again from the last key).
    /// </summary>
    internal sealed class Cursor
    {
        private readonly BplusTree _tree;
        private readonly long[] _nodes = new long[BtreeFormat.DepthMax];
        private readonly int[] _indexes = new int[BtreeFormat.DepthMax];
        private int _depth;
        private bool _embedded;
        private bool _overlap;
        private ulong _from;
        private ulong _to;

        internal Cursor(BplusTree tree)
        {
            _tree = tree;
        }

        /// <summary>True while the cursor is on a record.</summary>
        public bool Valid { get; private set; }

        /// <summary>Nodes read since the cursor was opened (a measure of how much of the tree a walk touched).</summary>
        public long NodesVisited { get; private set; }

        /// <summary>The current record's key (for variable keys, from its key block).</summary>
        public ReadOnlySpan<byte> Key => _tree.KeyOfSlot(CurrentSlot());

        /// <summary>The current record's value.</summary>
        public ReadOnlySpan<byte> Value
        {
            get
            {
                EnsureValid();
                return _embedded
                    ? _tree._heap.Read(_tree.RootAt + BtreeFormat.RootValueAt, _tree.ValueBytes)
                    : _tree._heap.Read(_nodes[0] + _tree.EntryAt(0, _indexes[0]) + _tree._slotBytes, _tree.ValueBytes);
            }
        }

        /// <summary>Positions on the smallest key.</summary>
        public bool SeekFirst()
        {
            _overlap = false;
            return Start();
        }

        /// <summary>Positions on the smallest key at or after <paramref name="key"/>.</summary>
        public bool Seek(ReadOnlySpan<byte> key)
        {
            _overlap = false;
            var probe = _tree.MakeProbe(key);
            RootView root = _tree.ReadRoot();
            Valid = false;
            _embedded = root.State == BtreeFormat.StateEmbedded;
            if (root.State == BtreeFormat.StateEmpty)
            {
                return false;
            }

            if (_embedded)
            {
                Valid = _tree.Compare(probe, root.Bytes[BtreeFormat.RootSlotAt..]) <= 0;
                return Valid;
            }

            _depth = root.Depth;
            long node = root.Node;
            for (int level = _depth - 1; level > 0; level--)
            {
                ReadOnlySpan<byte> n = _tree.ReadNode(node, level);
                NodesVisited++;
                _nodes[level] = node;
                _indexes[level] = _tree.ChildIndex(n, level, CountOf(n), probe);
                node = _tree.ChildOf(n, _indexes[level]);
            }

            ReadOnlySpan<byte> leaf = _tree.ReadNode(node, 0);
            _nodes[0] = node;
            _indexes[0] = _tree.LeafSearch(leaf, CountOf(leaf), probe, out _);
            return Settle(0);
        }

        /// <summary>
        /// In a <see cref="BtreeFeatures.MaxEnd"/> tree: positions on the first record (in key order) whose
        /// [start, end) overlaps [<paramref name="from"/>, <paramref name="to"/>); <see cref="MoveNext"/> then
        /// yields only overlapping records, skipping every subtree that ends at or before <paramref name="from"/>
        /// and stopping at the first start at or after <paramref name="to"/>.
        /// </summary>
        public bool SeekOverlapping(ulong from, ulong to)
        {
            if (!_tree.HasMaxEnd)
            {
                throw new InvalidOperationException("overlap search needs a MaxEnd tree");
            }

            _overlap = true;
            _from = from;
            _to = to;
            if (to <= from)
            {
                Valid = false;
                return false;
            }

            return Start();
        }

        /// <summary>Moves to the next record; false at the end.</summary>
        public bool MoveNext()
        {
            EnsureValid();
            if (_embedded)
            {
                Valid = false;
                return false;
            }

            _indexes[0]++;
            return Settle(0);
        }

        private bool Start()
        {
            RootView root = _tree.ReadRoot();
            Valid = false;
            _embedded = root.State == BtreeFormat.StateEmbedded;
            if (root.State == BtreeFormat.StateEmpty)
            {
                return false;
            }

            if (_embedded)
            {
                Valid = !_overlap || Overlaps(root.Bytes[BtreeFormat.RootSlotAt..], root.Bytes[BtreeFormat.RootValueAt..]);
                return Valid;
            }

            _depth = root.Depth;
            _nodes[_depth - 1] = root.Node;
            _indexes[_depth - 1] = 0;
            return Settle(_depth - 1);
        }

        private bool Overlaps(ReadOnlySpan<byte> slot, ReadOnlySpan<byte> value) =>
            BinaryPrimitives.ReadUInt64LittleEndian(slot) < _to && BinaryPrimitives.ReadUInt64LittleEndian(value) > _from;

        /// <summary>From the candidate position at <paramref name="level"/>, moves forwards to the next record to yield.</summary>
        private bool Settle(int level)
        {
            while (true)
            {
                ReadOnlySpan<byte> n = _tree.ReadNode(_nodes[level], level);
                NodesVisited++;
                int count = CountOf(n);
                int i = _indexes[level];
                while (i < count)
                {
                    if (!_overlap)
                    {
                        break;
                    }

                    // Keys (and separators of entries after the first) are lower bounds of everything after them.
                    if ((i > 0 || level == 0) && BinaryPrimitives.ReadUInt64LittleEndian(_tree.SlotOf(n, level, i)) >= _to)
                    {
                        Valid = false;
                        return false;
                    }

                    if (_tree.MaxEndOf(n, level, i) > _from)
                    {
                        break;
                    }

                    i++;
                }

                _indexes[level] = i;
                if (i >= count)
                {
                    if (level == _depth - 1)
                    {
                        Valid = false;
                        return false;
                    }

                    level++;
                    _indexes[level]++;
                    continue;
                }

                if (level == 0)
                {
                    Valid = true;
                    return true;
                }

                long child = _tree.ChildOf(n, i);
                level--;
                _nodes[level] = child;
                _indexes[level] = 0;
            }
        }

        private ReadOnlySpan<byte> CurrentSlot()
        {
            EnsureValid();
            return _embedded
                ? _tree._heap.Read(_tree.RootAt + BtreeFormat.RootSlotAt, _tree._slotBytes)
                : _tree._heap.Read(_nodes[0] + _tree.EntryAt(0, _indexes[0]), _tree._slotBytes);
        }

        private void EnsureValid()
        {
            if (!Valid)
            {
                throw new InvalidOperationException("the cursor is not on a record");
            }
        }
    }
}

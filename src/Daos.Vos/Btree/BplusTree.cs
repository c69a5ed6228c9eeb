using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Daos.Vos.Umem;

namespace Daos.Vos.Btree;

/// <summary>
/// A handle on a persistent B+tree in a <see cref="UmemHeap"/>: the tree's root lives in the caller's record (at
/// <see cref="RootAt"/>, <see cref="BtreeFormat.RootBytes"/> bytes), its nodes and key blocks come from the heap
/// allocator, and every change goes through the caller's <see cref="UmemTransaction"/>, so an index change commits
/// or aborts with the record it indexes. See src/Daos.Vos/README.md ("B+trees") and docs/formats/vos.md.
/// </summary>
/// <remarks>
/// The handle caches only the tree's shape (key class, order, value size, features), which never changes; the
/// root and the nodes are read from the heap on every operation, and every node read is checked (bounds, magic,
/// shape, level, count, CRC32C) so damage is a <see cref="DaosError.Corrupted"/> <see cref="DaosException"/>,
/// never a crash or a loop. When a change throws (NoSpace, Corrupted) the caller must abort its transaction.
/// Owner thread only.
/// </remarks>
internal sealed partial class BplusTree
{
    private readonly UmemHeap _heap;
    private readonly int _slotBytes;
    private readonly int _fixedKeyBytes;
    private readonly int _leafEntryBytes;
    private readonly int _internalEntryBytes;
    private readonly int _nodeBytes;
    private readonly int _minCount;
    private readonly StrongBox<long>? _nodeReads;

    private BplusTree(UmemHeap heap, long rootAt, BtreeKeyClass keyClass, int order, int valueBytes, BtreeFeatures features,
        StrongBox<long>? nodeReads = null)
    {
        _heap = heap;
        _nodeReads = nodeReads;
        RootAt = rootAt;
        KeyClass = keyClass;
        Order = order;
        ValueBytes = valueBytes;
        Features = features;
        _slotBytes = BtreeFormat.SlotBytes(keyClass);
        _fixedKeyBytes = BtreeFormat.FixedKeyBytes(keyClass);
        _leafEntryBytes = _slotBytes + valueBytes;
        _internalEntryBytes = _slotBytes + 8 + (HasMaxEnd ? 8 : 0);
        _nodeBytes = BtreeFormat.NodeHeaderBytes + order * Math.Max(_leafEntryBytes, _internalEntryBytes);
        _minCount = (order + 1) / 2;
    }

    /// <summary>Heap offset of the tree's root.</summary>
    public long RootAt { get; }

    public BtreeKeyClass KeyClass { get; }

    /// <summary>Most entries a node holds; every node but the root holds at least half (rounded up).</summary>
    public int Order { get; }

    public int ValueBytes { get; }

    public BtreeFeatures Features { get; }

    /// <summary>Bytes of one node allocation.</summary>
    public int NodeBytes => _nodeBytes;

    private bool HasMaxEnd => (Features & BtreeFeatures.MaxEnd) != 0;

    private bool IsVariable => _fixedKeyBytes == 0;

    /// <summary>Writes the root of a new, empty tree at <paramref name="rootAt"/> (inside the caller's record).</summary>
    public static BplusTree Create(UmemTransaction tx, long rootAt, BtreeKeyClass keyClass, int order, int valueBytes,
        BtreeFeatures features = BtreeFeatures.None)
    {
        if (!BtreeFormat.IsKnown(keyClass))
        {
            throw new DaosException(DaosError.InvalidArgument, $"unknown B+tree key class {keyClass}");
        }

        if (order is < BtreeFormat.OrderMin or > BtreeFormat.OrderMax)
        {
            throw new DaosException(DaosError.InvalidArgument,
                $"B+tree order {order} is outside {BtreeFormat.OrderMin}..{BtreeFormat.OrderMax}");
        }

        if (valueBytes < 0 || valueBytes > BtreeFormat.ValueBytesMax || valueBytes % 8 != 0)
        {
            throw new DaosException(DaosError.InvalidArgument,
                $"B+tree value size {valueBytes} must be a multiple of 8 in 0..{BtreeFormat.ValueBytesMax}");
        }

        if ((features & ~(BtreeFeatures.EmbedFirst | BtreeFeatures.MaxEnd)) != 0
            || ((features & BtreeFeatures.MaxEnd) != 0 && (BtreeFormat.IsVariable(keyClass) || valueBytes < 8)))
        {
            throw new DaosException(DaosError.InvalidArgument,
                $"B+tree features {features} do not suit key class {keyClass} with {valueBytes}-byte values");
        }

        Span<byte> root = stackalloc byte[BtreeFormat.RootBytes(valueBytes)];
        root.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(root, BtreeFormat.RootMagic);
        root[BtreeFormat.RootKeyClassAt] = (byte)keyClass;
        root[BtreeFormat.RootFeaturesAt] = (byte)features;
        root[BtreeFormat.RootStateAt] = BtreeFormat.StateEmpty;
        BinaryPrimitives.WriteUInt16LittleEndian(root[BtreeFormat.RootOrderAt..], (ushort)order);
        BinaryPrimitives.WriteUInt16LittleEndian(root[BtreeFormat.RootValueBytesAt..], (ushort)valueBytes);
        root[BtreeFormat.RootVersionAt] = BtreeFormat.Version;
        BinaryPrimitives.WriteUInt32LittleEndian(root[BtreeFormat.RootCrcAt..], RootChecksum(root));
        tx.Write(rootAt, root);
        return new BplusTree(tx.Heap, rootAt, keyClass, order, valueBytes, features);
    }

    /// <summary>
    /// Opens the tree whose root is at <paramref name="rootAt"/>, checking the root as hostile input. When
    /// <paramref name="nodeReads"/> is given, every node this handle reads adds one to it (how owners measure what
    /// an operation touched).
    /// </summary>
    public static BplusTree Open(UmemHeap heap, long rootAt, StrongBox<long>? nodeReads = null)
    {
        if (rootAt < UmemHeap.RootOffset || rootAt % 8 != 0 || rootAt > heap.SizeBytes - BtreeFormat.RootValueAt)
        {
            throw new DaosException(DaosError.Corrupted, $"B+tree root at heap offset {rootAt} is outside the heap");
        }

        ReadOnlySpan<byte> head = heap.Read(rootAt, BtreeFormat.RootValueAt);
        if (BinaryPrimitives.ReadUInt32LittleEndian(head) != BtreeFormat.RootMagic)
        {
            throw new DaosException(DaosError.Corrupted, $"B+tree root at heap offset {rootAt}: bad magic");
        }

        if (head[BtreeFormat.RootVersionAt] != BtreeFormat.Version)
        {
            throw new DaosException(DaosError.DurableFormatIncompatible,
                $"B+tree root at heap offset {rootAt}: layout version {head[BtreeFormat.RootVersionAt]}, this build reads {BtreeFormat.Version}");
        }

        var keyClass = (BtreeKeyClass)head[BtreeFormat.RootKeyClassAt];
        var features = (BtreeFeatures)head[BtreeFormat.RootFeaturesAt];
        int order = BinaryPrimitives.ReadUInt16LittleEndian(head[BtreeFormat.RootOrderAt..]);
        int valueBytes = BinaryPrimitives.ReadUInt16LittleEndian(head[BtreeFormat.RootValueBytesAt..]);
        if (!BtreeFormat.IsKnown(keyClass) || order is < BtreeFormat.OrderMin or > BtreeFormat.OrderMax
            || valueBytes > BtreeFormat.ValueBytesMax || valueBytes % 8 != 0
            || (features & ~(BtreeFeatures.EmbedFirst | BtreeFeatures.MaxEnd)) != 0
            || ((features & BtreeFeatures.MaxEnd) != 0 && (BtreeFormat.IsVariable(keyClass) || valueBytes < 8))
            || rootAt > heap.SizeBytes - BtreeFormat.RootBytes(valueBytes))
        {
            throw new DaosException(DaosError.Corrupted, $"B+tree root at heap offset {rootAt}: shape fields are out of range");
        }

        var tree = new BplusTree(heap, rootAt, keyClass, order, valueBytes, features, nodeReads);
        tree.ReadRoot();
        return tree;
    }

    // ---------------------------------------------------------------- root

    private readonly ref struct RootView
    {
        public RootView(ReadOnlySpan<byte> bytes)
        {
            Bytes = bytes;
        }

        public ReadOnlySpan<byte> Bytes { get; }

        public byte State => Bytes[BtreeFormat.RootStateAt];

        public int Depth => Bytes[BtreeFormat.RootDepthAt];

        public long Node => BinaryPrimitives.ReadInt64LittleEndian(Bytes[BtreeFormat.RootNodeAt..]);
    }

    private int RootBytes => BtreeFormat.RootBytes(ValueBytes);

    /// <summary>Reads and checks the root: magic, shape as cached, CRC, state, depth.</summary>
    private RootView ReadRoot()
    {
        ReadOnlySpan<byte> r = _heap.Read(RootAt, RootBytes);
        if (BinaryPrimitives.ReadUInt32LittleEndian(r) != BtreeFormat.RootMagic
            || BinaryPrimitives.ReadUInt32LittleEndian(r[BtreeFormat.RootCrcAt..]) != RootChecksum(r))
        {
            throw Corrupt(RootAt, "the root's magic or checksum is wrong");
        }

        var view = new RootView(r);
        if (r[BtreeFormat.RootKeyClassAt] != (byte)KeyClass || r[BtreeFormat.RootFeaturesAt] != (byte)Features
            || BinaryPrimitives.ReadUInt16LittleEndian(r[BtreeFormat.RootOrderAt..]) != Order
            || BinaryPrimitives.ReadUInt16LittleEndian(r[BtreeFormat.RootValueBytesAt..]) != ValueBytes
            || view.State > BtreeFormat.StateNodes
            || (view.State == BtreeFormat.StateNodes ? view.Depth is < 1 or > BtreeFormat.DepthMax : view.Depth != 0)
            || (view.State == BtreeFormat.StateEmbedded && (Features & BtreeFeatures.EmbedFirst) == 0))
        {
            throw Corrupt(RootAt, "the root's fields are out of range");
        }

        return view;
    }

    private static uint RootChecksum(ReadOnlySpan<byte> root)
    {
        uint crc = Crc32C.Update(~0u, root[..BtreeFormat.RootCrcAt]);
        crc = Crc32C.Update(crc, [0, 0, 0, 0]);
        return ~Crc32C.Update(crc, root[(BtreeFormat.RootCrcAt + 4)..]);
    }

    /// <summary>Rewrites the root: <paramref name="root"/> is an edited copy of the current root, stamped and logged here.</summary>
    private void WriteRoot(UmemTransaction tx, Span<byte> root)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(root[BtreeFormat.RootCrcAt..], RootChecksum(root));
        tx.Write(RootAt, root);
    }

    private static void SetRootNodes(Span<byte> root, long node, int depth)
    {
        root[BtreeFormat.RootStateAt] = BtreeFormat.StateNodes;
        root[BtreeFormat.RootDepthAt] = (byte)depth;
        BinaryPrimitives.WriteInt64LittleEndian(root[BtreeFormat.RootNodeAt..], node);
        root[BtreeFormat.RootSlotAt..].Clear();
    }

    private static void SetRootEmpty(Span<byte> root)
    {
        root[BtreeFormat.RootStateAt] = BtreeFormat.StateEmpty;
        root[BtreeFormat.RootDepthAt] = 0;
        BinaryPrimitives.WriteInt64LittleEndian(root[BtreeFormat.RootNodeAt..], 0);
        root[BtreeFormat.RootSlotAt..].Clear();
    }

    /// <summary>True when the tree holds no record.</summary>
    public bool IsEmpty => ReadRoot().State == BtreeFormat.StateEmpty;

    // ---------------------------------------------------------------- keys

    /// <summary>A search key with its ordering word computed once.</summary>
    private readonly ref struct Probe
    {
        public Probe(ReadOnlySpan<byte> key, ulong word)
        {
            Key = key;
            Word = word;
        }

        public ReadOnlySpan<byte> Key { get; }

        public ulong Word { get; }
    }

    private Probe MakeProbe(ReadOnlySpan<byte> key)
    {
        if (_fixedKeyBytes != 0)
        {
            if (key.Length != _fixedKeyBytes)
            {
                throw new DaosException(DaosError.InvalidArgument,
                    $"a {KeyClass} B+tree key is {_fixedKeyBytes} bytes, not {key.Length}");
            }

            return new Probe(key, 0);
        }

        if (key.IsEmpty)
        {
            throw new DaosException(DaosError.InvalidArgument, "a B+tree key must not be empty");
        }

        if (key.Length > BtreeFormat.KeyBytesMax)
        {
            throw new DaosException(DaosError.KeyTooBig, $"a key of {key.Length} bytes exceeds {BtreeFormat.KeyBytesMax}");
        }

        return new Probe(key, KeyClass == BtreeKeyClass.Hashed ? XxHash64.Hash(key) : LexicalWord(key));
    }

    /// <summary>The first 8 bytes as a big-endian number, zero-padded: orders like the bytes whenever it differs.</summary>
    private static ulong LexicalWord(ReadOnlySpan<byte> key)
    {
        if (key.Length >= 8)
        {
            return BinaryPrimitives.ReadUInt64BigEndian(key);
        }

        Span<byte> padded = stackalloc byte[8];
        padded.Clear();
        key.CopyTo(padded);
        return BinaryPrimitives.ReadUInt64BigEndian(padded);
    }

    /// <summary>Orders the probe against a stored key slot.</summary>
    private int Compare(in Probe probe, ReadOnlySpan<byte> slot)
    {
        switch (KeyClass)
        {
            case BtreeKeyClass.UInt64:
                return BinaryPrimitives.ReadUInt64LittleEndian(probe.Key).CompareTo(BinaryPrimitives.ReadUInt64LittleEndian(slot));
            case BtreeKeyClass.Pair64:
            case BtreeKeyClass.Triple64:
                for (int at = 0; at < _fixedKeyBytes; at += 8)
                {
                    int c = BinaryPrimitives.ReadUInt64LittleEndian(probe.Key[at..]).CompareTo(BinaryPrimitives.ReadUInt64LittleEndian(slot[at..]));
                    if (c != 0)
                    {
                        return c;
                    }
                }

                return 0;
            default:
                int w = probe.Word.CompareTo(BinaryPrimitives.ReadUInt64LittleEndian(slot));
                return w != 0 ? w : probe.Key.SequenceCompareTo(KeyBlock(BinaryPrimitives.ReadInt64LittleEndian(slot[8..])));
        }
    }

    /// <summary>The key bytes a slot names: the slot itself, or its key block (checked).</summary>
    private ReadOnlySpan<byte> KeyOfSlot(ReadOnlySpan<byte> slot) =>
        IsVariable ? KeyBlock(BinaryPrimitives.ReadInt64LittleEndian(slot[8..])) : slot[.._fixedKeyBytes];

    private ReadOnlySpan<byte> KeyBlock(long at)
    {
        if (at < UmemHeap.RootOffset || at % 8 != 0 || at > _heap.SizeBytes - BtreeFormat.KeyBlockHeaderBytes)
        {
            throw Corrupt(at, "a key block offset is outside the heap");
        }

        ReadOnlySpan<byte> h = _heap.Read(at, BtreeFormat.KeyBlockHeaderBytes);
        int length = BinaryPrimitives.ReadUInt16LittleEndian(h);
        if (length is 0 or > BtreeFormat.KeyBytesMax || BinaryPrimitives.ReadUInt16LittleEndian(h[2..]) != 0
            || at > _heap.SizeBytes - BtreeFormat.KeyBlockHeaderBytes - length)
        {
            throw Corrupt(at, "a key block's length is out of range");
        }

        ReadOnlySpan<byte> key = _heap.Read(at + BtreeFormat.KeyBlockHeaderBytes, length);
        if (Crc32C.Compute(key, (uint)length) != BinaryPrimitives.ReadUInt32LittleEndian(h[4..]))
        {
            throw Corrupt(at, "a key block's checksum is wrong");
        }

        return key;
    }

    /// <summary>Fills a new slot for the probe's key; variable keys get a key block the slot owns.</summary>
    private void NewSlot(UmemTransaction tx, in Probe probe, Span<byte> slot)
    {
        slot[.._slotBytes].Clear();
        if (!IsVariable)
        {
            probe.Key.CopyTo(slot);
            return;
        }

        BinaryPrimitives.WriteUInt64LittleEndian(slot, probe.Word);
        BinaryPrimitives.WriteInt64LittleEndian(slot[8..], NewKeyBlock(tx, probe.Key));
    }

    private static long NewKeyBlock(UmemTransaction tx, ReadOnlySpan<byte> key)
    {
        int bytes = BtreeFormat.KeyBlockHeaderBytes + key.Length;
        long at = tx.Allocate(bytes);
        Span<byte> block = tx.AddRange(at, bytes);
        BinaryPrimitives.WriteUInt16LittleEndian(block, (ushort)key.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(block[2..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(block[4..], Crc32C.Compute(key, (uint)key.Length));
        key.CopyTo(block[BtreeFormat.KeyBlockHeaderBytes..]);
        return at;
    }

    /// <summary>A separator for a parent: a copy of <paramref name="source"/> that owns its own key block.</summary>
    private void CopySlot(UmemTransaction tx, ReadOnlySpan<byte> source, Span<byte> copy)
    {
        source[.._slotBytes].CopyTo(copy);
        if (IsVariable)
        {
            BinaryPrimitives.WriteInt64LittleEndian(copy[8..], NewKeyBlock(tx, KeyOfSlot(source)));
        }
    }

    /// <summary>Frees what a slot owns (the key block of a variable key).</summary>
    private void FreeSlot(UmemTransaction tx, ReadOnlySpan<byte> slot)
    {
        if (IsVariable)
        {
            long block = BinaryPrimitives.ReadInt64LittleEndian(slot[8..]);
            KeyBlock(block);
            tx.Free(block);
        }
    }

    // ---------------------------------------------------------------- nodes

    private int EntryBytes(int level) => level == 0 ? _leafEntryBytes : _internalEntryBytes;

    private int EntryAt(int level, int index) => BtreeFormat.NodeHeaderBytes + index * EntryBytes(level);

    private static int CountOf(ReadOnlySpan<byte> node) => BinaryPrimitives.ReadUInt16LittleEndian(node[BtreeFormat.NodeCountAt..]);

    /// <summary>Reads a node expected at <paramref name="level"/> and checks it; returns its header and entries in use.</summary>
    private ReadOnlySpan<byte> ReadNode(long at, int level)
    {
        if (at < UmemHeap.RootOffset || at % 8 != 0 || at > _heap.SizeBytes - _nodeBytes)
        {
            throw Corrupt(at, "a node offset is outside the heap");
        }

        if (_nodeReads is not null)
        {
            _nodeReads.Value++;
        }

        ReadOnlySpan<byte> h = _heap.Read(at, BtreeFormat.NodeHeaderBytes);
        int count = CountOf(h);
        if (BinaryPrimitives.ReadUInt32LittleEndian(h) != BtreeFormat.NodeMagic || h[BtreeFormat.NodeKeyClassAt] != (byte)KeyClass
            || h[BtreeFormat.NodeLevelAt] != level || count < 1 || count > Order
            || BinaryPrimitives.ReadUInt16LittleEndian(h[BtreeFormat.NodeOrderAt..]) != Order
            || BinaryPrimitives.ReadUInt16LittleEndian(h[BtreeFormat.NodeValueBytesAt..]) != ValueBytes)
        {
            throw Corrupt(at, $"not a level-{level} node of this tree (bad magic, shape or count)");
        }

        ReadOnlySpan<byte> node = _heap.Read(at, EntryAt(level, count));
        if (NodeChecksum(node) != BinaryPrimitives.ReadUInt32LittleEndian(h[BtreeFormat.NodeCrcAt..]))
        {
            throw Corrupt(at, "node checksum mismatch");
        }

        return node;
    }

    private static uint NodeChecksum(ReadOnlySpan<byte> node)
    {
        uint crc = Crc32C.Update(~0u, node[..BtreeFormat.NodeCrcAt]);
        crc = Crc32C.Update(crc, [0, 0, 0, 0]);
        return ~Crc32C.Update(crc, node[BtreeFormat.NodeHeaderBytes..]);
    }

    /// <summary>Stamps a node image held in <paramref name="buffer"/> and logs its header and entries from <paramref name="fromEntry"/> on.</summary>
    private void StoreNode(UmemTransaction tx, long at, int level, Span<byte> buffer, int count, int fromEntry)
    {
        Span<byte> h = buffer[..BtreeFormat.NodeHeaderBytes];
        BinaryPrimitives.WriteUInt32LittleEndian(h, BtreeFormat.NodeMagic);
        h[BtreeFormat.NodeKeyClassAt] = (byte)KeyClass;
        h[BtreeFormat.NodeLevelAt] = (byte)level;
        BinaryPrimitives.WriteUInt16LittleEndian(h[BtreeFormat.NodeCountAt..], (ushort)count);
        BinaryPrimitives.WriteUInt16LittleEndian(h[BtreeFormat.NodeOrderAt..], (ushort)Order);
        BinaryPrimitives.WriteUInt16LittleEndian(h[BtreeFormat.NodeValueBytesAt..], (ushort)ValueBytes);
        int used = EntryAt(level, count);
        BinaryPrimitives.WriteUInt32LittleEndian(h[BtreeFormat.NodeCrcAt..], NodeChecksum(buffer[..used]));
        int from = EntryAt(level, Math.Min(fromEntry, count));
        if (from < used)
        {
            tx.Write(at + from, buffer[from..used]);
        }

        tx.Write(at, h);
    }

    /// <summary>Recomputes a node's CRC after an in-place change to its entries.</summary>
    private void Restamp(UmemTransaction tx, long at)
    {
        ReadOnlySpan<byte> h = _heap.Read(at, BtreeFormat.NodeHeaderBytes);
        int level = h[BtreeFormat.NodeLevelAt];
        uint crc = NodeChecksum(_heap.Read(at, EntryAt(level, CountOf(h))));
        tx.Write(at + BtreeFormat.NodeCrcAt, crc);
    }

    private long AllocateNode(UmemTransaction tx) => tx.Allocate(_nodeBytes);

    private ReadOnlySpan<byte> SlotOf(ReadOnlySpan<byte> node, int level, int index) => node.Slice(EntryAt(level, index), _slotBytes);

    private long ChildOf(ReadOnlySpan<byte> node, int index)
    {
        long child = BinaryPrimitives.ReadInt64LittleEndian(node[(EntryAt(1, index) + _slotBytes)..]);
        return child;
    }

    private ulong MaxEndOf(ReadOnlySpan<byte> node, int level, int index) => level == 0
        ? BinaryPrimitives.ReadUInt64LittleEndian(node[(EntryAt(0, index) + _slotBytes)..])
        : BinaryPrimitives.ReadUInt64LittleEndian(node[(EntryAt(1, index) + _slotBytes + 8)..]);

    private ulong NodeMaxEnd(ReadOnlySpan<byte> node, int level, int count)
    {
        ulong max = 0;
        for (int i = 0; i < count; i++)
        {
            max = Math.Max(max, MaxEndOf(node, level, i));
        }

        return max;
    }

    /// <summary>Index of the first leaf entry whose key is at least the probe's.</summary>
    private int LeafSearch(ReadOnlySpan<byte> node, int count, in Probe probe, out bool found)
    {
        found = false;
        int lo = 0;
        int hi = count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            int c = Compare(probe, SlotOf(node, 0, mid));
            if (c > 0)
            {
                lo = mid + 1;
            }
            else
            {
                found |= c == 0;
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>The child whose subtree would hold the probe: the last entry whose separator is at most the probe (entry 0 has none).</summary>
    /// <summary>
    /// Walks from <paramref name="node"/> (the root of a tree <paramref name="depth"/> levels deep) down to the leaf that
    /// holds or would hold <paramref name="probe"/>; when <paramref name="pathNodes"/> is not empty, records each
    /// internal node and the child index taken, by level, for a change that must walk back up.
    /// </summary>
    private long DescendToLeaf(long node, int depth, in Probe probe, Span<long> pathNodes, Span<int> pathIndexes)
    {
        for (int level = depth - 1; level > 0; level--)
        {
            ReadOnlySpan<byte> n = ReadNode(node, level);
            int ci = ChildIndex(n, level, CountOf(n), probe);
            if (!pathNodes.IsEmpty)
            {
                pathNodes[level] = node;
                pathIndexes[level] = ci;
            }

            node = ChildOf(n, ci);
        }

        return node;
    }

    private int ChildIndex(ReadOnlySpan<byte> node, int level, int count, in Probe probe)
    {
        int lo = 1;
        int hi = count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (Compare(probe, SlotOf(node, level, mid)) >= 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo - 1;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private DaosException Corrupt(long at, string what) =>
        new(DaosError.Corrupted, $"B+tree rooted at heap offset {RootAt}: at {at}: {what}");

    // ---------------------------------------------------------------- lookup

    /// <summary>Copies the value of <paramref name="key"/> into <paramref name="value"/>; false when absent.</summary>
    public bool TryGet(ReadOnlySpan<byte> key, Span<byte> value)
    {
        var probe = MakeProbe(key);
        RootView root = ReadRoot();
        switch (root.State)
        {
            case BtreeFormat.StateEmpty:
                return false;
            case BtreeFormat.StateEmbedded:
                if (Compare(probe, root.Bytes[BtreeFormat.RootSlotAt..]) != 0)
                {
                    return false;
                }

                root.Bytes.Slice(BtreeFormat.RootValueAt, ValueBytes).CopyTo(value);
                return true;
        }

        long node = DescendToLeaf(root.Node, root.Depth, probe, [], []);
        ReadOnlySpan<byte> leaf = ReadNode(node, 0);
        int pos = LeafSearch(leaf, CountOf(leaf), probe, out bool found);
        if (found)
        {
            leaf.Slice(EntryAt(0, pos) + _slotBytes, ValueBytes).CopyTo(value);
        }

        return found;
    }

    /// <summary>True when <paramref name="key"/> is in the tree.</summary>
    public bool Contains(ReadOnlySpan<byte> key) => TryGet(key, stackalloc byte[ValueBytes]);
}

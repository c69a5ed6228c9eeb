using System.Buffers.Binary;
using Daos.Vos.Btree;
using Daos.Vos.Umem;
using Daos.Vos.Versioning;

namespace Daos.Vos.Evtree;

/// <summary>
/// The persistent index of an array akey: every write or punch of records as an <see cref="ExtentEntry"/>, in a
/// B+tree keyed by (first index, epoch, minor) whose internal entries keep the largest end below them
/// (<see cref="BtreeFeatures.MaxEnd"/>). "Every entry overlapping [a, b)" walks only the subtrees that can hold one:
/// those starting before b and ending after a. <see cref="ExtentVisibility"/> then resolves what a read sees.
/// </summary>
/// <remarks>
/// DAOS indexes extents with an R-tree over (extent × epoch); a B+tree by start with a kept largest end answers
/// the one question reads ask (overlap with a range, all epochs) with plain B+tree splits and merges, and keeps the
/// entries of one index in epoch order. Owner thread only; changes go through the caller's transaction.
/// </remarks>
internal sealed class ExtentTree
{
    /// <summary>Value: end (u64), caller's source (i64), flags (u64: bit 0 hole).</summary>
    public const int ValueBytes = 24;

    private const ulong FlagHole = 1;

    private ExtentTree(BplusTree tree)
    {
        Tree = tree;
    }

    /// <summary>The underlying B+tree.</summary>
    public BplusTree Tree { get; }

    /// <summary>Bytes a caller reserves for the root.</summary>
    public static int RootBytes => BtreeFormat.RootBytes(ValueBytes);

    public static ExtentTree Create(UmemTransaction tx, long rootAt, int order = BtreeFormat.OrderDefault) =>
        new(BplusTree.Create(tx, rootAt, BtreeKeyClass.Triple64, order, ValueBytes, BtreeFeatures.MaxEnd | BtreeFeatures.EmbedFirst));

    /// <summary>Opens the extent tree rooted at <paramref name="rootAt"/> (see <see cref="BplusTree.Open"/> for <paramref name="nodeReads"/>).</summary>
    public static ExtentTree Open(UmemHeap heap, long rootAt, System.Runtime.CompilerServices.StrongBox<long>? nodeReads = null)
    {
        BplusTree tree = BplusTree.Open(heap, rootAt, nodeReads);
        if (tree.KeyClass != BtreeKeyClass.Triple64 || tree.ValueBytes != ValueBytes || (tree.Features & BtreeFeatures.MaxEnd) == 0)
        {
            throw new DaosException(DaosError.Corrupted, $"the tree rooted at heap offset {rootAt} is not an extent tree");
        }

        return new ExtentTree(tree);
    }

    /// <summary>Adds an entry; false when one with the same first index and version is already there (nothing changes).</summary>
    public bool Insert(UmemTransaction tx, in ExtentEntry entry)
    {
        if (entry.Count <= 0 || entry.Index < 0 || entry.Index > long.MaxValue - entry.Count)
        {
            throw new DaosException(DaosError.InvalidArgument, $"records [{entry.Index}, +{entry.Count}) are not a valid extent");
        }

        Span<byte> key = stackalloc byte[24];
        WriteKey(key, entry.Index, entry.Version);
        Span<byte> value = stackalloc byte[ValueBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(value, (ulong)entry.End);
        BinaryPrimitives.WriteInt64LittleEndian(value[8..], entry.Source);
        BinaryPrimitives.WriteUInt64LittleEndian(value[16..], entry.IsHole ? FlagHole : 0);
        return Tree.Insert(tx, key, value, overwrite: false) == BtreeInsertStatus.Inserted;
    }

    /// <summary>Removes the entry starting at <paramref name="index"/> written at <paramref name="version"/>; false when absent.</summary>
    public bool Remove(UmemTransaction tx, long index, VersionStamp version)
    {
        Span<byte> key = stackalloc byte[24];
        WriteKey(key, index, version);
        return Tree.Delete(tx, key);
    }

    /// <summary>
    /// Appends to <paramref name="into"/> every entry overlapping records [<paramref name="from"/>,
    /// <paramref name="to"/>), in (index, version) order; returns how many nodes the search read.
    /// </summary>
    public long FindOverlapping(long from, long to, List<ExtentEntry> into)
    {
        BplusTree.Cursor cursor = Tree.OpenCursor();
        if (from < 0 || to <= from)
        {
            return 0;
        }

        for (bool more = cursor.SeekOverlapping((ulong)from, (ulong)to); more; more = cursor.MoveNext())
        {
            into.Add(Decode(cursor.Key, cursor.Value));
        }

        return cursor.NodesVisited;
    }

    /// <summary>Appends every entry in (index, version) order.</summary>
    public void All(List<ExtentEntry> into)
    {
        BplusTree.Cursor cursor = Tree.OpenCursor();
        for (bool more = cursor.SeekFirst(); more; more = cursor.MoveNext())
        {
            into.Add(Decode(cursor.Key, cursor.Value));
        }
    }

    private static void WriteKey(Span<byte> key, long index, VersionStamp version)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(key, (ulong)index);
        BinaryPrimitives.WriteUInt64LittleEndian(key[8..], version.Epoch);
        BinaryPrimitives.WriteUInt64LittleEndian(key[16..], version.Minor);
    }

    private static ExtentEntry Decode(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        long index = (long)BinaryPrimitives.ReadUInt64LittleEndian(key);
        ulong end = BinaryPrimitives.ReadUInt64LittleEndian(value);
        ulong minor = BinaryPrimitives.ReadUInt64LittleEndian(key[16..]);
        if (index < 0 || end <= (ulong)index || end > long.MaxValue || minor > ushort.MaxValue)
        {
            throw new DaosException(DaosError.Corrupted, $"extent tree entry [{index}, {end}) minor {minor} is out of range");
        }

        var version = new VersionStamp(BinaryPrimitives.ReadUInt64LittleEndian(key[8..]), (ushort)minor);
        return new ExtentEntry(index, (long)end - index, version, (BinaryPrimitives.ReadUInt64LittleEndian(value[16..]) & FlagHole) != 0,
            BinaryPrimitives.ReadInt64LittleEndian(value[8..]));
    }
}

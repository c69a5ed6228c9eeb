using System.Buffers.Binary;

namespace Daos.Engine.Rdb;

/// <summary>
/// The replicated state machine of RDB: a tree of key-value stores rooted at <see cref="RdbPath.Root"/> (a generic
/// store), changed only by applying committed <see cref="RdbTransaction"/>s in log order. Every replica that applies
/// the same transactions holds the same tree. Held in memory; rebuilt on restart from the latest snapshot
/// (<see cref="CreateSnapshot"/> / <see cref="Restore"/>) and the log after it. Single owner; not thread-safe.
/// </summary>
public sealed class RdbStore
{
    /// <summary>Magic number of a store snapshot image ("RDBK").</summary>
    public const uint SnapshotMagic = 0x4B424452;

    /// <summary>Version of the snapshot image encoding.</summary>
    public const byte SnapshotFormatVersion = 1;

    private Kvs _root = new(RdbKvsClass.Generic);

    /// <summary>The index of the last log entry applied.</summary>
    public ulong AppliedIndex { get; private set; }

    /// <summary>
    /// Applies the transaction in the log entry at <paramref name="index"/>: all its operations, or (when one fails)
    /// none. Returns <see cref="DaosError.None"/> or the failing operation's error (<see cref="DaosError.NonExistent"/>
    /// for a missing store, <see cref="DaosError.Exists"/> for a store that exists, <see cref="DaosError.InvalidArgument"/>
    /// for a key that does not fit the store's class or an update that would replace a store).
    /// </summary>
    public DaosError Apply(ulong index, ReadOnlySpan<byte> encodedTransaction)
    {
        RdbTransaction tx = RdbTransaction.Decode(encodedTransaction);
        AppliedIndex = index;
        var undo = new List<Action>();
        foreach (RdbOperation op in tx.Operations)
        {
            DaosError error = ApplyOne(op, undo);
            if (error != DaosError.None)
            {
                for (int i = undo.Count - 1; i >= 0; i--)
                {
                    undo[i]();
                }

                return error;
            }
        }

        return DaosError.None;
    }

    /// <summary>Records that the entry at <paramref name="index"/> carried no transaction (a leader's empty entry or a configuration change).</summary>
    public void Skip(ulong index) => AppliedIndex = index;

    /// <summary>Looks <paramref name="key"/> up in the store at <paramref name="path"/>.</summary>
    /// <returns><see cref="DaosError.None"/> with the value; <see cref="DaosError.NonExistent"/> when the store or key is missing
    /// or the key names a store.</returns>
    public DaosError Lookup(RdbPath path, ReadOnlySpan<byte> key, out ReadOnlyMemory<byte> value)
    {
        ArgumentNullException.ThrowIfNull(path);
        value = default;
        Kvs? kvs = Find(path);
        byte[] lookup = key.ToArray();
        if (kvs is null || !kvs.Accepts(lookup) || !kvs.Entries.TryGetValue(lookup, out object? found) || found is not byte[] bytes)
        {
            return DaosError.NonExistent;
        }

        value = bytes;
        return DaosError.None;
    }

    /// <summary>True when the store at <paramref name="path"/> exists; its class in <paramref name="kvsClass"/>.</summary>
    public bool KvsExists(RdbPath path, out RdbKvsClass kvsClass)
    {
        ArgumentNullException.ThrowIfNull(path);
        Kvs? kvs = Find(path);
        kvsClass = kvs?.Class ?? 0;
        return kvs is not null;
    }

    /// <summary>
    /// The keys of the store at <paramref name="path"/> in its order, starting at the first key not below
    /// <paramref name="fromKey"/> (from the start when empty), at most <paramref name="countMax"/>.
    /// </summary>
    /// <exception cref="DaosException"><see cref="DaosError.NonExistent"/> when the store does not exist.</exception>
    public IReadOnlyList<RdbEntry> Iterate(RdbPath path, ReadOnlySpan<byte> fromKey = default, int countMax = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(path);
        Kvs? kvs = Find(path);
        if (kvs is null)
        {
            throw ThrowHelper.Create(DaosError.NonExistent, $"no store at {path}");
        }

        var result = new List<RdbEntry>();
        byte[] from = fromKey.ToArray();
        if (from.Length > 0 && !kvs.Accepts(from))
        {
            ThrowHelper.InvalidArgument($"start key of {from.Length} bytes does not fit a store of class {kvs.Class}");
        }

        foreach (KeyValuePair<byte[], object> pair in kvs.Entries)
        {
            if (from.Length > 0 && kvs.Entries.Comparer.Compare(pair.Key, from) < 0)
            {
                continue;
            }

            if (result.Count >= countMax)
            {
                break;
            }

            result.Add(pair.Value is byte[] value ? new RdbEntry(pair.Key, value, false) : new RdbEntry(pair.Key, default, true));
        }

        return result;
    }

    /// <summary>An image of the whole tree and the applied index (docs/formats/rdb.md, "Store snapshot").</summary>
    public byte[] CreateSnapshot()
    {
        using var writer = new Daos.Buffers.PooledBufferWriter(4096);
        Span<byte> header = writer.GetSpan(13);
        BinaryPrimitives.WriteUInt32LittleEndian(header, SnapshotMagic);
        header[4] = SnapshotFormatVersion;
        BinaryPrimitives.WriteUInt64LittleEndian(header[5..], AppliedIndex);
        writer.Advance(13);
        WriteKvs(writer, _root);
        uint crc = Crc32C.Compute(writer.WrittenSpan);
        BinaryPrimitives.WriteUInt32LittleEndian(writer.GetSpan(4), crc);
        writer.Advance(4);
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>Replaces the whole tree with a snapshot image; hostile input gets <see cref="DaosError.Corrupted"/> and changes nothing.</summary>
    public void Restore(ReadOnlySpan<byte> image)
    {
        if (image.Length < 17 || BinaryPrimitives.ReadUInt32LittleEndian(image) != SnapshotMagic)
        {
            ThrowHelper.Corrupted("store snapshot has a bad magic number or is truncated");
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(image[^4..]) != Crc32C.Compute(image[..^4]))
        {
            ThrowHelper.Corrupted("store snapshot checksum mismatch");
        }

        if (image[4] != SnapshotFormatVersion)
        {
            ThrowHelper.Throw(DaosError.DurableFormatIncompatible, $"store snapshot version {image[4]} is not {SnapshotFormatVersion}");
        }

        ulong applied = BinaryPrimitives.ReadUInt64LittleEndian(image[5..]);
        int at = 13;
        Kvs root = ReadKvs(image[..^4], ref at, 0);
        if (at != image.Length - 4 || root.Class != RdbKvsClass.Generic)
        {
            ThrowHelper.Corrupted("store snapshot has trailing bytes or a root of the wrong class");
        }

        _root = root;
        AppliedIndex = applied;
    }

    /// <summary>A digest of the whole tree, for checkers that compare replicas.</summary>
    public ulong Digest()
    {
        byte[] image = CreateSnapshot();
        return Crc64.Compute(image.AsSpan(13, image.Length - 17));
    }

    private DaosError ApplyOne(RdbOperation op, List<Action> undo)
    {
        Kvs? kvs = Find(op.Path);
        if (kvs is null)
        {
            return DaosError.NonExistent;
        }

        if (!kvs.Accepts(op.Key))
        {
            return DaosError.InvalidArgument;
        }

        kvs.Entries.TryGetValue(op.Key, out object? existing);
        switch (op.Kind)
        {
            case RdbOperationKind.CreateKvs:
                if (existing is not null)
                {
                    return DaosError.Exists;
                }

                kvs.Entries.Add(op.Key, new Kvs(op.KvsClass));
                undo.Add(() => kvs.Entries.Remove(op.Key));
                return DaosError.None;
            case RdbOperationKind.DestroyKvs:
                if (existing is not Kvs)
                {
                    return DaosError.NonExistent;
                }

                kvs.Entries.Remove(op.Key);
                undo.Add(() => kvs.Entries.Add(op.Key, existing));
                return DaosError.None;
            case RdbOperationKind.Update:
                if (existing is Kvs)
                {
                    return DaosError.InvalidArgument;
                }

                kvs.Entries[op.Key] = op.Value;
                undo.Add(existing is null ? () => kvs.Entries.Remove(op.Key) : () => kvs.Entries[op.Key] = existing);
                return DaosError.None;
            default:
                if (existing is Kvs)
                {
                    return DaosError.InvalidArgument;
                }

                if (existing is not null)
                {
                    kvs.Entries.Remove(op.Key);
                    undo.Add(() => kvs.Entries.Add(op.Key, existing));
                }

                return DaosError.None;
        }
    }

    private Kvs? Find(RdbPath path)
    {
        Kvs kvs = _root;
        for (int level = 0; level < path.Depth; level++)
        {
            if (!kvs.Accepts(path[level]) || !kvs.Entries.TryGetValue(path[level], out object? child) || child is not Kvs next)
            {
                return null;
            }

            kvs = next;
        }

        return kvs;
    }

    private static void WriteKvs(Daos.Buffers.PooledBufferWriter writer, Kvs kvs)
    {
        Span<byte> head = writer.GetSpan(5);
        head[0] = (byte)kvs.Class;
        BinaryPrimitives.WriteUInt32LittleEndian(head[1..], (uint)kvs.Entries.Count);
        writer.Advance(5);
        foreach (KeyValuePair<byte[], object> pair in kvs.Entries)
        {
            WriteBytes(writer, pair.Key);
            Span<byte> tag = writer.GetSpan(1);
            tag[0] = pair.Value is Kvs ? (byte)1 : (byte)0;
            writer.Advance(1);
            if (pair.Value is Kvs child)
            {
                WriteKvs(writer, child);
            }
            else
            {
                WriteBytes(writer, (byte[])pair.Value);
            }
        }
    }

    private static void WriteBytes(Daos.Buffers.PooledBufferWriter writer, byte[] bytes)
    {
        Span<byte> span = writer.GetSpan(4 + bytes.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)bytes.Length);
        bytes.CopyTo(span[4..]);
        writer.Advance(4 + bytes.Length);
    }

    private static Kvs ReadKvs(ReadOnlySpan<byte> image, ref int at, int depth)
    {
        if (depth > RdbTransaction.PathDepthMax || image.Length - at < 5)
        {
            ThrowHelper.Corrupted("store snapshot is nested too deep or truncated");
        }

        var kvsClass = (RdbKvsClass)image[at];
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(image[(at + 1)..]);
        at += 5;
        if (kvsClass is not (RdbKvsClass.Generic or RdbKvsClass.Lexical or RdbKvsClass.Integer) || count > (uint)(image.Length - at))
        {
            ThrowHelper.Corrupted($"store snapshot holds a store of class {(byte)kvsClass} with {count} keys");
        }

        var kvs = new Kvs(kvsClass);
        for (uint i = 0; i < count; i++)
        {
            byte[] key = ReadBytes(image, ref at, RdbTransaction.KeySizeBytesMax);
            if (image.Length - at < 1 || image[at] > 1 || !kvs.Accepts(key))
            {
                ThrowHelper.Corrupted("store snapshot holds a bad entry");
            }

            bool isKvs = image[at++] == 1;
            object value = isKvs ? ReadKvs(image, ref at, depth + 1) : ReadBytes(image, ref at, int.MaxValue);
            if (!kvs.Entries.TryAdd(key, value))
            {
                ThrowHelper.Corrupted("store snapshot repeats a key");
            }
        }

        return kvs;
    }

    private static byte[] ReadBytes(ReadOnlySpan<byte> image, ref int at, int sizeBytesMax)
    {
        if (image.Length - at < 4)
        {
            ThrowHelper.Corrupted("store snapshot ends inside a length");
        }

        uint length = BinaryPrimitives.ReadUInt32LittleEndian(image[at..]);
        if (length > (uint)(image.Length - at - 4) || length > (uint)sizeBytesMax)
        {
            ThrowHelper.Corrupted($"store snapshot holds a {length}-byte field past its end or limit");
        }

        byte[] bytes = image.Slice(at + 4, (int)length).ToArray();
        at += 4 + (int)length;
        return bytes;
    }

    private sealed class Kvs(RdbKvsClass kvsClass)
    {
        public RdbKvsClass Class { get; } = kvsClass;

        public SortedDictionary<byte[], object> Entries { get; } = new(kvsClass == RdbKvsClass.Integer ? IntegerKeyComparer.Instance : LexicalKeyComparer.Instance);

        public bool Accepts(byte[] key) => Class == RdbKvsClass.Integer ? key.Length == 8 : key.Length > 0;
    }

    private sealed class LexicalKeyComparer : IComparer<byte[]>
    {
        public static LexicalKeyComparer Instance { get; } = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }

    private sealed class IntegerKeyComparer : IComparer<byte[]>
    {
        public static IntegerKeyComparer Instance { get; } = new();

        public int Compare(byte[]? x, byte[]? y) =>
            BinaryPrimitives.ReadUInt64LittleEndian(x).CompareTo(BinaryPrimitives.ReadUInt64LittleEndian(y));
    }
}

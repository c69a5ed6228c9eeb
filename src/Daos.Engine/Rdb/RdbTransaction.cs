using System.Buffers.Binary;

namespace Daos.Engine.Rdb;

/// <summary>
/// A batch of updates that commits atomically as one Raft log entry: creating and destroying stores, updating and
/// deleting keys. Operations apply in the order they were added; if one fails (a missing store, a store that already
/// exists, an integer key that is not 8 bytes), none takes effect, identically on every replica.
/// </summary>
public sealed class RdbTransaction
{
    /// <summary>Magic number of an encoded transaction ("RDBT").</summary>
    public const uint Magic = 0x54424452;

    /// <summary>Version of the encoding.</summary>
    public const byte FormatVersion = 1;

    /// <summary>Deepest path accepted.</summary>
    public const int PathDepthMax = 16;

    /// <summary>Largest key accepted.</summary>
    public const int KeySizeBytesMax = 4096;

    /// <summary>Most operations in one transaction.</summary>
    public const int OperationsMax = 1 << 16;

    private readonly List<RdbOperation> _operations = [];

    /// <summary>The operations, in order.</summary>
    internal IReadOnlyList<RdbOperation> Operations => _operations;

    /// <summary>Number of operations.</summary>
    public int Count => _operations.Count;

    /// <summary>Bytes the encoded transaction takes (what the proposal size limit applies to).</summary>
    public int EncodedSizeBytes { get; private set; } = 14;

    /// <summary>Creates the store <paramref name="name"/> of class <paramref name="kvsClass"/> in the store at <paramref name="parent"/>.</summary>
    public RdbTransaction CreateKvs(RdbPath parent, ReadOnlySpan<byte> name, RdbKvsClass kvsClass)
    {
        if (kvsClass is not (RdbKvsClass.Generic or RdbKvsClass.Lexical or RdbKvsClass.Integer))
        {
            ThrowHelper.InvalidArgument($"unknown store class {(byte)kvsClass}");
        }

        return Add(new RdbOperation(RdbOperationKind.CreateKvs, kvsClass, parent, name.ToArray(), []));
    }

    /// <summary>Destroys the store <paramref name="name"/> in the store at <paramref name="parent"/>, with everything in it.</summary>
    public RdbTransaction DestroyKvs(RdbPath parent, ReadOnlySpan<byte> name) =>
        Add(new RdbOperation(RdbOperationKind.DestroyKvs, 0, parent, name.ToArray(), []));

    /// <summary>Sets <paramref name="key"/> to <paramref name="value"/> in the store at <paramref name="path"/>.</summary>
    public RdbTransaction Update(RdbPath path, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value) =>
        Add(new RdbOperation(RdbOperationKind.Update, 0, path, key.ToArray(), value.ToArray()));

    /// <summary>Deletes <paramref name="key"/> (a value, not a store) from the store at <paramref name="path"/>; a missing key is not an error.</summary>
    public RdbTransaction Delete(RdbPath path, ReadOnlySpan<byte> key) =>
        Add(new RdbOperation(RdbOperationKind.Delete, 0, path, key.ToArray(), []));

    internal RdbTransaction Add(RdbOperation operation)
    {
        ArgumentNullException.ThrowIfNull(operation.Path);
        if (operation.Path.Depth > PathDepthMax || operation.Key.Length > KeySizeBytesMax || _operations.Count >= OperationsMax)
        {
            ThrowHelper.InvalidArgument($"path depth {operation.Path.Depth}, key of {operation.Key.Length} bytes or operation count over the limit");
        }

        _operations.Add(operation);
        EncodedSizeBytes += operation.EncodedSizeBytes;
        return this;
    }

    /// <summary>Encodes the transaction as a log-entry payload (docs/formats/rdb.md, "Transaction").</summary>
    public byte[] Encode()
    {
        var bytes = new byte[EncodedSizeBytes];
        Span<byte> span = bytes;
        BinaryPrimitives.WriteUInt32LittleEndian(span, Magic);
        span[4] = FormatVersion;
        BinaryPrimitives.WriteUInt32LittleEndian(span[5..], (uint)_operations.Count);
        int at = 9;
        foreach (RdbOperation op in _operations)
        {
            span[at++] = (byte)op.Kind;
            span[at++] = (byte)op.KvsClass;
            span[at++] = (byte)op.Path.Depth;
            for (int level = 0; level < op.Path.Depth; level++)
            {
                at = WriteBytes(span, at, op.Path[level]);
            }

            at = WriteBytes(span, at, op.Key);
            at = WriteBytes(span, at, op.Value);
        }

        // A reserved zero byte, then the checksum of everything before it.
        span[at++] = 0;
        BinaryPrimitives.WriteUInt32LittleEndian(span[at..], Crc32C.Compute(span[..at]));
        return bytes;
    }

    /// <summary>Decodes and verifies an encoded transaction; hostile input gets <see cref="DaosError.Corrupted"/>.</summary>
    public static RdbTransaction Decode(ReadOnlySpan<byte> encoded)
    {
        if (encoded.Length < 14 || BinaryPrimitives.ReadUInt32LittleEndian(encoded) != Magic)
        {
            ThrowHelper.Corrupted("transaction has a bad magic number or is truncated");
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(encoded[^4..]) != Crc32C.Compute(encoded[..^4]))
        {
            ThrowHelper.Corrupted("transaction checksum mismatch");
        }

        if (encoded[4] != FormatVersion)
        {
            ThrowHelper.Throw(DaosError.DurableFormatIncompatible, $"transaction version {encoded[4]} is not {FormatVersion}");
        }

        uint count = BinaryPrimitives.ReadUInt32LittleEndian(encoded[5..]);
        if (count > OperationsMax)
        {
            ThrowHelper.Corrupted($"transaction claims {count} operations");
        }

        var tx = new RdbTransaction();
        int at = 9;
        int end = encoded.Length - 5;
        for (uint i = 0; i < count; i++)
        {
            if (end - at < 3)
            {
                ThrowHelper.Corrupted("transaction ends inside an operation");
            }

            var kind = (RdbOperationKind)encoded[at];
            var kvsClass = (RdbKvsClass)encoded[at + 1];
            int depth = encoded[at + 2];
            at += 3;
            if (kind is < RdbOperationKind.CreateKvs or > RdbOperationKind.Delete || depth > PathDepthMax
                || (kind == RdbOperationKind.CreateKvs) != (kvsClass != 0)
                || (kind == RdbOperationKind.CreateKvs && kvsClass is not (RdbKvsClass.Generic or RdbKvsClass.Lexical or RdbKvsClass.Integer)))
            {
                ThrowHelper.Corrupted($"transaction operation {i} has kind {(byte)kind}, class {(byte)kvsClass}, depth {depth}");
            }

            var keys = new byte[depth][];
            for (int level = 0; level < depth; level++)
            {
                keys[level] = ReadBytes(encoded, ref at, end, KeySizeBytesMax);
            }

            byte[] key = ReadBytes(encoded, ref at, end, KeySizeBytesMax);
            byte[] value = ReadBytes(encoded, ref at, end, int.MaxValue);
            if (kind != RdbOperationKind.Update && value.Length != 0)
            {
                ThrowHelper.Corrupted($"transaction operation {i} of kind {kind} carries a value");
            }

            tx.Add(new RdbOperation(kind, kvsClass, RdbPath.FromKeys(keys), key, value));
        }

        if (at != end || encoded[at] != 0)
        {
            ThrowHelper.Corrupted("transaction has trailing bytes");
        }

        return tx;
    }

    private static int WriteBytes(Span<byte> span, int at, byte[] bytes)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(span[at..], (uint)bytes.Length);
        bytes.CopyTo(span[(at + 4)..]);
        return at + 4 + bytes.Length;
    }

    private static byte[] ReadBytes(ReadOnlySpan<byte> encoded, ref int at, int end, int sizeBytesMax)
    {
        if (end - at < 4)
        {
            ThrowHelper.Corrupted("transaction ends inside a length");
        }

        uint length = BinaryPrimitives.ReadUInt32LittleEndian(encoded[at..]);
        if (length > (uint)(end - at - 4) || length > (uint)sizeBytesMax)
        {
            ThrowHelper.Corrupted($"transaction holds a {length}-byte field past its end or limit");
        }

        byte[] bytes = encoded.Slice(at + 4, (int)length).ToArray();
        at += 4 + (int)length;
        return bytes;
    }
}

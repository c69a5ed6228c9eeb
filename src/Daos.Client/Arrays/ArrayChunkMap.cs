using System.Buffers.Binary;

namespace Daos.Client.Arrays;

/// <summary>
/// How a DAOS array lays records over dkeys (DAOS <c>src/client/array/dc_array.c</c>): record <c>i</c> lives under the
/// integer dkey <c>i / chunkSize + 1</c>, akey <c>'0'</c>, at record index <c>i % chunkSize</c> within that dkey.
/// Dkey 0 holds the array's metadata as a single value. Integer dkeys are 8 bytes in the byte order DAOS writes them
/// on its little-endian hosts.
/// </summary>
internal static class ArrayChunkMap
{
    /// <summary>The metadata magic, DAOS's <c>AKEY_MAGIC_V</c>.</summary>
    public const ulong MetadataMagic = 0xdaca55a9daca55a9;

    /// <summary>Bytes of the metadata single value: magic, cell size, chunk size.</summary>
    public const int MetadataSizeBytes = 24;

    /// <summary>The one akey of every array dkey: the character '0'.</summary>
    public static ReadOnlyMemory<byte> Akey { get; } = new[] { (byte)'0' };

    /// <summary>The dkey holding the metadata: integer 0.</summary>
    public static ReadOnlyMemory<byte> MetadataDkey { get; } = EncodeDkey(0);

    /// <summary>The dkey bytes of integer <paramref name="value"/>.</summary>
    public static byte[] EncodeDkey(ulong value)
    {
        byte[] key = new byte[sizeof(ulong)];
        BinaryPrimitives.WriteUInt64LittleEndian(key, value);
        return key;
    }

    /// <summary>The integer of an array dkey, or false when the bytes are not one (not 8 bytes long).</summary>
    public static bool TryDecodeDkey(ReadOnlySpan<byte> key, out ulong value)
    {
        if (key.Length != sizeof(ulong))
        {
            value = 0;
            return false;
        }

        value = BinaryPrimitives.ReadUInt64LittleEndian(key);
        return true;
    }

    /// <summary>The dkey integer and the index within it of array record <paramref name="recordIndex"/>.</summary>
    public static (ulong Dkey, long IndexInChunk) Locate(long recordIndex, long chunkSize)
    {
        long chunk = recordIndex / chunkSize;
        return ((ulong)chunk + 1, recordIndex - (chunk * chunkSize));
    }

    /// <summary>The array record index of record <paramref name="indexInChunk"/> of dkey <paramref name="dkey"/>.</summary>
    public static long RecordIndexOf(ulong dkey, long indexInChunk, long chunkSize) =>
        ((long)(dkey - 1) * chunkSize) + indexInChunk;

    /// <summary>
    /// Splits records [<paramref name="recordIndex"/>, +<paramref name="recordCount"/>) at chunk boundaries and every
    /// <paramref name="recordsPerPieceMax"/> records, in increasing order.
    /// </summary>
    public static List<ArrayPiece> Split(long recordIndex, long recordCount, long chunkSize, long recordsPerPieceMax)
    {
        var pieces = new List<ArrayPiece>();
        long done = 0;
        while (done < recordCount)
        {
            (ulong dkey, long inChunk) = Locate(recordIndex + done, chunkSize);
            long count = Math.Min(Math.Min(chunkSize - inChunk, recordCount - done), recordsPerPieceMax);
            pieces.Add(new ArrayPiece(dkey, inChunk, count, done));
            done += count;
        }

        return pieces;
    }

    /// <summary>The metadata single value.</summary>
    public static byte[] EncodeMetadata(int cellSize, long chunkSize)
    {
        byte[] value = new byte[MetadataSizeBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(value, MetadataMagic);
        BinaryPrimitives.WriteUInt64LittleEndian(value.AsSpan(8), (ulong)cellSize);
        BinaryPrimitives.WriteUInt64LittleEndian(value.AsSpan(16), (ulong)chunkSize);
        return value;
    }

    /// <summary>Reads the metadata value; as DAOS, a wrong magic or a zero size means "not an array" (<see cref="DaosError.NoPermission"/>).</summary>
    public static (int CellSize, long ChunkSize) DecodeMetadata(ReadOnlySpan<byte> value, ObjectId oid)
    {
        if (value.Length != MetadataSizeBytes || BinaryPrimitives.ReadUInt64LittleEndian(value) != MetadataMagic)
        {
            throw new DaosException(DaosError.NoPermission, $"object {oid} is not an array: its dkey 0 holds no array metadata");
        }

        ulong cell = BinaryPrimitives.ReadUInt64LittleEndian(value[8..]);
        ulong chunk = BinaryPrimitives.ReadUInt64LittleEndian(value[16..]);
        if (cell == 0 || chunk == 0 || cell > int.MaxValue || chunk > long.MaxValue / cell)
        {
            throw new DaosException(DaosError.NoPermission, $"object {oid} carries array metadata with cell size {cell} and chunk size {chunk}");
        }

        return ((int)cell, (long)chunk);
    }
}

/// <summary>A run of records within one dkey.</summary>
/// <param name="Dkey">The dkey integer (chunk number + 1).</param>
/// <param name="IndexInChunk">The first record's index within the dkey.</param>
/// <param name="Count">Records in the run.</param>
/// <param name="RecordOffset">Records before this run in the whole request.</param>
internal readonly record struct ArrayPiece(ulong Dkey, long IndexInChunk, long Count, long RecordOffset);

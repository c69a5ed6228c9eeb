namespace Daos.Protocol.Objects;

/// <summary>One akey of an update: a single value, or records written from <see cref="Index"/>.</summary>
/// <param name="Akey">The attribute key.</param>
/// <param name="Kind">Single value or array records.</param>
/// <param name="RecordSize">Bytes per record (arrays); 0 for single values.</param>
/// <param name="Index">First record index (arrays); 0 for single values.</param>
/// <param name="Data">The value, or the records back to back (a multiple of the record size).</param>
public readonly record struct IodUpdate(ReadOnlyMemory<byte> Akey, IodKind Kind, int RecordSize, long Index, ReadOnlyMemory<byte> Data)
{
    /// <summary>Smallest encoded size (empty key and data).</summary>
    public const int SizeBytesMin = 4 + 1 + 4 + 8 + 4;

    internal void Write(ref ProtocolWriter writer)
    {
        writer.WriteBytes(Akey.Span);
        writer.WriteUInt8((byte)Kind);
        writer.WriteInt32(RecordSize);
        writer.WriteInt64(Index);
        writer.WriteBytes(Data.Span);
    }

    internal static IodUpdate Read(ref ProtocolReader reader)
    {
        ReadOnlyMemory<byte> akey = ObjectFields.ReadKey(ref reader, "akey");
        var kind = (IodKind)reader.ReadEnum((byte)IodKind.Array, (byte)IodKind.Single);
        int recordSize = reader.ReadInt32();
        long index = reader.ReadInt64();
        ReadOnlyMemory<byte> data = reader.ReadBytes(ProtocolLimits.ValueSizeBytesMax);
        if (kind == IodKind.Array)
        {
            ObjectFields.CheckArray(recordSize, index);
            if (data.Length % recordSize != 0)
            {
                throw new DaosException(DaosError.Protocol, $"array data of {data.Length} bytes is not a multiple of the record size {recordSize}");
            }
        }
        else if (recordSize != 0 || index != 0)
        {
            throw new DaosException(DaosError.Protocol, "a single value carries no record size or index");
        }

        return new IodUpdate(akey, kind, recordSize, index, data);
    }
}

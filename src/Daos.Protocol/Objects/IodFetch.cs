namespace Daos.Protocol.Objects;

/// <summary>One akey of a fetch: its single value, or <see cref="Count"/> records from <see cref="Index"/>.</summary>
/// <param name="Akey">The attribute key.</param>
/// <param name="Kind">Single value or array records.</param>
/// <param name="RecordSize">Bytes per record (arrays); 0 for single values.</param>
/// <param name="Index">First record index (arrays).</param>
/// <param name="Count">How many records (arrays).</param>
public readonly record struct IodFetch(ReadOnlyMemory<byte> Akey, IodKind Kind, int RecordSize, long Index, long Count)
{
    /// <summary>Smallest encoded size.</summary>
    public const int SizeBytesMin = 4 + 1 + 4 + 8 + 8;

    internal void Write(ref ProtocolWriter writer)
    {
        writer.WriteBytes(Akey.Span);
        writer.WriteUInt8((byte)Kind);
        writer.WriteInt32(RecordSize);
        writer.WriteInt64(Index);
        writer.WriteInt64(Count);
    }

    internal static IodFetch Read(ref ProtocolReader reader)
    {
        ReadOnlyMemory<byte> akey = ObjectFields.ReadKey(ref reader, "akey");
        var kind = (IodKind)reader.ReadEnum((byte)IodKind.Array, (byte)IodKind.Single);
        int recordSize = reader.ReadInt32();
        long index = reader.ReadInt64();
        long count = reader.ReadInt64();
        if (kind == IodKind.Array)
        {
            ObjectFields.CheckArray(recordSize, index);
            if (count < 0 || count > ProtocolLimits.ValueSizeBytesMax / recordSize)
            {
                throw new DaosException(DaosError.Protocol, $"fetch of {count} records of {recordSize} bytes is over the {ProtocolLimits.ValueSizeBytesMax}-byte limit");
            }
        }
        else if (recordSize != 0 || index != 0 || count != 0)
        {
            throw new DaosException(DaosError.Protocol, "a single value fetch carries no record size, index or count");
        }

        return new IodFetch(akey, kind, recordSize, index, count);
    }
}
